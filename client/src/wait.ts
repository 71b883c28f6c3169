// Waiting for a job: long-poll `GET /jobs/{id}?wait=N`, or pace by `retry_after_ms` without it.
import type { Deadline } from './deadline.js';
import { sleep } from './retry.js';
import type { FinishedJob, JobBody } from './types.js';

/** Longest long-poll asked for at once: below Taskwire's 60 s and common proxy idle limits. */
export const MAX_WAIT_SECONDS = 30;
/** Poll interval when a processing answer carries no `retry_after_ms`. */
const DEFAULT_RETRY_AFTER_MS = 1_000;

/** Reads a job, long-polling up to `waitSeconds` when it is given. */
export type ReadJob<T> = (
  id: string,
  waitSeconds: number | undefined,
  signal: AbortSignal,
) => Promise<JobBody<T>>;

/**
 * Polls until the job is completed or failed. Rejects with the deadline signal's reason when
 * it aborts; the caller turns that into a TimeoutError or its own abort reason.
 */
export async function pollUntilFinished<T>(
  read: ReadJob<T>,
  id: string,
  deadline: Deadline,
): Promise<FinishedJob<T>> {
  for (;;) {
    // Whole seconds: every Wire server accepts them. Under a second left, a plain read.
    const waitSeconds = Math.min(MAX_WAIT_SECONDS, Math.floor(deadline.remaining() / 1000));
    const started = Date.now();
    const job = await read(id, waitSeconds > 0 ? waitSeconds : undefined, deadline.signal);
    if (job.status !== 'processing') return job;
    // A long-poll that ends well before its time means the server ignored `wait`: pace the
    // next read by the server's hint. The sleep ends early when the budget runs out.
    const answeredEarly = Date.now() - started < waitSeconds * 1000 * 0.9;
    if (waitSeconds === 0 || answeredEarly) {
      await sleep(job.retry_after_ms ?? DEFAULT_RETRY_AFTER_MS, deadline.signal);
    }
  }
}
