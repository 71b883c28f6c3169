// Cross-process wake-ups on PostgreSQL: a job submitted through one connection pool wakes a
// worker on another at once via LISTEN/NOTIFY, with no polling to fall back on.
import { afterEach, describe, expect, it } from 'vitest';

import { createAccount } from '../../src/accounts/index.js';
import type { Engine } from '../../src/engine/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { engineFor, until } from '../support/engines.js';

describe.runIf(DIALECTS.includes('postgres'))('LISTEN/NOTIFY on postgres', () => {
  let database: TestDatabase;
  let other: Store;
  const engines: Engine[] = [];
  afterEach(async () => {
    await Promise.all(engines.map((e) => e.stop(0)));
    engines.length = 0;
    await other?.close();
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
});
