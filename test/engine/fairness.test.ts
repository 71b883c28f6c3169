// Sharing workers between accounts, on both dialects: a per-account cap on running jobs, and
// an account with one job is not starved by another's long queue.
import { afterEach, describe, expect, it } from 'vitest';

import { createAccount } from '../../src/accounts/index.js';
import type { Engine } from '../../src/engine/index.js';
import { allocate } from '../../src/engine/job.repo.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { engineFor, until } from '../support/engines.js';

describe('allocate', () => {
  it('gives least-busy accounts slots first, one per round, within the cap', () => {
    const shares = allocate(
      [
        { accountId: 'a', running: 2 },
        { accountId: 'b', running: 0 },
        { accountId: 'c', running: 1 },
      ],
      4,
      3,
    );
    expect(Object.fromEntries(shares)).toEqual({ b: 2, c: 1, a: 1 });
  });

  it('never exceeds the per-account cap, leaving slots unused when every account is full', () => {
    const shares = allocate([{ accountId: 'a', running: 1 }], 10, 3);
    expect(Object.fromEntries(shares)).toEqual({ a: 2 });
    expect(allocate([{ accountId: 'a', running: 3 }], 5, 3).size).toBe(0);
  });
});

describe.each(DIALECTS)('fair claiming on %s', (dialect) => {
  let database: TestDatabase;
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.stop(0);
    engine = undefined;
    await database?.drop();
  });

  it('caps one account’s running jobs and starts another account’s job at once', async () => {
    database = await createTestDatabase(dialect);
    const { db } = database.store;
    const busy = await createAccount(db, { name: 'busy', credits: 1000 });
    const light = await createAccount(db, { name: 'light', credits: 10 });
    engine = engineFor(database, { concurrency: 4, accountConcurrency: 2 });
    // Jobs submitted within one millisecond share created_at and are ordered by id, so the
    // 30th position belongs to whichever job sorts last, not necessarily the last submitted.
    const submitted: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      const job = await engine.submit({
        accountId: busy.id,
        actionId: 'test_wait',
        params: { key: `${dialect}-busy-${i}`, ms: 400 },
      });
      submitted.push(job.id);
    }
    const lone = await engine.submit({
      accountId: light.id,
      actionId: 'test_wait',
      params: { key: `${dialect}-light`, ms: 1 },
    });
    const positions = await Promise.all(
      submitted.map(async (id) => engine!.queuePosition(await engine!.job(busy.id, id))),
    );
    const position = Math.max(...positions);
    expect(positions.toSorted((a, b) => a - b)).toEqual(submitted.map((_, i) => i + 1));
    expect(position).toBe(30);

    engine.startWorker();
    await until(async () => (await engine!.job(light.id, lone.id)).status === 'succeeded', 5000);
    const busyRunning = async () =>
      Number(
        (
          await db
            .selectFrom('jobs')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('account_id', '=', busy.id)
            .where('status', '=', 'running')
            .executeTakeFirstOrThrow()
        ).n,
      );
    for (let i = 0; i < 10; i += 1) {
      expect(await busyRunning()).toBeLessThanOrEqual(2);
      await new Promise((r) => setTimeout(r, 50));
    }
  });
});
