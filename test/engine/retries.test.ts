// Retries: the backoff between attempts (exponential, capped, jittered within known bounds),
// which failures are retried, and timeouts retried only by actions that opt in with
// `retryOnTimeout`, proven end to end on both dialects.
import pino from 'pino';
import { Type } from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';

import { createAccount } from '../../src/accounts/index.js';
import { createRegistry, defineAction, defineCatalog } from '../../src/actions/index.js';
import { backoffMs, createEngine, type Engine } from '../../src/engine/index.js';
import { BACKOFF_CAP_MS, retries } from '../../src/engine/settle.js';
import { balanceOf, reconcile } from '../../src/ledger/index.js';
import {
  ActionTimeoutError,
  BlockedError,
  ExecutionError,
  InvalidTargetError,
} from '../../src/runtime/index.js';
import { systemClock } from '../../src/store/index.js';
import { createVault } from '../../src/vault/index.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';

describe('backoffMs', () => {
  it('doubles per attempt from 1 s, the wait drawn between half the base and the base', () => {
    for (let attempt = 1; attempt <= 8; attempt += 1) {
      const base = 1000 * 2 ** (attempt - 1);
      expect(backoffMs(attempt, () => 0)).toBe(base / 2);
      expect(backoffMs(attempt, () => 0.5)).toBe(Math.round(base * 0.75));
      expect(backoffMs(attempt, () => 0.999_999)).toBeLessThanOrEqual(base);
      expect(backoffMs(attempt, () => 0.999_999)).toBeGreaterThan(base * 0.99);
    }
  });

  it('never waits longer than the cap, nor less than half of it, however many attempts', () => {
    expect(BACKOFF_CAP_MS).toBe(300_000);
    for (const attempt of [10, 20, 50, 1_000, Number.MAX_SAFE_INTEGER]) {
      expect(backoffMs(attempt, () => 0)).toBe(BACKOFF_CAP_MS / 2);
      expect(backoffMs(attempt, () => 0.999_999)).toBeLessThanOrEqual(BACKOFF_CAP_MS);
    }
    // Attempt 10 is the first whose base (512 s) is past the cap.
    expect(backoffMs(9, () => 0)).toBe(128_000);
    expect(backoffMs(10, () => 0)).toBe(150_000);
  });

  it('stays within its bounds for any draw, and with the real random source', () => {
    const draws = [0, 1e-9, 0.1, 0.25, 0.5, 0.75, 0.9, 1 - 1e-9];
    for (let attempt = 0; attempt <= 12; attempt += 1) {
      const base = Math.min(BACKOFF_CAP_MS, 1000 * 2 ** Math.max(0, attempt - 1));
      for (const draw of draws) {
        const wait = backoffMs(attempt, () => draw);
        expect(wait).toBeGreaterThanOrEqual(base / 2);
        expect(wait).toBeLessThanOrEqual(base);
      }
      for (let i = 0; i < 50; i += 1) {
        const wait = backoffMs(attempt);
        expect(wait).toBeGreaterThanOrEqual(base / 2);
        expect(wait).toBeLessThanOrEqual(base);
      }
    }
  });
});

describe('retries', () => {
  const first = { attempts: 1, max_attempts: 3 };
  const last = { attempts: 3, max_attempts: 3 };
  const timeout = new ActionTimeoutError('The action did not finish within 100 ms.');

  it('retries transient failures while attempts are left', () => {
    expect(retries(new BlockedError('Blocked.'), first)).toBe(true);
    expect(retries(new BlockedError('Blocked.'), last)).toBe(false);
  });

  it('never retries permanent failures', () => {
    expect(retries(new ExecutionError('Bad markup.'), first, { retryOnTimeout: true })).toBe(false);
    expect(retries(new InvalidTargetError('Gone.'), first, { retryOnTimeout: true })).toBe(false);
  });

  it('retries a timeout only for an action that opts in, and only while attempts are left', () => {
    expect(retries(timeout, first)).toBe(false);
    expect(retries(timeout, first, { retryOnTimeout: false })).toBe(false);
    expect(retries(timeout, first, { retryOnTimeout: true })).toBe(true);
    expect(retries(timeout, last, { retryOnTimeout: true })).toBe(false);
  });
});

/** Attempts seen per key by the actions below. */
const seen = new Map<string, number>();

/** Hangs past its 150 ms budget on its first attempt, answers at once on the next. */
const slowOnce = (id: string, retryOnTimeout: boolean) =>
  defineAction({
    id,
    name: id,
    description: 'Times out on its first attempt only.',
    tags: ['test'],
    authMode: 'none',
    credits: 2,
    timeoutMs: 150,
    maxAttempts: 2,
    ...(retryOnTimeout ? { retryOnTimeout } : {}),
    params: Type.Object({ key: Type.String() }, { additionalProperties: false }),
    output: Type.Object({ attempt: Type.Integer() }),
    run: async ({ params, attempt, signal }) => {
      seen.set(params.key, attempt);
      if (attempt === 1) {
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      }
      return { attempt };
    },
  });

const registry = createRegistry(
  [
    defineCatalog({
      slug: 'retrytest',
      name: 'Retry test',
      url: 'https://retry.invalid',
      domain: 'retry.invalid',
      category: 'testing',
      description: 'Actions for the retry tests.',
      logoUrl: '/static/logos/test.svg',
      authTypes: ['token'],
      actions: [slowOnce('retry_timeout_opt_in', true), slowOnce('retry_timeout_default', false)],
    }),
  ],
  { originOverrides: new Map(), disabledActions: new Set() },
);

describe.each(DIALECTS)('timeouts on %s', (dialect) => {
  let database: TestDatabase;
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.stop(0);
    engine = undefined;
    await database?.drop();
  });

  async function setUp() {
    database = await createTestDatabase(dialect);
    const { db, write, notifier } = database.store;
    engine = createEngine({
      db,
      write,
      notifier,
      dialect,
      registry,
      vault: createVault({ db, master: { id: 'test', key: Buffer.alloc(32, 7) } }),
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      guard: { allowPrivate: false, allowCidrs: [] },
      maxResponseBytes: 1_000_000,
      requestTimeoutMs: 5_000,
      concurrency: 4,
      accountConcurrency: 100,
      retentionMs: 0,
      leaseMs: 30_000,
      pollMs: 50,
      idempotencyTtlMs: 86_400_000,
      webhooks: { retryBaseMs: 50, retryCapMs: 200, giveUpMs: 2_000 },
    });
    engine.startWorker();
    const account = await createAccount(db, { name: 'a', credits: 10 });
    const kinds = async (jobId: string) =>
      (
        await db
          .selectFrom('job_log')
          .select(['kind', 'message'])
          .where('job_id', '=', jobId)
          .orderBy('id')
          .execute()
      ).map((e) => e.kind);
    return { db, account, kinds };
  }

  it('retries a timed-out attempt when the action opts in', async () => {
    const { db, account, kinds } = await setUp();
    const key = `${dialect}-opt-in`;
    const job = await engine!.submit({
      accountId: account.id,
      actionId: 'retry_timeout_opt_in',
      params: { key },
    });
    const done = await engine!.waitForJob(account.id, job.id, 20_000);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(seen.get(key)).toBe(2);
    expect(await kinds(job.id)).toEqual(['submitted', 'started', 'retry', 'started', 'succeeded']);
    expect(await balanceOf(db, account.id)).toBe(8);
    expect(await reconcile(db)).toEqual([]);
  });

  it('fails a timed-out attempt at once by default, and refunds it', async () => {
    const { db, account, kinds } = await setUp();
    const key = `${dialect}-default`;
    const job = await engine!.submit({
      accountId: account.id,
      actionId: 'retry_timeout_default',
      params: { key },
    });
    const done = await engine!.waitForJob(account.id, job.id, 20_000);
    expect(done).toMatchObject({ status: 'failed', attempts: 1, error_code: 'TIMEOUT' });
    expect(seen.get(key)).toBe(1);
    expect(await kinds(job.id)).toEqual(['submitted', 'started', 'failed']);
    expect(await balanceOf(db, account.id)).toBe(10);
    expect(await reconcile(db)).toEqual([]);
  });
});
