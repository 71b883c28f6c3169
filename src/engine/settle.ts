// The terminal and retry transitions of a running job. Each is one transaction fenced by the
// attempt number: a failed job's refund commits together with its failure, exactly once, and
// a terminal state's webhook deliveries commit with it (none when the fence is lost).
import { refund } from '../ledger/index.js';
import { type Clock, isoAfter, isoNow, type JobRow, toJson, type Writer } from '../store/index.js';
import { expireCredential, queueJobEvent } from './job-events.js';

type Attempt = Pick<
  JobRow,
  'id' | 'attempts' | 'account_id' | 'credits_reserved' | 'credential_id'
>;

/** Records a result. False when the attempt no longer holds the job (lease lost, cancelled). */
export async function settleSucceeded(
  write: Writer,
  job: Attempt,
  data: Record<string, unknown>,
  executionMs: number,
  clock: Clock,
): Promise<boolean> {
  return write(async (trx) => {
    const settled = await trx
      .updateTable('jobs')
      .set({
        status: 'succeeded',
        data: toJson(data),
        credits_used: job.credits_reserved,
        execution_ms: executionMs,
        completed_at: isoNow(clock),
        lease_until: null,
        error_code: null,
        error_message: null,
      })
      .where('id', '=', job.id)
      .where('attempts', '=', job.attempts)
      .where('status', '=', 'running')
      .returningAll()
      .executeTakeFirst();
    if (!settled) return false;
    await queueJobEvent(trx, settled, clock);
    return true;
  });
}

export interface Failure {
  code: string;
  message: string;
  /** Mark the job's credential expired with this reason (the site rejected the login). */
  expireCredential?: string;
  executionMs?: number;
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
      .returningAll()
      .executeTakeFirst();
    if (!settled) return false;
    await refund(trx, job.account_id, job.id, clock);
    if (failure.expireCredential && job.credential_id) {
      await expireCredential(trx, job, job.credential_id, failure.expireCredential, clock);
    }
    await queueJobEvent(trx, settled, clock);
    return true;
  });
}

/** Puts a running job back in the queue to try again after `delayMs`. */
export async function requeue(
  write: Writer,
  job: Attempt,
  delayMs: number,
  message: string,
  clock: Clock,
): Promise<boolean> {
  const result = await write((trx) =>
    trx
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
      .executeTakeFirst(),
  );
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Hands a running job back to the queue without counting the attempt: the worker is shutting
 * down, not failing. The next worker starts it afresh.
 */
export async function release(write: Writer, job: Attempt, clock: Clock): Promise<boolean> {
  const result = await write((trx) =>
    trx
      .updateTable('jobs')
      .set((eb) => ({
        status: 'queued',
        attempts: eb('attempts', '-', 1),
        run_at: isoNow(clock),
        lease_until: null,
        worker_id: null,
      }))
      .where('id', '=', job.id)
      .where('attempts', '=', job.attempts)
      .where('status', '=', 'running')
      .executeTakeFirst(),
  );
  return Number(result.numUpdatedRows) === 1;
}

/** Capped exponential backoff with jitter: ~1 s, 2 s, 4 s ... at most 5 minutes. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(300_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + (base / 2) * random());
}
