// The browser pool's lifecycle with a real Chromium: lazy launch, the context cap, abortable
// waits, disposal whatever the action does (through the engine's runAttempt), a clear error
// when Chromium is missing, relaunch after a crash, and the <-loopback> launch assertion.
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import {
  createRegistry,
  defineAction,
  defineCatalog,
  type ActionContext,
  type RegisteredAction,
} from '../../src/actions/index.js';
import { runAttempt, type AttemptDeps } from '../../src/engine/run-attempt.js';
import {
  BrowserPool,
  createJobBrowser,
  ExecutionError,
  type BrowserContext,
  type OpenCredential,
} from '../../src/runtime/index.js';
import type { Database, JobRow } from '../../src/store/index.js';
import { startWebSite, type WebSite } from '../fixtures/sites/web/site.js';
import { describeBrowser, GUARD, testPool } from './chromium.js';

const REAL = 'https://www.example.org';
const MISSING = '/nonexistent/chromium';

/** Resolves after `ms`, to tell "still pending" from "settled". */
const later = <T>(ms: number, value: T) => new Promise<T>((r) => setTimeout(() => r(value), ms));

describe('browser pool without Chromium', () => {
  it('fails with a clear ExecutionError when the executable is missing, not a crash', async () => {
    const pool = new BrowserPool({ executablePath: MISSING, size: 1, guard: GUARD });
    const attempt = pool.newContext({});
    await expect(attempt).rejects.toBeInstanceOf(ExecutionError);
    await expect(attempt).rejects.toThrow(
      `Chromium is not installed at ${MISSING}; install it with \`apt-get install -y chromium\` or set TASKWIRE_CHROMIUM_PATH / TASKWIRE_BROWSER_WS_ENDPOINT`,
    );
    // The slot was given back: a second job gets the same answer instead of waiting forever.
    await expect(pool.newContext({})).rejects.toBeInstanceOf(ExecutionError);
    expect(pool.stats).toMatchObject({ launches: 0, active: 0, waiting: 0 });
    await pool.close();
  });

  it('never launches for an action that does not touch ctx.browser', async () => {
    const pool = new BrowserPool({ executablePath: MISSING, size: 1, guard: GUARD });
    const session = createJobBrowser(pool, {});
    await session.dispose();
    expect(pool.stats.launches).toBe(0);
    await expect(session.browser.newPage()).rejects.toThrow(/after the attempt ended/);
    await pool.close();
  });

  it('refuses to launch when PLAYWRIGHT_DISABLE_FORCED_CHROMIUM_PROXIED_LOOPBACK is set', async () => {
    const pool = new BrowserPool({ executablePath: MISSING, size: 1, guard: GUARD });
    process.env.PLAYWRIGHT_DISABLE_FORCED_CHROMIUM_PROXIED_LOOPBACK = '1';
    try {
      await expect(pool.newContext({})).rejects.toThrow(
        /PLAYWRIGHT_DISABLE_FORCED_CHROMIUM_PROXIED_LOOPBACK is set/,
      );
    } finally {
      delete process.env.PLAYWRIGHT_DISABLE_FORCED_CHROMIUM_PROXIED_LOOPBACK;
      await pool.close();
    }
  });
});

describeBrowser('browser pool', () => {
  let pool: BrowserPool;
  afterEach(async () => pool?.close());

  it('caps the contexts open at once; the next job gets the first slot freed', async () => {
    pool = testPool({ size: 2 });
    const [a, b] = await Promise.all([pool.newContext({}), pool.newContext({})]);
    const third = pool.newContext({});
    expect(await Promise.race([third.then(() => 'opened'), later(300, 'waiting')])).toBe('waiting');
    expect(pool.stats).toMatchObject({ active: 2, waiting: 1, launches: 1 });
    await a.dispose();
    const c = await third;
    expect(pool.stats).toMatchObject({ active: 2, waiting: 0 });
    await Promise.all([b.dispose(), c.dispose(), a.dispose()]);
    expect(pool.stats.active).toBe(0);
  });

  it('gives up a wait for a slot when the job is aborted', async () => {
    pool = testPool({ size: 1 });
    const held = await pool.newContext({});
    const abort = new AbortController();
    const waiting = pool.newContext({ signal: abort.signal });
    await later(50, null);
    expect(pool.stats.waiting).toBe(1);
    abort.abort(new ExecutionError('cancelled by the test'));
    await expect(waiting).rejects.toThrow('cancelled by the test');
    expect(pool.stats).toMatchObject({ waiting: 0, active: 1 });
    await held.dispose();
  });

  it('relaunches Chromium on the next use after it crashed', async () => {
    pool = testPool({ size: 1 });
    const first = await pool.newContext({});
    const browser = first.context.browser()!;
    const gone = new Promise((resolve) => browser.once('disconnected', resolve));
    const cdp = await browser.newBrowserCDPSession();
    await cdp.send('Browser.crash').catch(() => undefined);
    await gone;
    await first.dispose();
    const second = await pool.newContext({});
    const page = await second.context.newPage();
    await page.setContent('<title>alive</title>');
    expect(await page.title()).toBe('alive');
    expect(pool.stats.launches).toBe(2);
    await second.dispose();
  });
});

describeBrowser('ctx.browser in an attempt', () => {
  let site: WebSite;
  let pool: BrowserPool;

  beforeAll(async () => {
    site = await startWebSite({ host: '127.0.0.2' });
    pool = testPool({ size: 1 });
  });
  afterAll(async () => {
    await pool.close();
    await site.close();
  });

  /** Registers a one-action catalog mapped to the stand-in, as the engine would see it. */
  function browserAction(
    run: (ctx: ActionContext<Record<string, unknown>>) => Promise<unknown>,
    timeoutMs = 20_000,
  ): RegisteredAction {
    const action = defineAction({
      id: 'test_browser',
      name: 'Browser test',
      description: 'Opens a page.',
      tags: [],
      authMode: 'optional',
      credits: 1,
      timeoutMs,
      params: Type.Object({}),
      output: Type.Object({ cookie: Type.String() }),
      run: run as never,
    });
    const catalog = defineCatalog({
      slug: 'browser-test',
      name: 'Browser test',
      url: REAL,
      domain: 'example.org',
      category: 'test',
      description: 'Test catalog.',
      logoUrl: '/x.svg',
      authTypes: ['browser_state'],
      actions: [action],
    });
    const registry = createRegistry([catalog], {
      originOverrides: new Map([['browser-test', site.origin]]),
      disabledActions: new Set(),
    });
    return registry.action('test_browser')!;
  }

  function attempt(action: RegisteredAction, credential?: OpenCredential) {
    const deps: AttemptDeps = {
      db: {} as Kysely<Database>,
      vault: { open: async () => credential! },
      guard: GUARD,
      maxResponseBytes: 1_000_000,
      requestTimeoutMs: 5_000,
      browser: pool,
      log: () => undefined,
    };
    const job = {
      id: 'job-1',
      params: '{}',
      attempts: 1,
      credential_id: credential ? 'cred-1' : null,
    } as JobRow;
    return runAttempt(deps, job, action, new AbortController().signal);
  }

  it("sends the credential's cookie to the stand-in from a page the action opens", async () => {
    const action = browserAction(async (ctx) => {
      const page = await ctx.browser.newPage();
      await page.goto(`${REAL}/echo`);
      const echo = JSON.parse((await page.textContent('body')) ?? '{}');
      return { cookie: String(echo.headers.cookie) };
    });
    const outcome = await attempt(action, {
      type: 'browser_state',
      state: {
        cookies: [{ name: 'li_at', value: 'stored-login', domain: '.example.org', path: '/' }],
        origins: [],
      },
    });
    expect(outcome).toMatchObject({ ok: true, data: { cookie: 'li_at=stored-login' } });
    expect(pool.stats.active).toBe(0);
  });

  it('closes pages and the context when the action throws', async () => {
    let context: BrowserContext | undefined;
    let closed = false;
    const action = browserAction(async (ctx) => {
      context = await ctx.browser.context();
      context.once('close', () => (closed = true));
      await (await ctx.browser.newPage()).goto(`${REAL}/article`);
      throw new Error('markup changed');
    });
    const outcome = await attempt(action);
    expect(outcome).toMatchObject({ ok: false, error: { jobCode: 'EXECUTION_FAILED' } });
    // runAttempt disposes before it returns, so the context is already gone.
    expect(closed).toBe(true);
    expect(context!.pages()).toHaveLength(0);
    expect(pool.stats.active).toBe(0);
  });

  it('closes the context of an action that overruns its time budget', async () => {
    let context: BrowserContext | undefined;
    let closed = false;
    const action = browserAction(async (ctx) => {
      context = await ctx.browser.context();
      context.once('close', () => (closed = true));
      await ctx.browser.newPage();
      return new Promise(() => undefined);
    }, 1_500);
    const outcome = await attempt(action);
    expect(outcome).toMatchObject({ ok: false, error: { jobCode: 'TIMEOUT' } });
    expect(closed).toBe(true);
    expect(context!.pages()).toHaveLength(0);
    expect(pool.stats.active).toBe(0);
  });
});
