// Retry policy: which statuses to retry, backoff with full jitter, Retry-After, abortable sleep.

/** First backoff ceiling; it doubles per retry up to `BACKOFF_CAP_MS`. */
export const BACKOFF_BASE_MS = 250;
export const BACKOFF_CAP_MS = 8_000;
/** A `Retry-After` longer than this is not waited out inside a call: the error is thrown. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Whether a response status is worth another try. 429 and 502–504 say "not now"; a 500 is
 * retried only on `POST /task`, where the contract promises nothing was charged and the
 * Idempotency-Key makes a second try safe anyway.
 */
export function isRetryableStatus(status: number, submit: boolean): boolean {
  if (status === 429 || status === 502 || status === 503 || status === 504) return true;
  return status === 500 && submit;
}

/** Full jitter: a uniformly random wait in [0, min(cap, base · 2^retry)). */
export function backoffMs(retry: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** retry));
}

/** `Retry-After` as milliseconds from `now`: delta seconds or an HTTP date; else undefined. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Waits `ms`; rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
