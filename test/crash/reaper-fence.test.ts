// The reaper's fence, deterministically (both dialects): a reaper acts on a list of lapsed
// leases it read a moment ago. If the attempt's heartbeat renewed the lease in between (a late
// heartbeat, not a dead worker), the reclaim or the final failure must change nothing: a
// live attempt keeps its job, and is not run again or refunded behind its back.
import { afterEach, describe, expect, it } from 'vitest';

import { createAccount } from '../../src/accounts/index.js';
import { renewLease } from '../../src/engine/job.repo.js';
import { requeue, settleFailed } from '../../src/engine/settle.js';
import { systemClock } from '../../src/store/index.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { engineFor } from '../support/engines.js';

describe.each(DIALECTS)('reaper fence on %s', (dialect) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
    database = undefined;
  });

  it('a lapsed lease renewed before the reaper writes keeps its job', async () => {
    database = await createTestDatabase(dialect);
    const { db, write } = database.store;
    const engine = engineFor(database);
    const account = await createAccount(db, { name: 'a', credits: 10 });
    const submitted = await engine.submit({
      accountId: account.id,
      actionId: 'test_block',
      params: { key: 'fence', ms: 0 },
    });
    const past = new Date(Date.now() - 1000).toISOString();
    await db
      .updateTable('jobs')
      .set({ status: 'running', attempts: 3, worker_id: 'w', lease_until: past })
      .where('id', '=', submitted.id)
      .execute();
    // What the reaper read: attempt 3 (the last), lease lapsed.
    const seen = await db
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', submitted.id)
      .executeTakeFirstOrThrow();
    // The attempt's late heartbeat lands before the reaper's write.
    expect(await renewLease(write, seen, 30_000, systemClock)).toBe(true);

    const failure = { code: 'EXECUTION_FAILED', message: 'stopped', onlyIfLeaseLapsed: true };
    expect(await settleFailed(write, seen, failure, systemClock)).toBe(false);
    expect(await requeue(write, seen, 0, 'stopped', systemClock, 'reclaimed')).toBe(false);
    const after = await db
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', submitted.id)
      .executeTakeFirstOrThrow();
    expect(after).toMatchObject({ status: 'running', attempts: 3, worker_id: 'w' });
    const refunds = await db
      .selectFrom('ledger_entries')
      .select('kind')
      .where('job_id', '=', submitted.id)
      .where('kind', '=', 'refund')
      .execute();
    expect(refunds).toEqual([]);

    // Once the lease really lapses, the same reaper writes go through.
    await db
      .updateTable('jobs')
      .set({ lease_until: past })
      .where('id', '=', submitted.id)
      .execute();
    expect(await settleFailed(write, seen, failure, systemClock)).toBe(true);
    expect(
      await db
        .selectFrom('accounts')
        .select('balance')
        .where('id', '=', account.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ balance: 10 });
  });
});
