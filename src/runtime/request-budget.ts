// The time budget of one outgoing request (all hops and retries), paused while the request
// waits for its pacing turn: queueing behind other jobs is bounded by the job's own timeout,
// not charged to the network budget.

export interface RequestBudget {
  /** Aborts once the budget is spent. */
  readonly signal: AbortSignal;
  /** Time left, ms (frozen while paused). */
  remainingMs(): number;
  pause(): void;
  resume(): void;
  /** Stops the timer for good; call when the request is over. */
  clear(): void;
}

export function startBudget(totalMs: number): RequestBudget {
  const controller = new AbortController();
  let spent = 0;
  let since: number | undefined;
  let timer: NodeJS.Timeout | undefined;

  const resume = (): void => {
    if (since !== undefined || controller.signal.aborted) return;
    since = performance.now();
    timer = setTimeout(() => controller.abort(), Math.max(0, totalMs - spent));
  };
  const pause = (): void => {
    if (since === undefined) return;
    spent += performance.now() - since;
    since = undefined;
    clearTimeout(timer);
  };
  resume();

  return {
    signal: controller.signal,
    remainingMs: () =>
      Math.max(0, totalMs - spent - (since === undefined ? 0 : performance.now() - since)),
    pause,
    resume,
    clear: () => {
      clearTimeout(timer);
      since = undefined;
    },
  };
}
