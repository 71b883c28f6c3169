// Idempotency keys on both dialects: a key replays its first answer without a second charge,
// refuses another body, gives concurrent duplicates the one job, is scoped to the account,
// expires, and is not taken by a submission that was refused.
import { afterEach, describe, expect, it } from 'vitest';

import { createAccount } from '../../src/accounts/index.js';
import {
  canonicalJson,
  type Engine,
  fingerprintOf,
  type Idempotency,
  type TaskInput,
} from '../../src/engine/index.js';
import { balanceOf, grant, reconcile } from '../../src/ledger/index.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { engineFor, until } from '../support/engines.js';

/** What the task route stores: the 202 body with the job's poll URL. */
const keyed = (key: string, body: unknown): Idempotency => ({
  key,
  fingerprint: fingerprintOf('POST', '/task', body),
  render: (job) => ({
    status: 202,
    body: { status: 'processing', job_id: job.id, poll_url: `/v1/wire/jobs/${job.id}` },
  }),
});

const flaky = (accountId: string, key: string): TaskInput => ({
  accountId,
  actionId: 'test_flaky',
  params: { key, failures: 0 },
});

describe('request fingerprints', () => {
  it('ignore key order and tell different bodies apart', () => {
    const a = { action_id: 'x', params: { b: [1, { d: 1, c: 2 }], a: null } };
    const b = { params: { a: null, b: [1, { c: 2, d: 1 }] }, action_id: 'x' };
    expect(canonicalJson(a)).toBe('{"action_id":"x","params":{"a":null,"b":[1,{"c":2,"d":1}]}}');
    expect(fingerprintOf('POST', '/task', a)).toBe(fingerprintOf('POST', '/task', b));
    expect(fingerprintOf('POST', '/task', a)).not.toBe(
      fingerprintOf('POST', '/task', { ...a, params: { a: 1 } }),
    );
    expect(fingerprintOf('POST', '/task', a)).not.toBe(fingerprintOf('POST', '/other', a));
  });
});

describe.each(DIALECTS)('idempotency keys on %s', (dialect) => {
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
  const jobsWithKey = (key: string) =>
    database.store.db.selectFrom('jobs').select('id').where('idempotency_key', '=', key).execute();
  const debits = (accountId: string) =>
    database.store.db
      .selectFrom('ledger_entries')
      .select('job_id')
      .where('account_id', '=', accountId)
      .where('kind', '=', 'debit')
      .execute();

  it('replays the first answer for the same key and body, charging once', async () => {
    database = await createTestDatabase(dialect);
    const engine = start();
    const account = await createAccount(database.store.db, { name: 'a', credits: 10 });
    const input = flaky(account.id, 'seq');
    const first = await engine.submitWithKey(input, keyed('k-1', { n: 1 }));
    const second = await engine.submitWithKey(input, keyed('k-1', { n: 1 }));
    expect(first.replayed).toBe(false);
    expect(second).toEqual({ replayed: true, response: first.response });
    expect(await jobsWithKey('k-1')).toHaveLength(1);
    expect(await debits(account.id)).toHaveLength(1);
    expect(await balanceOf(database.store.db, account.id)).toBe(7);
  });

  it('refuses the same key with another body (422) and charges nothing', async () => {
    database = await createTestDatabase(dialect);
    const engine = start();
    const account = await createAccount(database.store.db, { name: 'a', credits: 10 });
    await engine.submitWithKey(flaky(account.id, 'one'), keyed('k-2', { n: 1 }));
    await expect(
      engine.submitWithKey(flaky(account.id, 'two'), keyed('k-2', { n: 2 })),
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', status: 422 });
    expect(await balanceOf(database.store.db, account.id)).toBe(7);
  });

  it('gives 50 concurrent duplicates the one job and one debit', async () => {
    database = await createTestDatabase(dialect);
    const engine = start();
    // Exactly one job's worth: a duplicate that debited before seeing the key would get 402.
    const account = await createAccount(database.store.db, { name: 'a', credits: 3 });
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        engine.submitWithKey(flaky(account.id, 'burst'), keyed('k-3', { n: 3 })),
      ),
    );
    const ids = new Set(results.map((r) => (r.response?.body as { job_id: string }).job_id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await jobsWithKey('k-3')).toEqual([{ id: [...ids][0] }]);
    expect(await debits(account.id)).toHaveLength(1);
    expect(await balanceOf(database.store.db, account.id)).toBe(0);
    expect(await reconcile(database.store.db)).toEqual([]);
  });

  it('scopes keys to the account', async () => {
    database = await createTestDatabase(dialect);
    const engine = start();
    const a = await createAccount(database.store.db, { name: 'a', credits: 10 });
    const b = await createAccount(database.store.db, { name: 'b', credits: 10 });
    const first = await engine.submitWithKey(flaky(a.id, 'a'), keyed('shared', { n: 4 }));
    const second = await engine.submitWithKey(flaky(b.id, 'b'), keyed('shared', { n: 4 }));
    expect(second.replayed).toBe(false);
    expect(second.response).not.toEqual(first.response);
    expect(await balanceOf(database.store.db, a.id)).toBe(7);
    expect(await balanceOf(database.store.db, b.id)).toBe(7);
  });

  it('forgets an expired key: a new job, and the reaper deletes the old row', async () => {
    database = await createTestDatabase(dialect);
    const engine = start({ idempotencyTtlMs: 50 });
    const account = await createAccount(database.store.db, { name: 'a', credits: 10 });
    const first = await engine.submitWithKey(flaky(account.id, 'e1'), keyed('k-5', { n: 5 }));
    await new Promise((r) => setTimeout(r, 80));
    const second = await engine.submitWithKey(flaky(account.id, 'e1'), keyed('k-5', { n: 5 }));
    expect(second.replayed).toBe(false);
    expect(second.response).not.toEqual(first.response);
    // The expired row was taken over: within its lifetime the key now replays the new job.
    expect(
      await engine.submitWithKey(flaky(account.id, 'e1'), keyed('k-5', { n: 5 })),
    ).toMatchObject({ replayed: true, response: second.response });
    expect(await debits(account.id)).toHaveLength(2);

    await new Promise((r) => setTimeout(r, 80));
    engine.startWorker();
    const keys = () => database.store.db.selectFrom('idempotency_keys').selectAll().execute();
    await until(async () => (await keys()).length === 0);
  });

  it('does not remember a refused submission: after a top-up the same key succeeds', async () => {
    database = await createTestDatabase(dialect);
    const engine = start();
    const account = await createAccount(database.store.db, { name: 'a', credits: 2 });
    const idempotency = keyed('k-6', { n: 6 });
    await expect(
      engine.submitWithKey(flaky(account.id, 'poor'), idempotency),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_CREDITS', status: 402 });
    expect(await database.store.db.selectFrom('idempotency_keys').selectAll().execute()).toEqual(
      [],
    );
    await grant(database.store.db, account.id, 5);
    const retried = await engine.submitWithKey(flaky(account.id, 'poor'), idempotency);
    expect(retried.replayed).toBe(false);
    expect(await balanceOf(database.store.db, account.id)).toBe(4);
  });
});
