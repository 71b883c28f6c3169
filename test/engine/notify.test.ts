// Cross-process wake-ups on PostgreSQL: a job submitted through one connection pool wakes a
// worker on another at once via LISTEN/NOTIFY, with no polling to fall back on.
import { afterEach, describe, expect, it } from 'vitest';

import { createAccount } from '../../src/accounts/index.js';
import type { Engine } from '../../src/engine/index.js';
import {
  type Channel,
  createNotifier,
  type Notifier,
  openStore,
  type Store,
} from '../../src/store/index.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { engineFor, until } from '../support/engines.js';

// node-postgres warns (once per process) when a query is issued on a Client that is still
// running one: unserialised use of a connection, which pg 9 will reject. Collected from the
// start so a warning raised by any test in this file is seen.
const warnings: string[] = [];
process.on('warning', (warning) => warnings.push(warning.message));

describe.runIf(DIALECTS.includes('postgres'))('LISTEN/NOTIFY on postgres', () => {
  let database: TestDatabase;
  let other: Store | undefined;
  const engines: Engine[] = [];
  const notifiers: Notifier[] = [];
  afterEach(async () => {
    await Promise.all(engines.map((e) => e.stop(0)));
    engines.length = 0;
    await Promise.all(notifiers.map((n) => n.close()));
    notifiers.length = 0;
    await other?.close();
    other = undefined;
    await database?.drop();
  });

  it('wakes a worker in another process as soon as a job is queued', async () => {
    database = await createTestDatabase('postgres');
    // A second pool and notifier on the same database stands in for a second machine.
    other = openStore(database.url);
    const account = await createAccount(database.store.db, { name: 'a', credits: 10 });
    const api = engineFor(database);
    // A poll interval longer than the test: only a notification can start the job in time.
    const worker = engineFor({ ...database, store: other }, { pollMs: 600_000 });
    engines.push(api, worker);
    worker.startWorker();
    await new Promise((r) => setTimeout(r, 300)); // let the worker's LISTEN connect
    const job = await api.submit({
      accountId: account.id,
      actionId: 'test_echo',
      params: { message: 'hi' },
    });
    await until(async () => (await api.job(account.id, job.id)).status === 'succeeded', 8000);
    expect((await api.job(account.id, job.id)).data).toBe(JSON.stringify({ message: 'hi' }));
  });

  it('delivers every notification of a burst without overlapping statements on one connection', async () => {
    database = await createTestDatabase('postgres');
    const sender = createNotifier('postgres', database.url);
    const receiver = createNotifier('postgres', database.url);
    notifiers.push(sender, receiver);
    const received = new Set<string>();
    for (const channel of ['taskwire_job_queued', 'taskwire_job_settled'] as const) {
      receiver.listen(channel, (payload) => received.add(`${channel}:${payload}`));
    }
    // The receiver's LISTEN connects in the background: probe until one gets through.
    let probe = 0;
    await until(() => {
      sender.notify('taskwire_job_queued', `probe-${++probe}`);
      return [...received].some((r) => r.startsWith('taskwire_job_queued:probe-'));
    }, 8000);

    // Raised in one tick, as concurrent submits and settles do.
    const expected: string[] = [];
    for (let i = 0; i < 50; i++) {
      const channel: Channel = i % 2 === 0 ? 'taskwire_job_queued' : 'taskwire_job_settled';
      sender.notify(channel, `job-${i}`);
      expected.push(`${channel}:job-${i}`);
    }
    await until(() => expected.every((e) => received.has(e)), 8000);
    expect(warnings.filter((w) => w.includes('already executing a query'))).toEqual([]);
  });
});
