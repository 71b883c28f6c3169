// Claiming and submitting in as few statements as possible, on both dialects: one claim takes
// several jobs yet stays within each account's cap and shares slots fairly, concurrent claimers
// never push an account past its cap, a claimer whose accounts are all being claimed for waits
// its turn, a submission is one statement on PostgreSQL and a refused one writes nothing, and
// the one-statement settle still queues webhook events when there is someone to tell.
import { randomUUID } from 'node:crypto';

import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';

import { createAccount } from '../../src/accounts/index.js';
import type { Engine } from '../../src/engine/index.js';
import { claimJobs } from '../../src/engine/job.repo.js';
import { readJobLog } from '../../src/engine/job-log.js';
import { settleSucceeded } from '../../src/engine/settle.js';
import { balanceOf, reconcile } from '../../src/ledger/index.js';
import { systemClock } from '../../src/store/index.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { engineFor, until } from '../support/engines.js';

describe.each(DIALECTS)('claims and submits on %s', (dialect) => {
  let database: TestDatabase;
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.stop(0);
    engine = undefined;
    await database?.drop();
  });

  const queue = async (accountId: string, count: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const job = await engine!.submit({ accountId, actionId: 'test_noop', params: { n: i } });
      ids.push(job.id);
    }
    return ids;
  };

  const running = async (accountId: string): Promise<number> => {
    const row = await database.store.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('account_id', '=', accountId)
      .where('status', '=', 'running')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };

  const claim = (limit: number, perAccount: number, worker = 'w') =>
    claimJobs(database.store.write, dialect, worker, 30_000, systemClock, limit, { perAccount });

  it('takes several jobs in one claim, shared between accounts and within each cap', async () => {
    database = await createTestDatabase(dialect);
    const { db } = database.store;
    const a = await createAccount(db, { name: 'a', credits: 100 });
    const b = await createAccount(db, { name: 'b', credits: 100 });
    engine = engineFor(database);
    const queuedA = await queue(a.id, 6);
    const queuedB = await queue(b.id, 6);

    // Four slots for two accounts: two each, each account's oldest jobs first.
    const first = await claim(4, 3);
    expect(first).toHaveLength(4);
    expect(first.filter((j) => j.account_id === a.id).map((j) => j.id)).toEqual(
      expect.arrayContaining(queuedA.slice(0, 2)),
    );
    expect(first.filter((j) => j.account_id === b.id).map((j) => j.id)).toEqual(
      expect.arrayContaining(queuedB.slice(0, 2)),
    );
    // Ten more slots, but a cap of three: one more each, and nothing past the cap.
    const second = await claim(10, 3);
    expect(second).toHaveLength(2);
    expect(await running(a.id)).toBe(3);
    expect(await running(b.id)).toBe(3);
    expect(await claim(10, 3)).toEqual([]);

    // Every claimed job is leased to the claimer, on its first attempt, with its start logged.
    for (const job of [...first, ...second]) {
      expect(job).toMatchObject({ status: 'running', attempts: 1, worker_id: 'w' });
      expect(job.lease_until).not.toBeNull();
      const log = await readJobLog(db, job.id);
      expect(log.map((l) => l.kind)).toEqual(['submitted', 'started']);
      expect(log[1]).toMatchObject({
        attempt: 1,
        message: `Attempt 1 of ${job.max_attempts} started.`,
        data: { worker: 'w' },
      });
    }
  });

  it('never runs more of an account’s jobs than its cap, whatever claims race', async () => {
    database = await createTestDatabase(dialect);
    const { db } = database.store;
    const account = await createAccount(db, { name: 'a', credits: 100 });
    engine = engineFor(database);
    await queue(account.id, 30);
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => claim(3, 4, `w${i}`)));
    const claimed = claims.flat();
    expect(claimed).toHaveLength(4);
    expect(new Set(claimed.map((j) => j.id)).size).toBe(4);
    expect(await running(account.id)).toBe(4);

    // Settling two frees two places, and racing claims fill exactly those.
    for (const job of claimed.slice(0, 2)) {
      expect(await settleSucceeded(database.store.write, job, {}, 1, systemClock)).toBe(true);
    }
    const refill = (
      await Promise.all(Array.from({ length: 8 }, (_, i) => claim(3, 4, `v${i}`)))
    ).flat();
    expect(refill).toHaveLength(2);
    expect(await running(account.id)).toBe(4);
  });

  it('writes nothing for a refused submission, racing or not', async () => {
    database = await createTestDatabase(dialect);
    const { db } = database.store;
    const account = await createAccount(db, { name: 'a', credits: 10 });
    engine = engineFor(database);
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, n) =>
        engine!.submit({ accountId: account.id, actionId: 'test_noop', params: { n } }),
      ),
    );
    const accepted = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(accepted).toHaveLength(10);
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(r.reason).toMatchObject({ code: 'INSUFFICIENT_CREDITS', status: 402 });
      }
    }
    expect(await balanceOf(db, account.id)).toBe(0);
    expect(await reconcile(db)).toEqual([]);
    const jobs = await db.selectFrom('jobs').select('id').execute();
    expect(jobs.map((j) => j.id).sort()).toEqual(accepted.map((j) => j.id).sort());
    const log = await db.selectFrom('job_log').select(['job_id', 'kind']).execute();
    expect(log).toHaveLength(10);
    expect(log.every((l) => l.kind === 'submitted')).toBe(true);
    const debits = await db
      .selectFrom('ledger_entries')
      .select('job_id')
      .where('kind', '=', 'debit')
      .execute();
    expect(debits.map((d) => d.job_id).sort()).toEqual(accepted.map((j) => j.id).sort());
    // The stored job is the one `submit` answered with.
    const [stored] = await db
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', accepted[0]!.id)
      .execute();
    expect(stored).toEqual(accepted[0]);
  });

  it('queues the webhook event of a settle when the account has an endpoint', async () => {
    database = await createTestDatabase(dialect);
    const { db, write } = database.store;
    const account = await createAccount(db, { name: 'a', credits: 10 });
    engine = engineFor(database);
    await queue(account.id, 2);
    const [quiet] = await claim(1, 10);
    // No endpoint yet: the settle queues nothing.
    expect(await settleSucceeded(write, quiet!, { ok: true }, 1, systemClock)).toBe(true);
    await db
      .insertInto('webhook_endpoints')
      .values({
        id: randomUUID(),
        account_id: account.id,
        url: 'https://hooks.example.com/taskwire',
        events: JSON.stringify(['job.completed']),
        description: null,
        secret: 'whsec_test',
        created_at: new Date().toISOString(),
      })
      .execute();
    const [heard] = await claim(1, 10);
    expect(await settleSucceeded(write, heard!, { ok: true }, 1, systemClock)).toBe(true);
    const deliveries = await db
      .selectFrom('webhook_deliveries')
      .select(['job_id', 'event'])
      .execute();
    expect(deliveries).toEqual([{ job_id: heard!.id, event: 'job.completed' }]);
    for (const job of [quiet!, heard!]) {
      expect(await engine.job(account.id, job.id)).toMatchObject({
        status: 'succeeded',
        data: JSON.stringify({ ok: true }),
      });
      expect((await readJobLog(db, job.id)).map((l) => l.kind)).toEqual([
        'submitted',
        'started',
        'succeeded',
      ]);
    }
  });
});

describe.runIf(DIALECTS.includes('postgres'))('claims on postgres', () => {
  let database: TestDatabase;
  let engine: Engine | undefined;
  let holder: pg.Client | undefined;
  afterEach(async () => {
    await holder?.end();
    holder = undefined;
    await engine?.stop(0);
    engine = undefined;
    await database?.drop();
  });

  it('waits for an account another claim holds, then counts the jobs that claim started', async () => {
    database = await createTestDatabase('postgres');
    const { db, write } = database.store;
    const account = await createAccount(db, { name: 'a', credits: 100 });
    engine = engineFor(database);
    for (let n = 0; n < 5; n += 1) {
      await engine.submit({ accountId: account.id, actionId: 'test_noop', params: { n } });
    }
    // Another worker's claim in progress: it holds the account's claim lock and has just
    // started two jobs, not yet committed.
    holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    await holder.query('begin');
    await holder.query('select pg_advisory_xact_lock(7351043, hashtext($1))', [account.id]);
    await holder.query(
      `update jobs set status = 'running', attempts = 1, worker_id = 'other', lease_until = '9999'
       where id in (select id from jobs where account_id = $1 order by created_at limit 2)`,
      [account.id],
    );
    const claiming = claimJobs(write, 'postgres', 'w', 30_000, systemClock, 4, { perAccount: 3 });
    // The claim queues on the lock instead of giving up (and leaving its slots idle).
    await until(async () => {
      const { rows } = await holder!.query<{ n: string }>(
        `select count(*) as n from pg_locks where locktype = 'advisory' and not granted`,
      );
      return Number(rows[0]!.n) === 1;
    });
    await holder.query('commit');
    // It counted the two jobs the other claim started: one more fits under the cap of three.
    const claimed = await claiming;
    expect(claimed).toHaveLength(1);
    const statuses = await db
      .selectFrom('jobs')
      .select(['status', 'worker_id'])
      .where('status', '=', 'running')
      .execute();
    expect(statuses.map((s) => s.worker_id).sort()).toEqual(['other', 'other', 'w']);
  });
});
