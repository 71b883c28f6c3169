// A time budget joined with the caller's AbortSignal, telling afterwards which one stopped us.
import { TimeoutError } from './errors.js';

/** setTimeout's largest delay; a longer budget simply never fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Deadline {
  /** Aborts when the caller's signal does or the budget runs out. */
  readonly signal: AbortSignal;
  /** Milliseconds left (Infinity without a budget), never negative. */
  remaining(): number;
  /**
   * What a failure inside the budget should become: the caller's abort reason, a
   * TimeoutError when the time ran out, or the error itself.
   */
  settle(error: unknown, jobId?: string): unknown;
  /** Stops the timer and lets go of the caller's signal. */
  dispose(): void;
}

/** Starts a budget of `timeoutMs` (Infinity for none) under `outer`. */
export function startDeadline(timeoutMs: number, outer?: AbortSignal): Deadline {
  const controller = new AbortController();
  const endsAt = Date.now() + timeoutMs;
  let expired = false;
  const onAbort = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) onAbort();
  else outer?.addEventListener('abort', onAbort, { once: true });
  const timer =
    timeoutMs <= MAX_TIMER_MS
      ? setTimeout(
          () => {
            expired = true;
            controller.abort(new TimeoutError(timeoutMs));
          },
          Math.max(0, timeoutMs),
        )
      : undefined;
  return {
    signal: controller.signal,
    remaining: () => Math.max(0, endsAt - Date.now()),
    settle(error, jobId) {
      if (outer?.aborted) return outer.reason as unknown;
      if (expired) return new TimeoutError(timeoutMs, jobId);
      return error;
    },
    dispose() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    },
  };
}
