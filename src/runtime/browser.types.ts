// The browser an action is handed (`ctx.browser`) and the pool behind it.
import type { BrowserContext, Page } from 'playwright-core';

import type { ResolveHost } from './address-guard.js';
import type { StorageState } from './credential.types.js';
import type { AddressGuardOptions } from './http.types.js';

export type { BrowserContext, Page };

/** `ctx.browser`: one browser context per job, created on first use. */
export interface JobBrowser {
  /** Opens a page in the job's context (launching Chromium if nothing has yet). */
  newPage(): Promise<Page>;
  /** The job's context itself, for cookies, routes or several pages. */
  context(): Promise<BrowserContext>;
}

export interface BrowserPoolOptions {
  /** Local Chromium to launch (TASKWIRE_CHROMIUM_PATH). */
  executablePath: string;
  /** A remote Playwright browser server to use instead (TASKWIRE_BROWSER_WS_ENDPOINT). */
  wsEndpoint?: string;
  /** Browser contexts open at once; further jobs wait (TASKWIRE_BROWSER_POOL_SIZE). */
  size: number;
  /** The same address guard settings `ctx.http` uses. */
  guard: AddressGuardOptions;
  /** Replaces the system resolver in the guarded proxy (tests fake DNS with it). */
  lookup?: ResolveHost;
  /** Called for every request the guard refuses, with the target and the reason. */
  onRefused?: (target: string, reason: string) => void;
  /** Launch timeout, ms. */
  launchTimeoutMs?: number;
}

export interface NewContextOptions {
  /** The credential's Playwright storage state; cookies and localStorage use real origins. */
  storageState?: StorageState;
  /** Real origin → configured stand-in origin (the catalog's origin map). */
  originMap?: ReadonlyMap<string, string>;
  /** Gives up waiting for a free slot (or launching) when aborted. */
  signal?: AbortSignal;
}

/** One job's browser context; `dispose()` must run whatever happens. */
export interface BrowserContextHandle {
  readonly context: BrowserContext;
  /** Requests of this context the address guard refused so far. */
  readonly refused: number;
  /** Closes every page and the context, then frees the slot. Safe to call twice. */
  dispose(): Promise<void>;
}

/** What the engine needs of the pool: narrowed so tests can pass a fake. */
export interface BrowserProvider {
  newContext(options: NewContextOptions): Promise<BrowserContextHandle>;
}

export interface BrowserPoolStats {
  /** Times Chromium was launched or connected (a crash makes the next use relaunch). */
  launches: number;
  /** Contexts open now. */
  active: number;
  /** Jobs waiting for a slot. */
  waiting: number;
  /** Requests refused by the address guard, all contexts together. */
  refused: number;
}
