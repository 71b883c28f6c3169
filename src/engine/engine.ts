// The engine's front door: submit and cancel tasks, read jobs, wait for them, run the worker.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

import type { Registry } from '../actions/index.js';
import { badRequest, notFound } from '../errors/index.js';
import {
  type AddressGuardOptions,
  type BrowserProvider,
  createAddressGuard,
  type Pacer,
} from '../runtime/index.js';
import type { Clock, Database, Dialect, JobRow, Notifier, Writer } from '../store/index.js';
import type { Vault } from '../vault/index.js';
import { Deliverer, type DeliveryPolicy } from '../webhooks/index.js';
import { cancelJob } from './cancel.js';
import { type Idempotency, rememberResponse, type StoredResponse } from './idempotency.js';
import {
  type JobFileInfo,
  listJobFiles,
  readJobFile,
  type StoredJobFile,
} from './job-files.repo.js';
import { appendJobLog, type JobLogView, readJobLog } from './job-log.js';
import {
  countByStatus,
  findJob,
  findPolledJob,
  type JobFilter,
  listJobs,
  type PolledJob,
  queuePosition,
} from './job.repo.js';
import { type CredentialInfo, jobListItem, type JobListItem } from './job-view.js';
import { type Submission, submitTask, type TaskInput } from './submit.js';
import { type SettledOutcome, Worker } from './worker.js';

export interface EngineDeps {
  db: Kysely<Database>;
  write: Writer;
  dialect: Dialect;
  registry: Registry;
  vault: Vault;
  clock: Clock;
  logger: Logger;
  guard: AddressGuardOptions;
  maxResponseBytes: number;
  requestTimeoutMs: number;
  concurrency: number;
  accountConcurrency: number;
  /** Settled jobs older than this are deleted with their logs (0: kept forever). */
  retentionMs: number;
  leaseMs: number;
  pollMs: number;
  /** How long an idempotency key's answer is remembered (TASKWIRE_IDEMPOTENCY_TTL_MS). */
  idempotencyTtlMs: number;
  /** Retry timing of webhook deliveries (TASKWIRE_WEBHOOK_*). */
  webhooks: DeliveryPolicy;
  /** Cross-process wake-ups: NOTIFY on PostgreSQL, in memory on SQLite. */
  notifier: Notifier;
  /** The browser pool handed to attempts as `ctx.browser` (launched on first use). */
  browser?: BrowserProvider;
  /** The process's one pacer, shared by every attempt's HTTP client. */
  pacer?: Pacer;
  /** The proxy a catalog's requests go through, if any. */
  proxyFor?: (catalogSlug: string) => string | undefined;
  /** Hears about every attempt this process settles (metrics). */
  onJobSettled?: (outcome: SettledOutcome) => void;
  /** Hears about every webhook send of this process that failed (metrics). */
  onWebhookFailure?: (event: string, final: boolean) => void;
}

export function createEngine(deps: EngineDeps) {
  const guard = createAddressGuard(deps.guard);
  const submitDeps = { ...deps, checkTarget: (url: URL) => guard.assertUrl(url) };
  const { notifier } = deps;
  const announceSettled = (id: string): void => notifier.notify('taskwire_job_settled', id);
  let worker: Worker | undefined;
  let unsubscribe: Array<() => void> = [];
  // Long-polls and sync waits in progress: shutdown answers them at once, with the job as it
  // stands, so the API can close without holding requests for up to a minute.
  const waiting = new Set<() => void>();
  let stopped = false;
  // Webhook deliveries are sent by worker processes, like jobs are run by them.
  let deliverer: Deliverer | undefined;

  async function credentialInfo(ids: string[]): Promise<Map<string, CredentialInfo>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = await deps.db
      .selectFrom('credentials')
      .innerJoin('identities', 'identities.id', 'credentials.identity_id')
      .select([
        'credentials.id as id',
        'credentials.credential_type as credential_type',
        'identities.name as identity_name',
      ])
      .where('credentials.id', 'in', unique)
      .execute();
    return new Map(
      rows.map((r) => [
        r.id,
        { credential_type: r.credential_type, identity_name: r.identity_name },
      ]),
    );
  }

  const engine = {
    async submit(input: TaskInput): Promise<JobRow> {
      const submission = await engine.submitWithKey(input);
      // Only a keyed submission can be a replay.
      if (submission.replayed) throw new Error('A submission without a key was replayed.');
      return submission.job;
    },

    /** Submits, optionally under an idempotency key: a new job, or the answer the key gave. */
    async submitWithKey(input: TaskInput, idempotency?: Idempotency): Promise<Submission> {
      const submission = await submitTask(submitDeps, input, idempotency);
      if (!submission.replayed) {
        worker?.wake();
        // Workers in other processes (or on other machines, on PostgreSQL) start it at once.
        notifier.notify('taskwire_job_queued');
      }
      return submission;
    },

    /** Stores the answer a keyed submission finally gave (a sync job that finished in time). */
    async rememberResponse(
      accountId: string,
      key: string,
      jobId: string,
      response: StoredResponse,
    ): Promise<void> {
      await rememberResponse(deps.write, accountId, key, jobId, response);
    },

    /** Cancels and refunds a queued or running job; 404 unknown, 409 already terminal. */
    async cancel(accountId: string, id: string): Promise<JobRow> {
      const job = await cancelJob(deps.write, accountId, id, deps.clock);
      // A local attempt stops now; one in another process stops at its next heartbeat.
      worker?.cancel(id);
      announceSettled(id);
      return job;
    },

    async job(accountId: string, id: string): Promise<JobRow> {
      const job = await findJob(deps.db, accountId, id);
      if (!job) throw notFound(`Job '${id}' not found.`);
      return job;
    },

    /** The caller's job with only what its Wire body and queue position need. */
    async poll(accountId: string, id: string): Promise<PolledJob> {
      const job = await findPolledJob(deps.db, accountId, id);
      if (!job) throw notFound(`Job '${id}' not found.`);
      return job;
    },

    /** Resolves with the job once it is terminal, or as it stands when `timeoutMs` runs out. */
    async waitForJob(accountId: string, id: string, timeoutMs: number): Promise<JobRow> {
      const job = await engine.job(accountId, id);
      if (job.status === 'succeeded' || job.status === 'failed' || timeoutMs <= 0 || stopped) {
        return job;
      }
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          clearInterval(poll);
          stopListening();
          waiting.delete(done);
          resolve();
        };
        waiting.add(done);
        const timer = setTimeout(done, timeoutMs);
        // A settle anywhere is announced; the poll covers a notification that got lost.
        const stopListening = notifier.listen('taskwire_job_settled', (settledId) => {
          if (settledId === id) done();
        });
        const poll = setInterval(() => {
          void findJob(deps.db, accountId, id).then((j) => {
            if (j && (j.status === 'succeeded' || j.status === 'failed')) done();
          });
        }, 1000);
      });
      return engine.job(accountId, id);
    },

    /** The job's files for its `files[]`: only a settled job can have any. */
    async files(job: Pick<JobRow, 'id' | 'status'>): Promise<JobFileInfo[]> {
      if (job.status !== 'succeeded' && job.status !== 'failed') return [];
      return listJobFiles(deps.db, job.id);
    },

    /** One of the caller's job's files: 404 for an unknown job, 400 for an unknown file. */
    async file(accountId: string, id: string, name: string): Promise<StoredJobFile> {
      const job = await engine.job(accountId, id);
      const file = await readJobFile(deps.db, job.id, name);
      if (!file) {
        const why =
          job.status === 'succeeded' || job.status === 'failed' ? '' : ' (it is still processing)';
        throw badRequest(`Job '${id}' has no file '${name}'${why}.`, [
          { path: '/file', message: `no file named '${name}'` },
        ]);
      }
      return file;
    },

    /** The caller's job's log: lifecycle steps and its action's lines, oldest first. */
    async jobLog(accountId: string, id: string): Promise<JobLogView[]> {
      await engine.job(accountId, id);
      return readJobLog(deps.db, id);
    },

    /** 1 when the queued job is next in its account's queue. */
    queuePosition: (job: PolledJob): Promise<number> => queuePosition(deps.db, job),

    async list(
      accountId: string,
      filter: JobFilter,
    ): Promise<{ jobs: JobListItem[]; total: number }> {
      const { rows, total } = await listJobs(deps.db, accountId, filter);
      const info = await credentialInfo(
        rows.flatMap((r) => (r.credential_id ? [r.credential_id] : [])),
      );
      return { jobs: rows.map((r) => jobListItem(r, deps.registry, info)), total };
    },

    async stats(accountId: string): Promise<Record<string, number>> {
      const counts = await countByStatus(deps.db, accountId);
      return {
        processing: counts.queued + counts.running,
        queued: counts.queued,
        running: counts.running,
        completed: counts.succeeded,
        failed: counts.failed,
      };
    },

    /** Attempts this process's worker is running now. */
    activeJobs(): number {
      return worker?.activeJobs ?? 0;
    },

    startWorker(): void {
      deliverer = new Deliverer({ ...deps, guard, policy: deps.webhooks });
      worker = new Worker({
        ...deps,
        log: (jobId, message, fields) => {
          deps.logger.info({ jobId, ...fields }, message);
          // Kept with the job for GET /jobs/{id}/events; a line is not worth failing a job.
          void deps
            .write((trx) =>
              appendJobLog(
                trx,
                { jobId, attempt: null, kind: 'log', message, ...(fields ? { data: fields } : {}) },
                deps.clock,
              ),
            )
            .catch((error: unknown) =>
              deps.logger.warn({ err: error, jobId }, 'could not keep a job log line'),
            );
        },
        onSettled: (jobId, outcome) => {
          announceSettled(jobId);
          if (outcome) deps.onJobSettled?.(outcome);
        },
      });
      unsubscribe = [
        notifier.listen('taskwire_job_queued', () => worker?.wake()),
        // A settle (here or elsewhere) may have queued webhook deliveries.
        notifier.listen('taskwire_job_settled', () => deliverer?.wake()),
      ];
      worker.start();
      deliverer.start();
    },

    /**
     * Shuts down in the order that loses nothing: the worker and the deliverer stop claiming
     * (synchronously, inside their `stop`), pending waits are answered with the job as it
     * stands, running jobs get `graceMs` to finish, and the rest are aborted and released.
     * A stopped engine answers every later wait at once.
     */
    async stop(graceMs?: number): Promise<void> {
      for (const off of unsubscribe) off();
      unsubscribe = [];
      const stopping = Promise.all([worker?.stop(graceMs), deliverer?.stop(graceMs)]);
      stopped = true;
      for (const done of [...waiting]) done();
      await stopping;
      worker = undefined;
      deliverer = undefined;
    },
  };
  return engine;
}

export type Engine = ReturnType<typeof createEngine>;
