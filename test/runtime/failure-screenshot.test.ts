// The failure screenshot, taken by the engine's runAttempt for any browser action with a real
// Chromium: the page the action was on when it failed the job is captured before the context
// closes; not when the attempt will be retried or was taken away, nor for actions that never
// opened a page. A successful attempt hands on the files the action attached instead.
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import { afterAll, beforeAll, expect, it } from 'vitest';

import {
  type ActionContext,
  createRegistry,
  defineAction,
  defineCatalog,
  type RegisteredAction,
} from '../../src/actions/index.js';
import { type AttemptDeps, runAttempt } from '../../src/engine/run-attempt.js';
import {
  type BrowserPool,
  CancelledError,
  ExecutionError,
  TransientError,
} from '../../src/runtime/index.js';
import type { Database, JobRow } from '../../src/store/index.js';
import { startWebSite, type WebSite } from '../fixtures/sites/web/site.js';
import { describeBrowser, GUARD, testPool } from './chromium.js';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describeBrowser('failure screenshots in an attempt', () => {
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

  function registered(
    run: (ctx: ActionContext<Record<string, unknown>>) => Promise<unknown>,
    timeoutMs = 20_000,
  ): RegisteredAction {
    const action = defineAction({
      id: 'test_capture',
      name: 'Capture test',
      description: 'Opens pages and fails.',
      tags: [],
      authMode: 'none',
      credits: 1,
      timeoutMs,
      params: Type.Object({}),
      output: Type.Object({}),
      run: run as never,
    });
    const catalog = defineCatalog({
      slug: 'capture-test',
      name: 'Capture test',
      url: 'https://capture.invalid',
      domain: 'capture.invalid',
      category: 'test',
      description: 'Test catalog.',
      logoUrl: '/x.svg',
      authTypes: [],
      actions: [action],
    });
    const registry = createRegistry([catalog], {
      originOverrides: new Map(),
      disabledActions: new Set(),
    });
    return registry.action('test_capture')!;
  }

  function attempt(
    action: RegisteredAction,
    job: { attempts?: number; max_attempts?: number } = {},
    lease = new AbortController().signal,
  ) {
    const deps: AttemptDeps = {
      db: {} as Kysely<Database>,
      vault: { open: () => Promise.reject(new Error('no credential')) },
      guard: GUARD,
      maxResponseBytes: 1_000_000,
      requestTimeoutMs: 5_000,
      browser: pool,
      log: () => undefined,
    };
    const row = {
      id: 'job-1',
      params: '{}',
      attempts: job.attempts ?? 1,
      max_attempts: job.max_attempts ?? 1,
      credential_id: null,
    } as JobRow;
    return runAttempt(deps, row, action, lease);
  }

  /** Opens the article, then a second page (the one that should be captured), then throws. */
  const failsOnSecondPage = (error: Error) =>
    registered(async (ctx) => {
      await (await ctx.browser.newPage()).goto(`${site.origin}/article`);
      const last = await ctx.browser.newPage();
      await last.setViewportSize({ width: 400, height: 300 });
      await last.goto(`${site.origin}/bare`);
      throw error;
    });

  it('captures the last page opened when the failure fails the job', async () => {
    const outcome = await attempt(failsOnSecondPage(new ExecutionError('markup changed')));
    expect(outcome).toMatchObject({ ok: false, error: { jobCode: 'EXECUTION_FAILED' } });
    expect(outcome.files).toHaveLength(1);
    const [shot] = outcome.files;
    expect(shot).toMatchObject({ name: 'failure.png', contentType: 'image/png' });
    expect(shot!.bytes.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    // The second page's viewport: the capture is of the page the action was on last.
    expect([shot!.bytes.readUInt32BE(16), shot!.bytes.readUInt32BE(20)]).toEqual([400, 300]);
    expect(pool.stats.active).toBe(0);
  });

  it('captures nothing for a failure that will be retried, and captures the last attempt', async () => {
    const action = failsOnSecondPage(new TransientError('site hiccup'));
    const retried = await attempt(action, { attempts: 1, max_attempts: 3 });
    expect(retried).toMatchObject({ ok: false, error: { retry: 'retry' }, files: [] });
    const last = await attempt(action, { attempts: 3, max_attempts: 3 });
    expect(last.files.map((f) => f.name)).toEqual(['failure.png']);
  });

  it('captures the page an action was stuck on when it ran out of time', async () => {
    const action = registered(async (ctx) => {
      await (await ctx.browser.newPage()).goto(`${site.origin}/article`);
      return new Promise(() => undefined);
    }, 2_000);
    const outcome = await attempt(action);
    expect(outcome).toMatchObject({ ok: false, error: { jobCode: 'TIMEOUT' } });
    expect(outcome.files.map((f) => f.name)).toEqual(['failure.png']);
  });

  it('captures nothing when the attempt was taken away (cancelled)', async () => {
    const lease = new AbortController();
    const action = registered(async (ctx) => {
      await (await ctx.browser.newPage()).goto(`${site.origin}/article`);
      lease.abort(new CancelledError());
      return new Promise(() => undefined);
    });
    const outcome = await attempt(action, {}, lease.signal);
    expect(outcome).toMatchObject({ ok: false, error: { jobCode: 'CANCELLED' }, files: [] });
  });

  it('captures nothing when the action closed its pages or never opened one', async () => {
    const closed = registered(async (ctx) => {
      const page = await ctx.browser.newPage();
      await page.close();
      throw new ExecutionError('gave up');
    });
    expect((await attempt(closed)).files).toEqual([]);
    const httpOnly = registered(async () => {
      throw new ExecutionError('no browser here');
    });
    expect((await attempt(httpOnly)).files).toEqual([]);
  });

  it("hands on the action's own files when it succeeds", async () => {
    const action = registered(async (ctx) => {
      const page = await ctx.browser.newPage();
      await page.goto(`${site.origin}/article`);
      ctx.files.add('shot.png', 'image/png', await page.screenshot());
      return {};
    });
    const outcome = await attempt(action);
    expect(outcome.ok).toBe(true);
    expect(outcome.files.map((f) => [f.name, f.contentType])).toEqual([['shot.png', 'image/png']]);
  });
});
