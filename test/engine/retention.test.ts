// Retention, on both dialects: settled jobs past the retention period are deleted with their
// logs and webhook deliveries (whose payloads hold job data); the ledger that charged and
// refunded them stays.
import { afterEach, describe, expect, it } from 'vitest';

import { createAccount } from '../../src/accounts/index.js';
import type { Engine } from '../../src/engine/index.js';
import { reconcile } from '../../src/ledger/index.js';
import { systemClock } from '../../src/store/index.js';
import { createWebhooks, enqueueEvent } from '../../src/webhooks/index.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { engineFor, until } from '../support/engines.js';

describe.each(DIALECTS)('retention on %s', (dialect) => {
  let database: TestDatabase;
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.stop(0);
    await database?.drop();
  });

  it('deletes settled jobs and their logs past the period, keeping the ledger', async () => {
    database = await createTestDatabase(dialect);
    const { db } = database.store;
    const account = await createAccount(db, { name: 'a', credits: 10 });
    engine = engineFor(database, { retentionMs: 200 });
    const queued = await engine.submit({
      accountId: account.id,
      actionId: 'test_wait',
      params: { key: `${dialect}-ret`, ms: 60_000 },
    });
    engine.startWorker();
    const job = await engine.submit({
      accountId: account.id,
      actionId: 'test_echo',
      params: { message: 'old' },
    });
    await until(async () => (await engine!.job(account.id, job.id)).status === 'succeeded');
    await until(
      async () =>
        (await db.selectFrom('jobs').select('id').where('id', '=', job.id).executeTakeFirst()) ===
        undefined,
      10_000,
    );
    expect(
      await db.selectFrom('job_log').select('id').where('job_id', '=', job.id).execute(),
    ).toEqual([]);
    const ledger = await db
      .selectFrom('ledger_entries')
      .select('kind')
      .where('job_id', '=', job.id)
      .execute();
    expect(ledger.map((e) => e.kind)).toEqual(['debit']);
    // A job still running is never pruned, however old.
    expect(
      await db.selectFrom('jobs').select('id').where('id', '=', queued.id).executeTakeFirst(),
    ).toBeDefined();
    expect(await reconcile(db)).toEqual([]);
  });

  it('deletes finished webhook deliveries and their tries past the period, keeping pending ones', async () => {
    database = await createTestDatabase(dialect);
    const { db, write } = database.store;
    const account = await createAccount(db, { name: 'a', credits: 10 });
    // An endpoint the address guard refuses at send time (created past the API's check), so
    // each delivery fails for good on its first try, leaving a try on record.
    const webhooks = createWebhooks({ db, write, clock: systemClock, checkTarget: () => {} });
    await webhooks.createEndpoint(account.id, {
      url: 'http://127.0.0.2:9/hook',
      events: ['job.completed', 'credential.expired'],
    });
    const accountEvent = (waiting: boolean) =>
      write(async (trx) => {
        await enqueueEvent(
          trx,
          {
            accountId: account.id,
            event: 'credential.expired',
            payload: { event: 'credential.expired', waiting },
          },
          systemClock,
        );
        // A delivery waiting for its next try, from long ago: still owed to its receiver.
        if (waiting) {
          await trx
            .updateTable('webhook_deliveries')
            .set({
              created_at: '2000-01-01T00:00:00.000Z',
              next_attempt_at: '2999-01-01T00:00:00.000Z',
            })
            .where('status', '=', 'pending')
            .where('job_id', 'is', null)
            .execute();
        }
      });
    await accountEvent(true);
    await accountEvent(false);

    engine = engineFor(database, { retentionMs: 200 });
    engine.startWorker();
    const job = await engine.submit({
      accountId: account.id,
      actionId: 'test_echo',
      params: { message: 'hooked' },
    });
    const deliveries = () =>
      db.selectFrom('webhook_deliveries').select(['id', 'job_id', 'status', 'payload']).execute();
    // Each finished delivery was tried (and failed) before it went.
    await until(
      async () => (await db.selectFrom('webhook_attempts').select('id').execute()).length >= 2,
    );
    await until(
      async () =>
        (await db.selectFrom('jobs').select('id').where('id', '=', job.id).executeTakeFirst()) ===
          undefined && (await deliveries()).length === 1,
      10_000,
    );
    const [kept] = await deliveries();
    expect(kept).toMatchObject({ job_id: null, status: 'pending' });
    expect(JSON.parse(kept!.payload)).toMatchObject({ waiting: true });
    expect(await db.selectFrom('webhook_attempts').select('id').execute()).toEqual([]);
    expect(await reconcile(db)).toEqual([]);
  });
});
