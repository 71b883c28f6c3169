// Graceful shutdown on both dialects: stopping a worker ends claiming at once, answers pending
// waits with the job as it stands, lets running jobs finish within the grace period, and hands
// back (queued again, or failed and refunded on its last attempt) what overruns it.
import { afterEach, describe, expect, it } from 'vitest';

import { createAccount } from '../../src/accounts/index.js';
import type { Engine } from '../../src/engine/index.js';
import { balanceOf, reconcile } from '../../src/ledger/index.js';
import { runLog, waits } from '../fixtures/catalogs/test-catalog.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { engineFor, until } from '../support/engines.js';

/** The `test_block` events of one key, as [attempt, event]. */
const runsOf = (key: string) =>
  runLog.records.filter((r) => r.key === key).map((r) => [r.attempt, r.event]);

describe.each(DIALECTS)('graceful shutdown on %s', (dialect) => {
  let database: TestDatabase;
  const engines: Engine[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.stop(0)));
    await database?.drop();
  });

  async function setUp(credits = 20) {
    database = await createTestDatabase(dialect);
    const { db } = database.store;
    const account = await createAccount(db, { name: 'a', credits });
    const engine = engineFor(database);
    engines.push(engine);
    const row = (id: string) =>
      db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const logKinds = async (id: string) =>
      (
        await db
          .selectFrom('job_log')
          .select('kind')
          .where('job_id', '=', id)
          .orderBy('id')
          .execute()
      ).map((e) => e.kind);
    return { db, account, engine, row, logKinds };
  }

  it('lets a job that finishes within the grace period complete, neither released nor rerun', async () => {
    const { db, account, engine, row, logKinds } = await setUp();
    const key = `${dialect}-inside-grace`;
    engine.startWorker();
    const job = await engine.submit({
      accountId: account.id,
      actionId: 'test_block',
      params: { key, ms: 400 },
    });
    await until(() => runsOf(key).length > 0);
    await engine.stop(20_000);

    expect(await row(job.id)).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(runsOf(key)).toEqual([
      [1, 'start'],
      [1, 'done'],
    ]);
    expect(await logKinds(job.id)).not.toContain('released');
    expect(await balanceOf(db, account.id)).toBe(18);
    expect(await reconcile(db)).toEqual([]);
  });

  it('claims nothing once stopping, even while running jobs finish', async () => {
    const { account, engine, row } = await setUp();
    const key = `${dialect}-no-claims`;
    engine.startWorker();
    await engine.submit({
      accountId: account.id,
      actionId: 'test_block',
      params: { key, ms: 400 },
    });
    await until(() => runsOf(key).length > 0);
    const stopping = engine.stop(20_000);
    // Queued while the worker is still finishing its job: it must stay for another worker.
    const later = await engine.submit({
      accountId: account.id,
      actionId: 'test_block',
      params: { key: `${key}-later`, ms: 0 },
    });
    await stopping;
    expect(await row(later.id)).toMatchObject({ status: 'queued', attempts: 0, worker_id: null });
    expect(runsOf(`${key}-later`)).toEqual([]);
  });

  it('aborts a job that overruns the grace period and queues it again, attempt counted', async () => {
    const { db, account, engine, row, logKinds } = await setUp();
    const key = `${dialect}-overrun`;
    engine.startWorker();
    const job = await engine.submit({
      accountId: account.id,
      actionId: 'test_block',
      params: { key, ms: 10_000 },
    });
    await until(() => runsOf(key).length > 0);
    await engine.stop(100);

    expect(runsOf(key)).toEqual([
      [1, 'start'],
      [1, 'aborted'],
    ]);
    expect(await row(job.id)).toMatchObject({
      status: 'queued',
      attempts: 1,
      lease_until: null,
      worker_id: null,
    });
    expect((await logKinds(job.id)).at(-1)).toBe('released');
    // Still charged: the job is not over, only handed back.
    expect(await balanceOf(db, account.id)).toBe(18);

    // Due at once: the next worker starts it as attempt 2.
    const next = engineFor(database);
    engines.push(next);
    next.startWorker();
    await until(() => runsOf(key).some(([attempt]) => attempt === 2));
    await next.cancel(account.id, job.id);
    expect(await reconcile(db)).toEqual([]);
  });

  it('fails and refunds a job whose last attempt the shutdown cut short', async () => {
    const { db, account, engine, row, logKinds } = await setUp();
    const key = `${dialect}-last-attempt`;
    engine.startWorker();
    // test_wait allows one attempt.
    const job = await engine.submit({
      accountId: account.id,
      actionId: 'test_wait',
      params: { key, ms: 60_000 },
    });
    await until(() => waits.get(key) === 'started');
    await engine.stop(100);

    expect(waits.get(key)).toBe('aborted');
    expect(await row(job.id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      error_code: 'EXECUTION_FAILED',
      error_message: 'The worker shut down during the last attempt; no attempts are left.',
      credits_used: 0,
    });
    expect((await logKinds(job.id)).at(-1)).toBe('failed');
    expect(await balanceOf(db, account.id)).toBe(20);
    expect(await reconcile(db)).toEqual([]);
  });

  it('answers a pending long-poll with the job as it stands, before the grace period ends', async () => {
    const { account, engine } = await setUp();
    const key = `${dialect}-long-poll`;
    engine.startWorker();
    const job = await engine.submit({
      accountId: account.id,
      actionId: 'test_wait',
      params: { key, ms: 60_000 },
    });
    await until(() => waits.get(key) === 'started');
    const polling = engine.waitForJob(account.id, job.id, 60_000);
    const stopping = engine.stop(2000);
    // Left waiting, it would have been answered only once the abort failed the job.
    expect(await polling).toMatchObject({ id: job.id, status: 'running' });
    await stopping;
    // A wait that starts after the stop is answered at once, with the job as it is now.
    expect(await engine.waitForJob(account.id, job.id, 60_000)).toMatchObject({
      status: 'failed',
    });
  });

  it('answers the waits of an API-only engine (no worker) when it stops', async () => {
    const { account, engine } = await setUp();
    const job = await engine.submit({
      accountId: account.id,
      actionId: 'test_block',
      params: { key: `${dialect}-api-only`, ms: 0 },
    });
    const polling = engine.waitForJob(account.id, job.id, 60_000);
    await engine.stop(0);
    expect(await polling).toMatchObject({ id: job.id, status: 'queued' });
  });
});
