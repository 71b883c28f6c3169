// A counting semaphore with a FIFO queue whose waiters can give up through an AbortSignal;
// it caps the browser contexts open at once.
import { CancelledError } from './errors.js';

interface Waiter {
  grant(): void;
  fail(error: Error): void;
}

export class Slots {
  #free: number;
  readonly #queue: Waiter[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  /** Jobs waiting for a slot now. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Resolves once a slot is held; rejects with the signal's reason if it aborts first. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.#free > 0) {
      this.#free -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#queue.indexOf(waiter);
        if (index !== -1) this.#queue.splice(index, 1);
        reject(abortReason(signal!));
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        fail: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      this.#queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Hands the slot to the longest waiter, or frees it. */
  release(): void {
    const next = this.#queue.shift();
    if (next) next.grant();
    else this.#free += 1;
  }

  /** Fails every waiter (shutdown). */
  rejectAll(error: Error): void {
    for (const waiter of this.#queue.splice(0)) waiter.fail(error);
  }
}

/** The caller's abort reason when it is an Error, else a plain cancellation. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new CancelledError();
}
