// The races G3 and G4 name, with real processes on one database (both dialects): the same
// Idempotency-Key arriving at once on two API nodes; a cancel on one node racing the
// completion of the job in a worker process; and lease expiry, where a worker is SIGSTOPped
// past its lease, another reclaims and completes the job, and the stopped one, continued,
// finishes its stale attempt without changing anything.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { reconcile } from '../../src/ledger/index.js';
import type { Database } from '../../src/store/index.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { type Child, Cluster, createAccounts, request, sleep, until } from './support.js';

async function ledgerOf(db: Kysely<Database>, jobId: string) {
  return db
    .selectFrom('ledger_entries')
    .select(['kind', 'amount'])
    .where('job_id', '=', jobId)
    .orderBy('kind')
    .execute();
}

async function balanceOf(db: Kysely<Database>, accountId: string): Promise<number> {
  const row = await db
    .selectFrom('accounts')
    .select('balance')
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
  return row.balance;
}

for (const dialect of DIALECTS) {
  describe(`crash races on ${dialect}: 2 API nodes and worker processes`, () => {
    let database: TestDatabase;
    let cluster: Cluster;
    let nodes: Child[];
    let passed = 0;

    beforeAll(async () => {
      database = await createTestDatabase(dialect);
      cluster = new Cluster(database.url);
      nodes = await Promise.all([cluster.start('api', 'api-1'), cluster.start('api', 'api-2')]);
    });

    afterAll(async () => {
      await cluster?.killAll();
      if (passed === 3) cluster.removeFiles();
      await database?.drop();
    });

    it('20 concurrent submissions with one Idempotency-Key across both nodes make one job and one debit', async () => {
      const { db } = database.store;
      const [account] = await createAccounts(db, [100]);
      const rounds = 5;
      for (let round = 0; round < rounds; round++) {
        const key = `idem-${round}`;
        const body = { action_id: 'test_block', params: { key, ms: 0 } };
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            request(nodes[i % 2]!.url, 'POST', '/v1/wire/task', account!.key, body, {
              'idempotency-key': key,
            }),
          ),
        );
        expect(answers.map((a) => a.status)).toEqual(Array(20).fill(202));
        const ids = new Set(answers.map((a) => a.body.job_id as string));
        expect(ids.size).toBe(1);
        // One request created the job; every other one replayed its answer.
        const fresh = answers.filter((a) => a.headers.get('idempotent-replayed') !== 'true');
        expect(fresh).toHaveLength(1);
        const jobs = await db
          .selectFrom('jobs')
          .select('id')
          .where('account_id', '=', account!.accountId)
          .where('idempotency_key', '=', key)
          .execute();
        expect(jobs.map((j) => j.id)).toEqual([...ids]);
        expect(await ledgerOf(db, jobs[0]!.id)).toEqual([{ kind: 'debit', amount: -2 }]);
      }
      expect(await balanceOf(db, account!.accountId)).toBe(100 - 2 * rounds);
      // No worker runs here: cancel the queued jobs, which refunds them.
      const jobs = await db
        .selectFrom('jobs')
        .select('id')
        .where('account_id', '=', account!.accountId)
        .execute();
      for (const job of jobs) {
        const res = await request(
          nodes[1]!.url,
          'POST',
          `/v1/wire/jobs/${job.id}/cancel`,
          account!.key,
        );
        expect(res.status).toBe(200);
      }
      expect(await balanceOf(db, account!.accountId)).toBe(100);
      expect(await reconcile(db)).toEqual([]);
      passed += 1;
    });

    it('a cancel on one node racing completion in a worker process: exactly one wins, refund iff cancelled', async () => {
      const { db } = database.store;
      const [account] = await createAccounts(db, [1000]);
      const worker = await cluster.start('worker', 'cancel-worker');
      const count = 40;
      const outcomes = await Promise.all(
        Array.from({ length: count }, async (_, i) => {
          // Every fifth job runs long and is cancelled well inside its run: its worker learns
          // of the cancel at its next heartbeat and aborts the action.
          const long = i % 5 === 0;
          const ms = long ? 700 : 20 + ((i * 13) % 60);
          const key = `race-${i}`;
          const submitted = await request(
            nodes[i % 2]!.url,
            'POST',
            '/v1/wire/task',
            account!.key,
            {
              action_id: 'test_block',
              params: { key, ms },
            },
          );
          expect(submitted.status).toBe(202);
          const jobId = submitted.body.job_id as string;
          // Cancel while the attempt runs, or just after it ended: a spread over both.
          await until(
            `${key} to start`,
            () => cluster.runsOf(worker).some((r) => r.key === key && r.event === 'start'),
            15_000,
            5,
          );
          await sleep(long ? 100 : (i * 37) % (ms + 30));
          const cancel = await request(
            nodes[(i + 1) % 2]!.url,
            'POST',
            `/v1/wire/jobs/${jobId}/cancel`,
            account!.key,
          );
          return { jobId, key, long, cancel: cancel.status };
        }),
      );
      const ids = outcomes.map((o) => o.jobId);
      const settled = async () =>
        db.selectFrom('jobs').selectAll().where('id', 'in', ids).orderBy('id').execute();
      await until(
        'every raced job to settle',
        async () =>
          (await settled()).every((j) => j.status === 'succeeded' || j.status === 'failed'),
        20_000,
        100,
      );
      const first = await settled();
      // Longer than a heartbeat: a losing attempt has had every chance to write.
      await sleep(1500);
      expect(await settled()).toEqual(first);

      const runs = cluster.runsOf(worker);
      let cancelledAfterSuccess = 0;
      for (const { jobId, key, long, cancel } of outcomes) {
        const job = first.find((j) => j.id === jobId)!;
        const ledger = await ledgerOf(db, jobId);
        expect(job.attempts).toBe(1);
        if (cancel === 200) {
          expect(job).toMatchObject({ status: 'failed', error_code: 'CANCELLED', data: null });
          expect(ledger).toEqual([
            { kind: 'debit', amount: -2 },
            { kind: 'refund', amount: 2 },
          ]);
          // The action finished, but its settle found the job cancelled and changed nothing.
          if (runs.some((r) => r.key === key && r.event === 'done')) cancelledAfterSuccess += 1;
          // Cancelled mid-run on another node: the worker's heartbeat found the lease gone.
          if (long)
            expect(runs.filter((r) => r.key === key).map((r) => r.event)).toEqual([
              'start',
              'aborted',
            ]);
        } else {
          expect(long).toBe(false);
          expect(cancel).toBe(409);
          expect(job.status).toBe('succeeded');
          expect(ledger).toEqual([{ kind: 'debit', amount: -2 }]);
        }
      }
      const cancelled = outcomes.filter((o) => o.cancel === 200).length;
      const succeeded = count - cancelled;
      expect(cancelled).toBeGreaterThan(0);
      expect(succeeded).toBeGreaterThan(0);
      expect(await balanceOf(db, account!.accountId)).toBe(1000 - 2 * succeeded);
      expect(await reconcile(db)).toEqual([]);
      console.log(
        `${dialect} cancel race: ${JSON.stringify({ cancelled, succeeded, cancelledAfterSuccess })}`,
      );
      await cluster.stop(worker);
      passed += 1;
    });

    it('lease expiry: a SIGSTOPped worker loses its job to another, and its late writes change nothing', async () => {
      const { db } = database.store;
      const [account] = await createAccounts(db, [100]);
      // One job at a time, so the stopped worker holds nothing but the job under test.
      const zombie = await cluster.start('worker', 'zombie-worker', {
        TASKWIRE_WORKER_CONCURRENCY: '1',
      });
      const submitted = await request(nodes[0]!.url, 'POST', '/v1/wire/task', account!.key, {
        action_id: 'test_block',
        params: { key: 'zombie', ms: 2500 },
      });
      expect(submitted.status).toBe(202);
      const jobId = submitted.body.job_id as string;
      const row = () =>
        db.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow();
      await until(
        'the zombie worker to start the job',
        () => cluster.runsOf(zombie).some((r) => r.event === 'start'),
        15_000,
        5,
      );
      expect(await row()).toMatchObject({ status: 'running', attempts: 1 });

      // Stop it, but not in the middle of a transaction: a stopped process holding a lock
      // would stall every other (a real risk in production too; here it would only stall).
      for (let tries = 0; ; tries++) {
        cluster.signal(zombie, 'SIGSTOP');
        await sleep(50);
        if (!(await holdsLock(database, dialect))) break;
        if (tries >= 20) throw new Error('The stopped worker kept holding a transaction.');
        cluster.signal(zombie, 'SIGCONT');
        await sleep(20 + tries * 7);
      }
      const rescuer = await cluster.start('worker', 'rescuer-worker');
      await until(
        'the rescuer to complete the job',
        async () => (await row()).status === 'succeeded',
        20_000,
        50,
      );
      const done = await row();
      expect(done.attempts).toBe(2);
      expect(JSON.parse(done.data!)).toEqual({ key: 'zombie', attempt: 2, pid: rescuer.pid });
      const ledger = await ledgerOf(db, jobId);
      expect(ledger).toEqual([{ kind: 'debit', amount: -2 }]);

      cluster.signal(zombie, 'SIGCONT');
      // The stale attempt ends (its action's timer, or its heartbeat finding the lease gone)
      // and tries to settle; then the row, the money and the webhooks must be as they were.
      await until(
        'the zombie attempt to end',
        () => cluster.runsOf(zombie).some((r) => r.event !== 'start'),
        10_000,
        10,
      );
      await sleep(1500);
      expect(cluster.alive(zombie)).toBe(true);
      expect(await row()).toEqual(done);
      expect(await ledgerOf(db, jobId)).toEqual(ledger);
      const deliveries = await db
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('job_id', '=', jobId)
        .executeTakeFirstOrThrow();
      expect(Number(deliveries.n)).toBe(0);
      const rescuerRuns = cluster.runsOf(rescuer).filter((r) => r.key === 'zombie');
      expect(rescuerRuns.map((r) => [r.attempt, r.event])).toEqual([
        [2, 'start'],
        [2, 'done'],
      ]);
      const zombieRuns = cluster.runsOf(zombie).filter((r) => r.key === 'zombie');
      expect(zombieRuns.map((r) => r.attempt)).toEqual([1, 1]);
      expect(await balanceOf(db, account!.accountId)).toBe(98);
      expect(await reconcile(db)).toEqual([]);
      console.log(`${dialect} lease expiry: the stale attempt ended '${zombieRuns[1]!.event}'`);
      await Promise.all([cluster.stop(zombie), cluster.stop(rescuer)]);
      passed += 1;
    });
  });
}

/** Whether another process holds an open transaction (and so, possibly, a lock). */
async function holdsLock(database: TestDatabase, dialect: string): Promise<boolean> {
  const { db } = database.store;
  if (dialect === 'postgres') {
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid()
        and state like 'idle in transaction%'`.execute(db);
    return Number(rows[0]!.n) > 0;
  }
  // SQLite: a write needs the one write lock; blocked past the busy timeout, it throws.
  try {
    await database.store.write((trx) => trx.deleteFrom('jobs').where('id', '=', 'none').execute());
    return false;
  } catch {
    return true;
  }
}
