// The terminal and retry transitions of a running job. Each is one transaction fenced by the
// attempt number: a failed job's refund commits together with its failure, exactly once, and
// a terminal state's files and webhook deliveries commit with it (none when the fence is lost).
import { type Kysely, sql } from 'kysely';

import { refund } from '../ledger/index.js';
import type { ActionError, JobFile } from '../runtime/index.js';
import {
  type Clock,
  type Database,
  isoAfter,
  isoNow,
  type JobRow,
  toJson,
  type Writer,
} from '../store/index.js';
import { withoutWebhookTargets } from '../webhooks/index.js';
import { expireCredential, queueJobEvent } from './job-events.js';
import { insertJobFiles } from './job-files.repo.js';
import { appendJobLog, type JobLogEntry, jobLogInsertIf } from './job-log.js';

type Attempt = Pick<
  JobRow,
  'id' | 'attempts' | 'account_id' | 'credits_reserved' | 'credential_id'
>;

/**
 * Whether a failed attempt is tried again: a transient failure with attempts left. A timeout
 * is final unless the action opted in (`retryOnTimeout`): a slow site may be slow again, and
 * a write that timed out may have happened.
 */
export function retries(
  error: Pick<ActionError, 'retry' | 'jobCode'>,
  job: Pick<JobRow, 'attempts' | 'max_attempts'>,
  action: { retryOnTimeout?: boolean } = {},
): boolean {
  const transient =
    error.retry === 'retry' || (error.jobCode === 'TIMEOUT' && action.retryOnTimeout === true);
  return transient && job.attempts < job.max_attempts;
}

/**
 * Records a result and the files the attempt attached. False when the attempt no longer holds
 * the job (lease lost, cancelled); then nothing, files included, is written.
 */
export async function settleSucceeded(
  write: Writer,
  job: Attempt,
  data: Record<string, unknown>,
  executionMs: number,
  clock: Clock,
  files: readonly JobFile[] = [],
): Promise<boolean> {
  const logged = (stored: readonly { name: string }[]): JobLogEntry => ({
    jobId: job.id,
    attempt: job.attempts,
    kind: 'succeeded',
    message: `Completed in ${executionMs} ms.`,
    ...(stored.length > 0 ? { data: { files: stored.map((f) => f.name) } } : {}),
  });
  const result = {
    status: 'succeeded' as const,
    data: toJson(data),
    credits_used: job.credits_reserved,
    execution_ms: executionMs,
    completed_at: isoNow(clock),
    lease_until: null,
    error_code: null,
    error_message: null,
  };
  // Every write of this attempt's result is fenced by its attempt number.
  const fenced = (db: Kysely<Database>) =>
    db
      .updateTable('jobs')
      .set(result)
      .where('id', '=', job.id)
      .where('attempts', '=', job.attempts)
      .where('status', '=', 'running');
  // The common case: no files to store and no webhook event to queue, so the job's update and
  // its log line are all there is. Anything else, or a lost fence, makes that update change
  // nothing and takes the full path, which tells them apart.
  const quiet = files.length === 0;
  if (quiet && write.statement) {
    // PostgreSQL: one statement, its own transaction.
    const { rows } = await sql<{ id: string }>`
      with settled as (${fenced(write.statement).where(withoutWebhookTargets).returning('id')}),
      logged as (${jobLogInsertIf('settled', [logged([])], clock)})
      select id from settled`.execute(write.statement);
    if (rows.length === 1) return true;
  }
  return write(async (trx) => {
    if (quiet && !write.statement) {
      const settled = await fenced(trx).where(withoutWebhookTargets).executeTakeFirst();
      if (Number(settled.numUpdatedRows) === 1) {
        await appendJobLog(trx, logged([]), clock);
        return true;
      }
    }
    const settled = await fenced(trx).returningAll().executeTakeFirst();
    if (!settled) return false;
    const stored = await insertJobFiles(trx, job.id, files, clock);
    await queueJobEvent(trx, settled, clock, stored);
    await appendJobLog(trx, logged(stored), clock);
    return true;
  });
}

export interface Failure {
  code: string;
  message: string;
  /** Mark the job's credential expired with this reason (the site rejected the login). */
  expireCredential?: string;
  executionMs?: number;
  /** Files that show the failure (a browser action's last page), stored with it. */
  files?: readonly JobFile[];
  /**
   * Only if the attempt's lease has lapsed (a reaper): it may have been renewed since the
   * reaper saw it lapse, and a live attempt keeps its job.
   */
  onlyIfLeaseLapsed?: boolean;
}

/**
 * Fails a job and refunds it in the same transaction. `fromStatus` guards the transition:
 * a running attempt passes its number, a reaper passes the lapsed attempt it saw.
 */
export async function settleFailed(
  write: Writer,
  job: Attempt,
  failure: Failure,
  clock: Clock,
  fromStatus: 'running' | 'queued' = 'running',
): Promise<boolean> {
  return write(async (trx) => {
    const settled = await trx
      .updateTable('jobs')
      .set({
        status: 'failed',
        error_code: failure.code,
        error_message: failure.message,
        credits_used: 0,
        execution_ms: failure.executionMs ?? null,
        completed_at: isoNow(clock),
        lease_until: null,
      })
      .where('id', '=', job.id)
      .where('attempts', '=', job.attempts)
      .where('status', '=', fromStatus)
      .$if(failure.onlyIfLeaseLapsed === true, (qb) => qb.where('lease_until', '<', isoNow(clock)))
      .returningAll()
      .executeTakeFirst();
    if (!settled) return false;
    const stored = await insertJobFiles(trx, job.id, failure.files ?? [], clock);
    const refunded = await refund(trx, job.account_id, job.id, clock);
    await appendJobLog(
      trx,
      {
        jobId: job.id,
        attempt: job.attempts,
        kind: failure.code === 'CANCELLED' ? 'cancelled' : 'failed',
        message: `${failure.code}: ${failure.message}`,
        data: { refunded, ...(stored.length > 0 ? { files: stored.map((f) => f.name) } : {}) },
      },
      clock,
    );
    if (failure.expireCredential && job.credential_id) {
      await expireCredential(trx, job, job.credential_id, failure.expireCredential, clock);
    }
    await queueJobEvent(trx, settled, clock, stored);
    return true;
  });
}

/**
 * Puts a running job back in the queue to try again after `delayMs`: a failed attempt worth
 * retrying (`retry`), or one whose worker died (`reclaimed`). A reclaim happens only if the
 * lease is still lapsed: a late heartbeat may have renewed it since the reaper looked, and a
 * live attempt keeps its job.
 */
export async function requeue(
  write: Writer,
  job: Attempt,
  delayMs: number,
  message: string,
  clock: Clock,
  kind: 'retry' | 'reclaimed' = 'retry',
): Promise<boolean> {
  return write(async (trx) => {
    const result = await trx
      .updateTable('jobs')
      .set({
        status: 'queued',
        run_at: isoAfter(delayMs, clock),
        lease_until: null,
        worker_id: null,
        error_message: message,
      })
      .where('id', '=', job.id)
      .where('attempts', '=', job.attempts)
      .where('status', '=', 'running')
      .$if(kind === 'reclaimed', (qb) => qb.where('lease_until', '<', isoNow(clock)))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return false;
    await appendJobLog(
      trx,
      {
        jobId: job.id,
        attempt: job.attempts,
        kind,
        message: `${message} Next attempt in ${Math.round(delayMs / 100) / 10} s.`,
      },
      clock,
    );
    return true;
  });
}

/**
 * Hands a running job back to the queue, due at once, when its worker shuts down mid-attempt.
 * The attempt stays counted (it ran), so a job that keeps being cut short still ends; the
 * caller fails the job instead when this was its last attempt.
 */
export async function release(write: Writer, job: Attempt, clock: Clock): Promise<boolean> {
  return write(async (trx) => {
    const result = await trx
      .updateTable('jobs')
      .set({
        status: 'queued',
        run_at: isoNow(clock),
        lease_until: null,
        worker_id: null,
        error_message: 'The worker shut down during the attempt.',
      })
      .where('id', '=', job.id)
      .where('attempts', '=', job.attempts)
      .where('status', '=', 'running')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return false;
    await appendJobLog(
      trx,
      {
        jobId: job.id,
        attempt: job.attempts,
        kind: 'released',
        message: `The worker shut down during attempt ${job.attempts}; the job went back to the queue.`,
      },
      clock,
    );
    return true;
  });
}

/** The longest wait before a retry: 5 minutes. */
export const BACKOFF_CAP_MS = 300_000;

/**
 * Capped exponential backoff with "equal jitter": after failed attempt n the base is
 * 1 s · 2^(n−1), at most 5 minutes, and the wait is drawn from [base/2, base], so retries of
 * jobs that failed together spread out yet never come sooner than half the base.
 */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(0, attempt - 1), 30);
  const base = Math.min(BACKOFF_CAP_MS, 1000 * 2 ** exponent);
  return Math.round(base / 2 + (base / 2) * random());
}
