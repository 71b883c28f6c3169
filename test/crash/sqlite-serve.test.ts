// G4 on SQLite with the in-process worker: one `serve` process on a SQLite file takes jobs
// over HTTP and is kill -9ed mid-run (holding running jobs, with requests in flight), then
// restarted on the same data dir. Every submission carries an Idempotency-Key and is retried
// until it is answered, so a request whose answer the kill lost is neither lost nor doubled.
// Afterwards the same invariants as on PostgreSQL hold.
import { afterAll, describe, expect, it } from 'vitest';

import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import {
  Cluster,
  createAccounts,
  type Expected,
  jobParams,
  pool,
  request,
  type Response,
  sleep,
  unfinished,
  unsettled,
  until,
  verifyCrash,
} from './support.js';

const JOBS = 400;

describe('crash: SQLite, one serve process killed and restarted', () => {
  let database: TestDatabase | undefined;
  let cluster: Cluster | undefined;

  afterAll(async () => {
    await cluster?.killAll();
    await database?.drop();
  });

  it('kill -9 of the server mid-run, then a restart on the same data, loses and doubles nothing', async () => {
    database = await createTestDatabase('sqlite');
    const { db } = database.store;
    const accounts = await createAccounts(db, [1000, 1000]);
    cluster = new Cluster(database.url);
    const c = cluster;
    let server = await c.start('serve', 'serve-1');
    const first = server;

    const expected: Expected[] = [];
    let answered = 0;
    let retried = 0;
    let replayedAfterCrash = 0;
    const submitting = pool(
      Array.from({ length: JOBS }, (_, i) => i),
      16,
      async (i) => {
        const account = accounts[i % accounts.length]!;
        const params = jobParams(i, 'lite');
        const deadline = Date.now() + 60_000;
        let lostOnce = false;
        for (;;) {
          let res: Response;
          try {
            res = await request(
              server.url,
              'POST',
              '/v1/wire/task',
              account.key,
              { action_id: 'test_block', params },
              { 'idempotency-key': params.key },
            );
          } catch (error) {
            // The server is down (killed, not yet restarted): ask again, same key.
            if (Date.now() > deadline) throw error;
            lostOnce = true;
            retried += 1;
            await sleep(50);
            continue;
          }
          expect(res.status, JSON.stringify(res.body)).toBe(202);
          if (lostOnce && res.headers.get('idempotent-replayed') === 'true') {
            replayedAfterCrash += 1;
          }
          answered += 1;
          expected.push({
            key: params.key,
            accountId: account.accountId,
            jobId: res.body.job_id as string,
            fail: params.fail === true,
          });
          return;
        }
      },
    );

    const crashing = (async () => {
      await until('some jobs answered', () => answered >= JOBS / 3, 60_000, 10);
      await until(
        'the server to hold running jobs',
        () => unfinished(c.runsOf(first)).length >= 3,
        30_000,
        5,
      );
      await c.kill(first);
      const cutOff = unfinished(c.runsOf(first)).length;
      server = await c.start('serve', 'serve-2');
      return cutOff;
    })();
    const [, cutOff] = await Promise.all([submitting, crashing]);
    expect(cutOff).toBeGreaterThanOrEqual(1);
    expect(retried).toBeGreaterThan(0);

    await until('every job to settle', async () => (await unsettled(db)) === 0, 60_000, 200);
    await sleep(1500);
    await c.stop(server);

    // One job per key, whatever the crash did to the answers.
    expect(new Set(expected.map((e) => e.key)).size).toBe(JOBS);
    expect(new Set(expected.map((e) => e.jobId)).size).toBe(JOBS);
    const verdict = await verifyCrash(db, expected, c.runs(), new Set([first.pid]));
    expect(verdict.interrupted).toBeGreaterThanOrEqual(cutOff);
    console.log(`sqlite crash: ${JSON.stringify({ ...verdict, retried, replayedAfterCrash })}`);
    c.removeFiles();
  }, 150_000);
});
