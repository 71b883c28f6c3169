// `ctx.browser` for one attempt: the job's context is created on first use only (actions that
// never touch the browser never launch Chromium) and disposed by the engine afterwards. When
// the attempt fails, the engine first captures the page it was on (`screenshot()`).
import type {
  BrowserContextHandle,
  BrowserProvider,
  JobBrowser,
  NewContextOptions,
} from './browser.types.js';
import { ExecutionError } from './errors.js';

export interface JobBrowserSession {
  /** What the action is handed as `ctx.browser`. */
  browser: JobBrowser;
  /** Requests the address guard refused in this attempt's context. */
  readonly refused: number;
  /**
   * A PNG of the viewport of the most recently opened page still open, or undefined when
   * the attempt opened none (or it cannot be captured in time). Never throws.
   */
  screenshot(timeoutMs?: number): Promise<Buffer | undefined>;
  /** Closes the context if one was made; later `ctx.browser` calls fail. Never throws. */
  dispose(): Promise<void>;
}

/** Wraps the pool for one attempt; `provider` is undefined where no browser is configured. */
export function createJobBrowser(
  provider: BrowserProvider | undefined,
  options: NewContextOptions,
): JobBrowserSession {
  // Disposing must also stop a wait for a pool slot that nobody will use any more.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  let handle: Promise<BrowserContextHandle> | undefined;
  let settled: BrowserContextHandle | undefined;
  let disposed = false;

  function open(): Promise<BrowserContextHandle> {
    if (disposed) {
      return Promise.reject(
        new ExecutionError('The browser was used after the attempt ended; its context is closed.'),
      );
    }
    if (!provider) {
      return Promise.reject(
        new ExecutionError(
          'This Taskwire process has no browser pool, so browser actions cannot run.',
        ),
      );
    }
    handle ??= provider.newContext({ ...options, signal }).then((h) => (settled = h));
    return handle;
  }

  return {
    browser: {
      context: async () => (await open()).context,
      newPage: async () => (await open()).context.newPage(),
    },
    get refused() {
      return settled?.refused ?? 0;
    },
    async screenshot(timeoutMs = 5_000) {
      // Only a context that already exists: capturing must never launch a browser.
      const page = disposed ? undefined : settled?.context.pages().at(-1);
      if (!page) return undefined;
      return page.screenshot({ type: 'png', timeout: timeoutMs }).catch(() => undefined);
    },
    async dispose() {
      disposed = true;
      stop.abort();
      const opened = await handle?.catch(() => undefined);
      await opened?.dispose().catch(() => undefined);
    },
  };
}
