// Public surface of the engine: the job lifecycle behind the task API.
export { createEngine, type Engine, type EngineDeps } from './engine.js';
export type { JobFilter } from './job.repo.js';
export { type JobBody, jobBody, type JobListItem } from './job-view.js';
export { backoffMs } from './settle.js';
export type { TaskInput } from './submit.js';
