// When one request is tried again inside its own time budget: idempotent methods only, after a
// network failure or a 502/503/504, a few times, with a short backoff. Longer outages are the
// engine's business (it requeues the job); this only rides out a blip.
import { TransientError } from './errors.js';

/** Tries after the first, by default. */
export const DEFAULT_REQUEST_RETRIES = 2;
/** First backoff; each later one is three times the one before (250 ms, 750 ms). */
const BASE_DELAY_MS = 250;
/** A site's Retry-After longer than this is left to the engine's requeue. */
const MAX_INLINE_RETRY_AFTER_MS = 5_000;
const RETRY_STATUSES = new Set([502, 503, 504]);
const IDEMPOTENT = new Set(['GET', 'HEAD']);

export interface RetryQuestion {
  error: unknown;
  method: string;
  /** Retries already made (0 after the first failure). */
  retriesDone: number;
  /** Retries allowed in all. */
  maxRetries: number;
  /** What is left of the request's time budget, ms. */
  remainingMs: number;
  /** The least time a retry needs to be worth starting, ms. */
  minAttemptMs: number;
}

/**
 * The wait before the next try, or undefined when the failure stands: a non-idempotent method,
 * retries used up, an error that is not transient, a status other than 502/503/504, a
 * Retry-After beyond a few seconds, or too little budget left for another try after the wait.
 */
export function retryDelayMs(q: RetryQuestion): number | undefined {
  if (!IDEMPOTENT.has(q.method) || q.retriesDone >= q.maxRetries) return undefined;
  if (!(q.error instanceof TransientError)) return undefined;
  const { status, retryAfterMs } = q.error;
  if (status !== undefined && !RETRY_STATUSES.has(status)) return undefined;
  if (retryAfterMs !== undefined && retryAfterMs > MAX_INLINE_RETRY_AFTER_MS) return undefined;
  const delay = Math.max(retryAfterMs ?? 0, BASE_DELAY_MS * 3 ** q.retriesDone);
  return q.remainingMs - delay >= q.minAttemptMs ? delay : undefined;
}
