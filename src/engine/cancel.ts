// Cancelling a job: a queued or running job becomes failed/CANCELLED and is refunded in one
// transaction (with its job.failed webhook deliveries), fenced by status, so a cancel and a
// completing attempt cannot both win.
import { conflict, notFound } from '../errors/index.js';
import { refund } from '../ledger/index.js';
import { type Clock, isoNow, type JobRow, type Writer } from '../store/index.js';
import { queueJobEvent } from './job-events.js';
import { appendJobLog } from './job-log.js';
import { findJob } from './job.repo.js';

/** What `GET /jobs/{id}` says about a cancelled job. */
export const CANCELLED_MESSAGE = 'The job was cancelled.';

/**
 * Cancels the caller's job and refunds it; returns the cancelled row. 404 for an unknown or
 * someone else's id, 409 when the job is already terminal. A running attempt is not stopped
 * here: every write it makes is fenced on `status = 'running'` and now changes nothing, and
 * its heartbeat finds the lease gone and aborts it (the engine also aborts a local one).
 */
export async function cancelJob(
  write: Writer,
  accountId: string,
  id: string,
  clock: Clock,
): Promise<JobRow> {
  return write(async (trx) => {
    // Whichever of this and a settle commits first wins: on PostgreSQL the loser's UPDATE
    // waits for the row lock and then re-checks the status; on SQLite writes are serialised.
    const cancelled = await trx
      .updateTable('jobs')
      .set({
        status: 'failed',
        error_code: 'CANCELLED',
        error_message: CANCELLED_MESSAGE,
        credits_used: 0,
        completed_at: isoNow(clock),
        lease_until: null,
      })
      .where('id', '=', id)
      .where('account_id', '=', accountId)
      .where('status', 'in', ['queued', 'running'])
      .returningAll()
      .executeTakeFirst();
    if (cancelled) {
      const refunded = await refund(trx, accountId, id, clock);
      await queueJobEvent(trx, cancelled, clock);
      await appendJobLog(
        trx,
        {
          jobId: id,
          attempt: cancelled.attempts,
          kind: 'cancelled',
          message: 'Cancelled by the account.',
          data: { refunded },
        },
        clock,
      );
      return cancelled;
    }
    const job = await findJob(trx, accountId, id);
    if (!job) throw notFound(`Job '${id}' not found.`);
    throw conflict(`Job is already ${job.status === 'succeeded' ? 'completed' : 'failed'}.`);
  });
}
