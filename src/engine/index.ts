// Public surface of the engine: the job lifecycle behind the task API.
export { CANCELLED_MESSAGE } from './cancel.js';
export { createEngine, type Engine, type EngineDeps } from './engine.js';
export {
  canonicalJson,
  fingerprintOf,
  type Idempotency,
  type StoredResponse,
} from './idempotency.js';
export { queueCredentialExpired } from './job-events.js';
export type { JobFilter } from './job.repo.js';
export type { JobFileInfo, StoredJobFile } from './job-files.repo.js';
export { type JobBody, jobBody, type JobListItem } from './job-view.js';
export { backoffMs } from './settle.js';
export type { Submission, TaskInput } from './submit.js';
export type { JobLogView } from './job-log.js';
