// Cancelling jobs on both dialects: queued and running jobs fail as CANCELLED with one refund,
// the attempt is aborted (at once in-process, at the next heartbeat from elsewhere), and a
// cancel racing a completion leaves exactly one terminal state.
import { afterEach, describe, expect, it } from 'vitest';

import { createAccount } from '../../src/accounts/index.js';
import { CANCELLED_MESSAGE, type Engine } from '../../src/engine/index.js';
import { settleFailed, settleSucceeded } from '../../src/engine/settle.js';
import { AppError } from '../../src/errors/index.js';
import { balanceOf, reconcile } from '../../src/ledger/index.js';
import { systemClock } from '../../src/store/index.js';
import { waits } from '../fixtures/catalogs/test-catalog.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { engineFor, until } from '../support/engines.js';

describe.each(DIALECTS)('cancelling jobs on %s', (dialect) => {
  let database: TestDatabase;
  const engines: Engine[] = [];
  const start = (overrides: Parameters<typeof engineFor>[1] = {}) => {
    const engine = engineFor(database, overrides);
    engines.push(engine);
    return engine;
  };
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.stop(1000)));
    await database?.drop();
  });

  const ledgerOf = (jobId: string) =>
    database.store.db
      .selectFrom('ledger_entries')
      .select(['kind', 'amount'])
      .where('job_id', '=', jobId)
      .orderBy('kind')
      .execute();
  const rowOf = (jobId: string) =>
    database.store.db
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', jobId)
      .executeTakeFirstOrThrow();
  const rejection = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  };

  it('fails a queued job as CANCELLED and refunds it exactly once', async () => {
    database = await createTestDatabase(dialect);
    const engine = start();
    const account = await createAccount(database.store.db, { name: 'a', credits: 10 });
    const job = await engine.submit({
      accountId: account.id,
      actionId: 'test_flaky',
      params: { key: `${dialect}-queued`, failures: 0 },
    });
    expect(await balanceOf(database.store.db, account.id)).toBe(7);

    const cancelled = await engine.cancel(account.id, job.id);
    expect(cancelled).toMatchObject({
      status: 'failed',
      error_code: 'CANCELLED',
      error_message: CANCELLED_MESSAGE,
      credits_used: 0,
    });
    const again = await rejection(engine.cancel(account.id, job.id));
    expect(again).toMatchObject({ code: 'CONFLICT', status: 409 });
    expect(again.message).toBe('Job is already failed.');

    expect(await ledgerOf(job.id)).toEqual([
      { kind: 'debit', amount: -3 },
      { kind: 'refund', amount: 3 },
    ]);
    expect(await balanceOf(database.store.db, account.id)).toBe(10);
    expect(await reconcile(database.store.db)).toEqual([]);
  });

  it('aborts the running attempt of its own worker at once and keeps the cancel', async () => {
    database = await createTestDatabase(dialect);
    // A 30 s lease heartbeats every 10 s: an abort within a second is the direct one.
    const engine = start({ leaseMs: 30_000 });
    engine.startWorker();
    const account = await createAccount(database.store.db, { name: 'a', credits: 10 });
    const key = `${dialect}-running-local`;
    const job = await engine.submit({
      accountId: account.id,
      actionId: 'test_wait',
      params: { key, ms: 20_000 },
    });
    await until(() => waits.get(key) === 'started');

    await engine.cancel(account.id, job.id);
    await until(() => waits.get(key) === 'aborted', 1000);
    await until(() => engine.activeJobs() === 0, 1000);

    expect(await rowOf(job.id)).toMatchObject({ status: 'failed', error_code: 'CANCELLED' });
    expect((await ledgerOf(job.id)).map((e) => e.kind)).toEqual(['debit', 'refund']);
    expect(await balanceOf(database.store.db, account.id)).toBe(10);
  });

  it('stops an attempt in another process at its next heartbeat', async () => {
    database = await createTestDatabase(dialect);
    const worker = start({ leaseMs: 300 });
    const api = start();
    worker.startWorker();
    const account = await createAccount(database.store.db, { name: 'a', credits: 10 });
    const key = `${dialect}-running-remote`;
    const job = await api.submit({
      accountId: account.id,
      actionId: 'test_wait',
      params: { key, ms: 20_000 },
    });
    await until(() => waits.get(key) === 'started');

    await api.cancel(account.id, job.id);
    await until(() => waits.get(key) === 'aborted', 2000);
    await until(() => worker.activeJobs() === 0, 1000);
    // The worker's own settle found the job terminal and changed nothing.
    expect(await rowOf(job.id)).toMatchObject({
      status: 'failed',
      error_code: 'CANCELLED',
      error_message: CANCELLED_MESSAGE,
    });
    expect((await ledgerOf(job.id)).map((e) => e.kind)).toEqual(['debit', 'refund']);
    expect(await reconcile(database.store.db)).toEqual([]);
  });

  it('lets exactly one of a cancel and a settling attempt win, refunding at most once', async () => {
    database = await createTestDatabase(dialect);
    const { db, write } = database.store;
    const engine = start();
    const account = await createAccount(db, { name: 'a', credits: 1000 });
    for (let i = 0; i < 30; i += 1) {
      const job = await engine.submit({
        accountId: account.id,
        actionId: 'test_flaky',
        params: { key: `${dialect}-race-${i}`, failures: 0 },
      });
      // The attempt the worker would hold: running, attempt 1.
      await db
        .updateTable('jobs')
        .set({ status: 'running', attempts: 1, worker_id: 'w' })
        .where('id', '=', job.id)
        .execute();
      const attempt = { ...job, attempts: 1 };
      // Half the attempts succeed, half fail (and would refund too); the order of the
      // two calls alternates, so either may reach the database first.
      const settle = () =>
        i % 2 === 0
          ? settleSucceeded(write, attempt, { attempts: 1 }, 5, systemClock)
          : settleFailed(write, attempt, { code: 'EXECUTION_FAILED', message: 'x' }, systemClock);
      const cancel = () => engine.cancel(account.id, job.id);
      let settling: Promise<boolean>;
      let cancelling: Promise<unknown>;
      if (i % 4 < 2) {
        settling = settle();
        cancelling = cancel();
      } else {
        cancelling = cancel();
        settling = settle();
      }
      const [settled, cancelled] = await Promise.allSettled([settling, cancelling]);

      expect(settled.status).toBe('fulfilled');
      const settleWon = (settled as PromiseFulfilledResult<boolean>).value;
      expect(cancelled.status).toBe(settleWon ? 'rejected' : 'fulfilled');
      const row = await rowOf(job.id);
      const refunds = (await ledgerOf(job.id)).filter((e) => e.kind === 'refund');
      if (settleWon) {
        expect((cancelled as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT' });
        expect(row.status).toBe(i % 2 === 0 ? 'succeeded' : 'failed');
        expect(row.error_code).toBe(i % 2 === 0 ? null : 'EXECUTION_FAILED');
        expect(refunds).toHaveLength(i % 2 === 0 ? 0 : 1);
      } else {
        expect(row).toMatchObject({ status: 'failed', error_code: 'CANCELLED' });
        expect(refunds).toHaveLength(1);
      }
    }
    expect(await reconcile(db)).toEqual([]);
  });

  it('refuses to cancel a finished job (409) and hides other accounts’ jobs (404)', async () => {
    database = await createTestDatabase(dialect);
    const engine = start();
    engine.startWorker();
    const owner = await createAccount(database.store.db, { name: 'a', credits: 10 });
    const other = await createAccount(database.store.db, { name: 'b', credits: 10 });
    const job = await engine.submit({
      accountId: owner.id,
      actionId: 'test_echo',
      params: { message: 'done' },
    });
    expect((await engine.waitForJob(owner.id, job.id, 10_000)).status).toBe('succeeded');

    const finished = await rejection(engine.cancel(owner.id, job.id));
    expect(finished).toMatchObject({ code: 'CONFLICT', message: 'Job is already completed.' });
    const foreign = await rejection(engine.cancel(other.id, job.id));
    expect(foreign).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    const unknown = await rejection(engine.cancel(owner.id, crypto.randomUUID()));
    expect(unknown).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(await rowOf(job.id)).toMatchObject({ status: 'succeeded' });
    expect(await balanceOf(database.store.db, owner.id)).toBe(9);
  });
});
