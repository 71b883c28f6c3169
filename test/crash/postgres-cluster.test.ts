// G4 on PostgreSQL with real processes: 2 API nodes (`serve --no-worker`) and 3 workers on
// one fresh database, 1 s leases. Jobs are submitted over HTTP across both nodes while one
// worker is kill -9ed holding running jobs. Afterwards every job is succeeded or failed
// exactly once, as its params say; no attempt ran twice or after completion; repeats are only
// blocks (retries) and the runs the kill cut off; and the money adds up for every account.
import { afterAll, describe, expect, it } from 'vitest';

import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import {
  type Child,
  Cluster,
  createAccounts,
  type Expected,
  jobParams,
  pool,
  request,
  sleep,
  unfinished,
  unsettled,
  until,
  verifyCrash,
} from './support.js';

const JOBS = 1500;

describe.runIf(DIALECTS.includes('postgres'))(
  'crash: PostgreSQL, 2 API nodes and 3 workers',
  () => {
    let database: TestDatabase | undefined;
    let cluster: Cluster | undefined;

    afterAll(async () => {
      await cluster?.killAll();
      await database?.drop();
    });

    it('kill -9 of a worker mid-run loses no job, runs none twice without need, and keeps the money right', async () => {
      database = await createTestDatabase('postgres');
      const { db } = database.store;
      // The last account cannot afford all its jobs: some submissions get 402, and its
      // balance is driven to the floor while both nodes debit it at once.
      const accounts = await createAccounts(db, [2000, 2000, 2000, 300]);
      cluster = new Cluster(database.url);
      const c = cluster;
      const [api1, api2, ...workers] = await Promise.all([
        c.start('api', 'api-1'),
        c.start('api', 'api-2'),
        c.start('worker', 'worker-1'),
        c.start('worker', 'worker-2'),
        c.start('worker', 'worker-3'),
      ]);
      const t0 = Date.now();
      const nodes = [api1, api2];
      const victim = workers[0];

      const expected: Expected[] = [];
      let sent = 0;
      let refused = 0;
      const submitting = pool(
        Array.from({ length: JOBS }, (_, i) => i),
        24,
        async (i) => {
          const account = accounts[i % accounts.length]!;
          const params = jobParams(i, 'pg');
          const node = nodes[i % 2]!;
          sent += 1;
          const res = await request(node.url, 'POST', '/v1/wire/task', account.key, {
            action_id: 'test_block',
            params,
          });
          if (res.status === 402) {
            refused += 1;
            return;
          }
          expect(res.status, JSON.stringify(res.body)).toBe(202);
          expect(res.body.job_id).toBeTypeOf('string');
          expected.push({
            key: params.key,
            accountId: account.accountId,
            jobId: res.body.job_id as string,
            fail: params.fail === true,
          });
        },
      );

      // kill -9 the victim a third of the way through, while it holds running jobs.
      let cutOff: number | undefined;
      const killing = (async () => {
        await until('a third of the jobs submitted', () => sent >= JOBS / 3, 60_000, 10);
        await until(
          'the victim worker to hold running jobs',
          () => unfinished(c.runsOf(victim)).length >= 3,
          30_000,
          5,
        );
        await c.kill(victim);
        cutOff = unfinished(c.runsOf(victim)).length;
      })();
      await Promise.all([submitting, killing]);
      expect(c.alive(victim)).toBe(false);
      expect(cutOff).toBeGreaterThanOrEqual(1);

      const tSubmitted = Date.now() - t0;
      await until('every job to settle', async () => (await unsettled(db)) === 0, 90_000, 250);
      const tSettled = Date.now() - t0;
      // The survivors stay up a little longer: nothing may move after the last settle.
      await sleep(1500);
      await Promise.all(c.children.map((child: Child) => c.stop(child)));

      const verdict = await verifyCrash(db, expected, c.runs(), new Set([victim.pid]));
      expect(verdict.interrupted).toBeGreaterThanOrEqual(cutOff!);
      expect(refused).toBeGreaterThan(0);
      expect(verdict.jobs + refused).toBe(JOBS);
      // Every worker did its share; the survivors took over the victim's jobs.
      const ranBy = new Set(c.runs().map((r) => r.pid));
      for (const worker of workers) expect(ranBy.has(worker.pid)).toBe(true);
      console.log(
        `postgres crash: ${JSON.stringify({ ...verdict, refused, tSubmitted, tSettled })}`,
      );
      c.removeFiles();
    }, 180_000);
  },
);
