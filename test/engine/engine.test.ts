// The engine on both dialects: submission charges and enqueues in one transaction, each job is
// claimed once, results settle once, failures refund once, lapsed leases are reclaimed.
import { afterEach, describe, expect, it } from 'vitest';

import { createAccount } from '../../src/accounts/index.js';
import type { Engine } from '../../src/engine/index.js';
import { balanceOf, reconcile } from '../../src/ledger/index.js';
import { systemClock } from '../../src/store/index.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { engineFor } from '../support/engines.js';

async function settled(engine: Engine, accountId: string, id: string) {
  const job = await engine.waitForJob(accountId, id, 10_000);
  expect(['succeeded', 'failed']).toContain(job.status);
  return job;
}

describe.each(DIALECTS)('engine on %s', (dialect) => {
  let database: TestDatabase;
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.stop(1000);
    engine = undefined;
    await database?.drop();
  });

  it('accepts exactly the submissions the balance covers, under concurrency', async () => {
    database = await createTestDatabase(dialect);
    engine = engineFor(database);
    const account = await createAccount(database.store.db, { name: 'a', credits: 10 });
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        engine!.submit({
          accountId: account.id,
          actionId: 'test_echo',
          params: { message: `m${i}` },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    const jobs = await database.store.db.selectFrom('jobs').select('id').execute();
    expect(jobs).toHaveLength(10);
    expect(await balanceOf(database.store.db, account.id)).toBe(0);
    expect(await reconcile(database.store.db)).toEqual([]);
  });

  it('runs every job exactly once across concurrent workers', async () => {
    database = await createTestDatabase(dialect);
    const account = await createAccount(database.store.db, { name: 'a', credits: 200 });
    const submitter = engineFor(database);
    const ids: string[] = [];
    for (let i = 0; i < 40; i += 1) {
      ids.push(
        (
          await submitter.submit({
            accountId: account.id,
            actionId: 'test_flaky',
            params: { key: `${dialect}-once-${i}`, failures: 0 },
          })
        ).id,
      );
    }
    // Three engines sharing one database stand in for three worker processes.
    const workers = [engineFor(database), engineFor(database), engineFor(database)];
    for (const w of workers) w.startWorker();
    try {
      for (const id of ids) {
        const job = await settled(submitter, account.id, id);
        expect(job.status).toBe('succeeded');
        expect(job.attempts).toBe(1);
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop(1000)));
    }
    expect(await balanceOf(database.store.db, account.id)).toBe(200 - 40 * 3);
    expect(await reconcile(database.store.db)).toEqual([]);
  });

  it('fails a job whose output breaks its schema, naming the field, and refunds it', async () => {
    database = await createTestDatabase(dialect);
    engine = engineFor(database);
    engine.startWorker();
    const account = await createAccount(database.store.db, { name: 'a', credits: 5 });
    const job = await engine.submit({
      accountId: account.id,
      actionId: 'test_wrong_shape',
      params: {},
    });
    const done = await settled(engine, account.id, job.id);
    expect(done.status).toBe('failed');
    expect(done.error_code).toBe('EXECUTION_FAILED');
    expect(done.error_message).toContain('/count');
    expect(await balanceOf(database.store.db, account.id)).toBe(5);
  });

  it('reclaims a job whose worker stopped renewing its lease and runs it again', async () => {
    database = await createTestDatabase(dialect);
    const { db } = database.store;
    const account = await createAccount(db, { name: 'a', credits: 10 });
    engine = engineFor(database, { leaseMs: 200 });
    const job = await engine.submit({
      accountId: account.id,
      actionId: 'test_flaky',
      params: { key: `${dialect}-lease`, failures: 0 },
    });
    // A dead worker: the job is running with a lease that has already lapsed.
    await db
      .updateTable('jobs')
      .set({
        status: 'running',
        attempts: 1,
        worker_id: 'dead',
        lease_until: new Date(Date.now() - 1000).toISOString(),
      })
      .where('id', '=', job.id)
      .execute();
    engine.startWorker();
    const done = await settled(engine, account.id, job.id);
    expect(done.status).toBe('succeeded');
    expect(done.attempts).toBe(2);
    expect(await balanceOf(db, account.id)).toBe(7);
  });

  it('fails and refunds, once, a lapsed job with no attempts left', async () => {
    database = await createTestDatabase(dialect);
    const { db } = database.store;
    const account = await createAccount(db, { name: 'a', credits: 10 });
    engine = engineFor(database, { leaseMs: 200 });
    const job = await engine.submit({
      accountId: account.id,
      actionId: 'test_slow',
      params: { ms: 1 },
    });
    await db
      .updateTable('jobs')
      .set({
        status: 'running',
        attempts: 1,
        worker_id: 'dead',
        lease_until: new Date(Date.now() - 1000).toISOString(),
      })
      .where('id', '=', job.id)
      .execute();
    const reapers = [
      engine,
      engineFor(database, { leaseMs: 200 }),
      engineFor(database, { leaseMs: 200 }),
    ];
    for (const r of reapers) r.startWorker();
    try {
      const done = await settled(engine, account.id, job.id);
      expect(done.status).toBe('failed');
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await Promise.all(reapers.slice(1).map((r) => r.stop(1000)));
    }
    const refunds = await db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('job_id', '=', job.id)
      .where('kind', '=', 'refund')
      .execute();
    expect(refunds).toHaveLength(1);
    expect(await balanceOf(db, account.id)).toBe(10);
  });

  it('ignores a stale attempt’s result once another attempt holds the job', async () => {
    database = await createTestDatabase(dialect);
    const { db } = database.store;
    const account = await createAccount(db, { name: 'a', credits: 10 });
    engine = engineFor(database);
    const job = await engine.submit({
      accountId: account.id,
      actionId: 'test_echo',
      params: { message: 'x' },
    });
    await db
      .updateTable('jobs')
      .set({ status: 'running', attempts: 2 })
      .where('id', '=', job.id)
      .execute();
    const { settleSucceeded } = await import('../../src/engine/settle.js');
    const stale = { ...job, attempts: 1 };
    expect(
      await settleSucceeded(database.store.write, stale, { message: 'stale' }, 5, systemClock),
    ).toBe(false);
    expect(
      (
        await db
          .selectFrom('jobs')
          .select('status')
          .where('id', '=', job.id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('running');
  });
});
