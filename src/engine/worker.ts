// The worker loop: claims due jobs up to its concurrency, keeps their leases alive, settles
// them, reaps jobs whose worker died, prunes expired idempotency keys and jobs past retention,
// and on shutdown hands back what it could not finish. One per process; it has a lifecycle, so
// a class.
import { randomUUID } from 'node:crypto';

import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

import type { Registry } from '../actions/index.js';
import { CancelledError } from '../runtime/index.js';
import type { Clock, Database, Dialect, JobRow, Writer } from '../store/index.js';
import { pruneKeys } from './idempotency.js';
import { claimJobs, expiredLeases, renewLease } from './job.repo.js';
import { pruneExpired } from './retention.js';
import { type AttemptDeps, runAttempt } from './run-attempt.js';
import { backoffMs, release, requeue, retries, settleFailed, settleSucceeded } from './settle.js';

/** What a settled attempt amounted to, for metrics. */
export interface SettledOutcome {
  actionId: string;
  outcome: 'completed' | 'failed';
  code: string;
  executionMs: number;
}

export interface WorkerDeps extends AttemptDeps {
  db: Kysely<Database>;
  write: Writer;
  dialect: Dialect;
  registry: Registry;
  clock: Clock;
  logger: Logger;
  concurrency: number;
  /** Jobs one account may have running at once, across all workers. */
  accountConcurrency: number;
  /** Settled jobs older than this are deleted (0: kept forever). */
  retentionMs: number;
  leaseMs: number;
  pollMs: number;
  /** Called after a job reaches a terminal state (after COMMIT). */
  onSettled: (jobId: string, outcome?: SettledOutcome) => void;
}

/** How often expired idempotency keys are deleted: they are ignored on lookup anyway. */
const PRUNE_EVERY_MS = 60_000;

export class Worker {
  readonly id = `worker-${randomUUID().slice(0, 8)}`;
  readonly #deps: WorkerDeps;
  readonly #running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  #timer: NodeJS.Timeout | undefined;
  #stopping = false;
  #pumping = false;
  #again = false;
  /** The claim loop and the reaper in flight, which `stop()` waits for before it looks. */
  #pumpDone: Promise<void> = Promise.resolve();
  #reapDone: Promise<void> = Promise.resolve();
  #prunedAt = 0;
  /** The abort reason of a shutdown, told apart from a cancel or a lost lease. */
  readonly #shutdown = new Error('The worker is shutting down.');

  constructor(deps: WorkerDeps) {
    this.#deps = deps;
  }

  start(): void {
    const tick = (): void => {
      if (this.#stopping) return;
      this.#reapDone = this.#reap().then(() => this.wake());
    };
    this.#timer = setInterval(tick, this.#deps.pollMs);
    this.#timer.unref();
    tick();
  }

  /** Something was queued: look for work now rather than at the next poll. */
  wake(): void {
    if (this.#stopping) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumpDone = this.#pump();
  }

  /**
   * Aborts this worker's attempt at a job that was just cancelled, so it stops now rather
   * than at its next heartbeat. Its settle then finds the job terminal and changes nothing.
   */
  cancel(jobId: string): void {
    this.#running.get(jobId)?.abort.abort(new CancelledError());
  }

  get activeJobs(): number {
    return this.#running.size;
  }

  /**
   * Stops claiming at once (before the first await, so no claim starts after this call), lets
   * running jobs finish within `graceMs`, then aborts the rest through their signal; their
   * attempts end by handing the jobs back (see `#release`).
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.#stopping = true;
    if (this.#timer) clearInterval(this.#timer);
    // A claim in flight may still hand this worker jobs: wait for it before taking stock.
    await Promise.allSettled([this.#pumpDone, this.#reapDone]);
    const all = Promise.allSettled([...this.#running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([all, grace]);
    clearTimeout(timer);
    for (const run of this.#running.values()) run.abort.abort(this.#shutdown);
    await all;
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        while (!this.#stopping && this.#running.size < this.#deps.concurrency) {
          const jobs = await this.#claim(this.#deps.concurrency - this.#running.size);
          if (jobs.length === 0) break;
          for (const job of jobs) this.#start(job);
        }
      } while (this.#again && !this.#stopping);
    } finally {
      this.#pumping = false;
    }
  }

  async #claim(limit: number): Promise<JobRow[]> {
    const { write, dialect, leaseMs, clock, logger } = this.#deps;
    try {
      return await claimJobs(write, dialect, this.id, leaseMs, clock, limit, {
        perAccount: this.#deps.accountConcurrency,
      });
    } catch (error) {
      logger.error({ err: error }, 'claiming jobs failed');
      return [];
    }
  }

  #start(job: JobRow): void {
    const abort = new AbortController();
    const done = this.#execute(job, abort).finally(() => {
      this.#running.delete(job.id);
      this.wake();
    });
    this.#running.set(job.id, { abort, done });
  }

  async #execute(job: JobRow, abort: AbortController): Promise<void> {
    const deps = this.#deps;
    const heartbeat = setInterval(
      () => {
        renewLease(deps.write, job, deps.leaseMs, deps.clock)
          .then((held) => {
            if (!held) abort.abort(new Error('The job lease was lost.'));
          })
          .catch((error: unknown) =>
            deps.logger.warn({ err: error, jobId: job.id }, 'lease renewal failed'),
          );
      },
      Math.max(50, Math.floor(deps.leaseMs / 3)),
    );
    try {
      const action = deps.registry.action(job.action_id);
      if (!action) {
        await settleFailed(
          deps.write,
          job,
          {
            code: 'EXECUTION_FAILED',
            message: `Action '${job.action_id}' is no longer installed.`,
          },
          deps.clock,
        );
        deps.onSettled(job.id);
        return;
      }
      const outcome = await runAttempt(deps, job, action, abort.signal);
      // A success that beat the shutdown is kept; an attempt the shutdown cut short is not a
      // failure of the job, so it is handed back rather than settled.
      if (!outcome.ok && outcome.interrupted && abort.signal.reason === this.#shutdown) {
        await this.#release(job, action.definition.id, outcome.executionMs);
        return;
      }
      if (outcome.ok) {
        const settled = await settleSucceeded(
          deps.write,
          job,
          outcome.data,
          outcome.executionMs,
          deps.clock,
          outcome.files,
        );
        if (settled) {
          deps.onSettled(job.id, {
            actionId: job.action_id,
            outcome: 'completed',
            code: 'OK',
            executionMs: outcome.executionMs,
          });
        }
        return;
      }
      const { error } = outcome;
      if (retries(error, job, action.definition)) {
        const delay = Math.max(backoffMs(job.attempts), error.retryAfterMs ?? 0);
        await requeue(deps.write, job, delay, error.message, deps.clock);
        deps.logger.info(
          { jobId: job.id, attempt: job.attempts, delay, code: error.jobCode },
          'job will retry',
        );
        return;
      }
      const settled = await settleFailed(
        deps.write,
        job,
        {
          code: error.jobCode,
          message: error.message,
          executionMs: outcome.executionMs,
          files: outcome.files,
          ...(error.jobCode === 'AUTH_EXPIRED' ? { expireCredential: 'session_rejected' } : {}),
        },
        deps.clock,
      );
      if (settled) {
        deps.onSettled(job.id, {
          actionId: job.action_id,
          outcome: 'failed',
          code: error.jobCode,
          executionMs: outcome.executionMs,
        });
      }
    } catch (error) {
      deps.logger.error(
        { err: error, jobId: job.id },
        'settling a job failed; its lease will lapse',
      );
    } finally {
      clearInterval(heartbeat);
    }
  }

  /**
   * Hands back a job whose attempt the shutdown aborted. The attempt counts (it ran, and may
   * have done part of its work), like a crashed worker's: with attempts left the job is queued
   * to run again at once; on its last attempt it fails and is refunded, as the reaper would.
   */
  async #release(job: JobRow, actionId: string, executionMs: number): Promise<void> {
    const deps = this.#deps;
    if (job.attempts < job.max_attempts) {
      if (await release(deps.write, job, deps.clock)) {
        deps.logger.info({ jobId: job.id, attempt: job.attempts }, 'job released on shutdown');
      }
      return;
    }
    const failure = {
      code: 'EXECUTION_FAILED',
      message: 'The worker shut down during the last attempt; no attempts are left.',
      executionMs,
    };
    if (await settleFailed(deps.write, job, failure, deps.clock)) {
      deps.onSettled(job.id, { actionId, outcome: 'failed', code: failure.code, executionMs });
    }
  }

  /** Requeues or fails jobs whose worker stopped renewing their lease. */
  async #reap(): Promise<void> {
    const { db, write, clock, logger } = this.#deps;
    try {
      for (const job of await expiredLeases(db, clock)) {
        if (this.#running.has(job.id)) continue;
        if (job.attempts < job.max_attempts) {
          await requeue(
            write,
            job,
            backoffMs(job.attempts),
            'The worker running this job stopped; retrying.',
            clock,
            'reclaimed',
          );
        } else if (
          await settleFailed(
            write,
            job,
            {
              code: 'EXECUTION_FAILED',
              message: 'The worker running this job stopped and no attempts are left.',
              onlyIfLeaseLapsed: true,
            },
            clock,
          )
        ) {
          this.#deps.onSettled(job.id);
        }
      }
    } catch (error) {
      logger.error({ err: error }, 'reaping expired leases failed');
    }
    // Fast-polling (test) workers prune sooner; production ones once a minute.
    if (
      clock.now().getTime() - this.#prunedAt >=
      Math.min(PRUNE_EVERY_MS, this.#deps.pollMs * 20)
    ) {
      this.#prunedAt = clock.now().getTime();
      try {
        const pruned = await pruneKeys(write, clock);
        if (pruned > 0) logger.debug({ pruned }, 'expired idempotency keys deleted');
        if (this.#deps.retentionMs > 0) {
          const cutoff = new Date(clock.now().getTime() - this.#deps.retentionMs).toISOString();
          const expired = await pruneExpired(write, cutoff);
          if (expired.jobs + expired.deliveries > 0) {
            logger.info(
              { ...expired, cutoff },
              'settled jobs and deliveries past retention deleted',
            );
          }
        }
      } catch (error) {
        logger.error({ err: error }, 'pruning expired keys, jobs or deliveries failed');
      }
    }
  }
}
