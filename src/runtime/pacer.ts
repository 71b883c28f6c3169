// Pacing shared by every job of the process: per site (host) and per identity (credential), a
// cap on requests in flight and a minimum gap between request starts, granted in FIFO order;
// plus the back-off a site asks for (429, Retry-After), which every job's next request obeys.
import { BlockedError } from './errors.js';
import { abortReason } from './http-failure.js';

/** One lane's rule: requests in flight at most, and the least time between two starts. */
export interface PaceLimit {
  concurrency: number;
  minGapMs: number;
}

/** The process-wide defaults (TASKWIRE_SITE_* and TASKWIRE_IDENTITY_*). */
export interface PacingLimits {
  site: PaceLimit;
  identity: PaceLimit;
}

/** What a catalog may tighten or loosen for its own requests (`pacing` on the catalog). */
export interface PacingOverrides {
  site?: Partial<PaceLimit>;
  identity?: Partial<PaceLimit>;
}

export interface PaceRequest {
  /** The real URL's host (`www.linkedin.com`), also when the bytes go to a stand-in. */
  site: string;
  /** The job's credential id; requests without one are paced per site only. */
  identity?: string;
  overrides?: PacingOverrides;
  /** Cancel or timeout of the job: stops waiting and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** A site back-off longer than this is not waited out: BlockedError, so the job retries later. */
  maxBackOffWaitMs?: number;
}

/** Call once the request is finished (its body read, or it failed). Safe to call twice. */
export type PaceRelease = () => void;

export interface Pacer {
  /** Waits for this request's turn on its site and identity lanes. */
  acquire(request: PaceRequest): Promise<PaceRelease>;
  /** Holds every request to `site` back for `ms` from now (a longer earlier one stands). */
  backOff(site: string, ms: number): void;
}

/** Longest back-off a site can impose: a far-future Retry-After must not shut it out for good. */
export const MAX_BACKOFF_MS = 3_600_000;
/** Idle lanes are forgotten after this, so one-off hosts (web_scrape) do not pile up. */
const SWEEP_EVERY_MS = 60_000;

interface Lane {
  active: number;
  /** Waiters that name this lane; a lane with any is kept. */
  waiting: number;
  lastStart: number;
  /** The latest time any grant's gap still covers; the lane may be forgotten after it. */
  holdUntil: number;
  /** Back-off end: no request starts before it. */
  notBefore: number;
}

interface Need {
  lane: Lane;
  limit: PaceLimit;
}

interface Waiter {
  site: string;
  needs: Need[];
  maxBackOffWaitMs: number;
  grant: (release: PaceRelease) => void;
  fail: (error: Error) => void;
}

/** Builds the process's one pacer; hand the same object to every job's HTTP client. */
export function createPacer(limits: PacingLimits): Pacer {
  const lanes = new Map<string, Lane>();
  const queue: Waiter[] = [];
  let timer: NodeJS.Timeout | undefined;
  let lastSweep = performance.now();

  function lane(key: string): Lane {
    let found = lanes.get(key);
    if (!found) {
      found = { active: 0, waiting: 0, lastStart: -Infinity, holdUntil: 0, notBefore: 0 };
      lanes.set(key, found);
    }
    return found;
  }

  function sweep(now: number): void {
    if (now - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = now;
    for (const [key, l] of lanes) {
      const idle = l.active === 0 && l.waiting === 0;
      if (idle && now >= l.holdUntil && now >= l.notBefore) lanes.delete(key);
    }
  }

  function leave(waiter: Waiter): void {
    const index = queue.indexOf(waiter);
    if (index !== -1) queue.splice(index, 1);
    for (const need of waiter.needs) need.lane.waiting -= 1;
  }

  function start(waiter: Waiter, now: number): void {
    leave(waiter);
    for (const { lane: l, limit } of waiter.needs) {
      l.active += 1;
      l.lastStart = now;
      l.holdUntil = Math.max(l.holdUntil, now + limit.minGapMs);
    }
    let released = false;
    waiter.grant(() => {
      if (released) return;
      released = true;
      for (const need of waiter.needs) need.lane.active -= 1;
      pump();
    });
  }

  /**
   * Starts every waiter whose lanes all have room and are past their gap and back-off. FIFO
   * per lane: once a waiter has to wait, nobody behind it on any of its lanes may overtake it,
   * so a busy lane cannot starve a request that also needs a quiet one.
   */
  function pump(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const now = performance.now();
    const claimed = new Set<Lane>();
    let wakeAt = Infinity;
    for (const waiter of [...queue]) {
      if (!waiter.needs.some((need) => claimed.has(need.lane))) {
        let full = false;
        let readyAt = now;
        let backOffEnd = 0;
        for (const { lane: l, limit } of waiter.needs) {
          if (l.active >= limit.concurrency) full = true;
          readyAt = Math.max(readyAt, l.lastStart + limit.minGapMs, l.notBefore);
          backOffEnd = Math.max(backOffEnd, l.notBefore);
        }
        if (backOffEnd - now > waiter.maxBackOffWaitMs) {
          const waitMs = Math.ceil(backOffEnd - now);
          leave(waiter);
          waiter.fail(
            new BlockedError(
              `${waiter.site} asked for a pause; its next request is allowed in ${Math.ceil(waitMs / 1000)} s.`,
              waitMs,
            ),
          );
          continue;
        }
        if (!full && readyAt <= now) {
          start(waiter, now);
          continue;
        }
        if (!full) wakeAt = Math.min(wakeAt, readyAt);
      }
      for (const need of waiter.needs) claimed.add(need.lane);
    }
    if (wakeAt !== Infinity) {
      // Timers may fire a little early against performance.now(); the next pump re-checks.
      timer = setTimeout(pump, Math.ceil(wakeAt - now) + 1);
    }
  }

  function acquire(request: PaceRequest): Promise<PaceRelease> {
    const { signal } = request;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    sweep(performance.now());
    const site: PaceLimit = { ...limits.site, ...request.overrides?.site };
    const needs: Need[] = [{ lane: lane(`site:${request.site}`), limit: site }];
    if (request.identity !== undefined) {
      const identity: PaceLimit = { ...limits.identity, ...request.overrides?.identity };
      needs.push({ lane: lane(`identity:${request.identity}`), limit: identity });
    }
    return new Promise<PaceRelease>((resolve, reject) => {
      const onAbort = (): void => {
        if (!queue.includes(waiter)) return;
        leave(waiter);
        reject(abortReason(signal!));
        // Lanes this waiter held up may now let the ones behind it go.
        pump();
      };
      const waiter: Waiter = {
        site: request.site,
        needs,
        maxBackOffWaitMs: request.maxBackOffWaitMs ?? Infinity,
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
        fail: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      for (const need of needs) need.lane.waiting += 1;
      queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      pump();
    });
  }

  function backOff(site: string, ms: number): void {
    if (!(ms > 0)) return;
    const l = lane(`site:${site}`);
    l.notBefore = Math.max(l.notBefore, performance.now() + Math.min(ms, MAX_BACKOFF_MS));
    pump();
  }

  return { acquire, backOff };
}
