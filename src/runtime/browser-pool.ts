// The browser pool: one Chromium (local, launched lazily, or remote) shared by every job, a
// fresh guarded context per job, and a cap on the contexts open at once.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';

import { chromium, type Browser, type BrowserContext } from 'playwright-core';

import { type AddressGuard, createAddressGuard } from './address-guard.js';
import { createStandInCerts, type StandInCerts } from './browser-cert.js';
import { startBrowserProxy, type BrowserProxy } from './browser-proxy.js';
import { createMappedOrigins } from './browser-proxy-mapped.js';
import { abortReason, Slots } from './browser-slots.js';
import type {
  BrowserContextHandle,
  BrowserPoolOptions,
  BrowserPoolStats,
  BrowserProvider,
  NewContextOptions,
} from './browser.types.js';
import type { StorageState } from './credential.types.js';
import { ActionError, CancelledError, ExecutionError, TransientError } from './errors.js';
import { DEFAULT_USER_AGENT } from './http-client.js';

/** Flags from the library notes: no GPU or sandbox in containers, nothing phoning home,
 * and no traffic that could leave outside the proxy (QUIC, WebRTC's direct UDP). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
];
/** Playwright honours this to drop `<-loopback>`, which would let pages reach loopback. */
const LOOPBACK_ESCAPE = 'PLAYWRIGHT_DISABLE_FORCED_CHROMIUM_PROXIED_LOOPBACK';
/** A hung browser must not hold a slot (or shutdown) forever. */
const CLOSE_TIMEOUT_MS = 10_000;

export class BrowserPool implements BrowserProvider {
  readonly #opts: BrowserPoolOptions;
  readonly #guard: AddressGuard;
  readonly #slots: Slots;
  readonly #handles = new Set<ContextHandle>();
  #certs: StandInCerts | undefined;
  #browser: Promise<Browser> | undefined;
  #launchProxy: Promise<BrowserProxy> | undefined;
  #launches = 0;
  #refused = 0;
  #closed = false;

  constructor(opts: BrowserPoolOptions) {
    this.#opts = opts;
    this.#guard = createAddressGuard(opts.guard, opts.lookup ? { lookup: opts.lookup } : {});
    this.#slots = new Slots(opts.size);
  }

  get stats(): BrowserPoolStats {
    let refused = this.#refused;
    for (const handle of this.#handles) refused += handle.refused;
    return {
      launches: this.#launches,
      active: this.#handles.size,
      waiting: this.#slots.waiting,
      refused,
    };
  }

  /** A fresh context for one job, once a slot is free; launches Chromium on first use. */
  async newContext(options: NewContextOptions = {}): Promise<BrowserContextHandle> {
    if (this.#closed) throw new CancelledError('The browser pool is shutting down.');
    const { signal } = options;
    await this.#slots.acquire(signal);
    let proxy: BrowserProxy | undefined;
    let pending: Promise<BrowserContext> | undefined;
    try {
      const browser = await untilAborted(this.#connected(), signal);
      this.#certs ??= createStandInCerts();
      const originMap = options.originMap ?? new Map<string, string>();
      // One proxy per context: it knows this job's origin map and counts its refusals.
      proxy = await startBrowserProxy({
        guard: this.#guard,
        ...(this.#opts.lookup ? { lookup: this.#opts.lookup } : {}),
        ...(this.#opts.onRefused ? { onRefused: this.#opts.onRefused } : {}),
        ...(originMap.size > 0 ? { mapped: createMappedOrigins(originMap, this.#certs) } : {}),
      });
      pending = browser.newContext({
        proxy: { server: proxy.url },
        ...(options.storageState ? { storageState: playwrightState(options.storageState) } : {}),
        // Service workers fetch outside the page; blocking them keeps every request visible.
        serviceWorkers: 'block',
        userAgent: DEFAULT_USER_AGENT,
        acceptDownloads: false,
      });
      const context = await untilAborted(pending, signal);
      // close() may have run meanwhile; it could not see this context yet.
      if (this.#closed) throw new CancelledError('The browser pool is shutting down.');
      const handle = new ContextHandle(context, proxy, () => this.#release(handle));
      this.#handles.add(handle);
      return handle;
    } catch (error) {
      // Given up on while still being created: close it whenever it does appear.
      pending?.then((context) => context.close()).catch(() => undefined);
      await proxy?.close();
      this.#slots.release();
      if (error instanceof ActionError || signal?.aborted) throw error;
      // Typically the browser died between launch and this call: worth another attempt.
      throw new TransientError(`The browser could not open a context: ${firstLine(error)}`);
    }
  }

  /** Closes every context and the browser; waiting jobs fail. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#slots.rejectAll(new CancelledError('The browser pool is shutting down.'));
    await Promise.all([...this.#handles].map((handle) => handle.dispose()));
    const browser = await this.#browser?.catch(() => undefined);
    await withTimeout(browser?.close().catch(() => undefined));
    await (await this.#launchProxy?.catch(() => undefined))?.close();
  }

  #release(handle: ContextHandle): void {
    this.#refused += handle.refused;
    this.#handles.delete(handle);
    this.#slots.release();
  }

  /** The shared browser, (re)launched when there is none or the last one went away. */
  #connected(): Promise<Browser> {
    if (this.#closed)
      return Promise.reject(new CancelledError('The browser pool is shutting down.'));
    if (this.#browser) return this.#browser;
    const launched: Promise<Browser> = this.#start().then(
      (browser) => {
        this.#launches += 1;
        // A crash or a dropped remote connection: the next job launches a new one.
        browser.once('disconnected', () => {
          if (this.#browser === launched) this.#browser = undefined;
        });
        return browser;
      },
      (error: unknown) => {
        if (this.#browser === launched) this.#browser = undefined;
        throw error;
      },
    );
    this.#browser = launched;
    return launched;
  }

  async #start(): Promise<Browser> {
    // Read here, not from config: it is Playwright's own switch, read from this process.
    if (process.env[LOOPBACK_ESCAPE]) {
      throw new ExecutionError(
        `Refusing to start the browser: ${LOOPBACK_ESCAPE} is set, which would let pages reach loopback addresses without the address guard.`,
      );
    }
    const timeout = this.#opts.launchTimeoutMs ?? 30_000;
    const { wsEndpoint, executablePath } = this.#opts;
    if (wsEndpoint) {
      try {
        return await chromium.connect(wsEndpoint, { timeout });
      } catch (error) {
        throw new TransientError(
          `Could not connect to the remote browser at ${redact(wsEndpoint)}: ${firstLine(error)}`,
        );
      }
    }
    try {
      await access(executablePath, constants.X_OK);
    } catch {
      throw new ExecutionError(
        `Chromium is not installed at ${executablePath}; install it with \`apt-get install -y chromium\` or set TASKWIRE_CHROMIUM_PATH / TASKWIRE_BROWSER_WS_ENDPOINT`,
      );
    }
    this.#certs ??= createStandInCerts();
    // Contexts bring their own proxies; this map-less one covers anything outside them.
    this.#launchProxy ??= startBrowserProxy({
      guard: this.#guard,
      ...(this.#opts.lookup ? { lookup: this.#opts.lookup } : {}),
    });
    const launchProxy = await this.#launchProxy;
    try {
      return await chromium.launch({
        executablePath,
        headless: true,
        timeout,
        // Only this process's stand-in key: see browser-proxy-mapped.ts.
        args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${this.#certs.spkiHash}`],
        proxy: { server: launchProxy.url },
      });
    } catch (error) {
      throw new TransientError(`Chromium could not be started: ${firstLine(error)}`);
    }
  }
}

/** One job's context and its proxy; disposing closes pages, context and proxy, once. */
class ContextHandle implements BrowserContextHandle {
  readonly context: BrowserContext;
  readonly #proxy: BrowserProxy;
  readonly #onDisposed: () => void;
  #disposing: Promise<void> | undefined;

  constructor(context: BrowserContext, proxy: BrowserProxy, onDisposed: () => void) {
    this.context = context;
    this.#proxy = proxy;
    this.#onDisposed = onDisposed;
  }

  get refused(): number {
    return this.#proxy.refused;
  }

  dispose(): Promise<void> {
    this.#disposing ??= (async () => {
      try {
        // Closing the context closes its pages with it, in one step: Playwright dismisses open
        // beforeunload dialogs, then has Chromium dispose the context, which runs no
        // beforeunload handlers. Closing each page first cost ~40 ms a job for nothing.
        await withTimeout(this.context.close().catch(() => undefined));
      } finally {
        await this.#proxy.close();
        this.#onDisposed();
      }
    })();
    return this.#disposing;
  }
}

/** Our storage state with Playwright's required fields filled in. */
function playwrightState(state: StorageState) {
  return {
    cookies: state.cookies.map((c) => ({
      name: c.name,
      value: c.value,
      domain: c.domain,
      path: c.path || '/',
      expires: c.expires ?? -1,
      httpOnly: c.httpOnly ?? false,
      secure: c.secure ?? false,
      sameSite: c.sameSite ?? ('Lax' as const),
    })),
    origins: state.origins,
  };
}

/** Waits for `work`, or stops waiting when `signal` aborts (the work itself carries on). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function withTimeout(work: Promise<unknown> | undefined): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)));
  await Promise.race([work, timeout]);
  clearTimeout(timer);
}

/** An endpoint may carry a token in its query string; messages never show it. */
function redact(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return 'the configured endpoint';
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
