// Retention, on both dialects: settled jobs past the retention period are deleted with their
// logs; the ledger that charged and refunded them stays.
import { afterEach, describe, expect, it } from 'vitest';

import { createAccount } from '../../src/accounts/index.js';
import type { Engine } from '../../src/engine/index.js';
import { reconcile } from '../../src/ledger/index.js';
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
});
