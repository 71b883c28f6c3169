// Engines over a test database, configured the way the engine tests need: the test catalog,
// a fixed master key, silent logs, fast polling. Several engines on one database stand in
// for several worker processes.
import pino from 'pino';

import { createRegistry } from '../../src/actions/index.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { type Clock, systemClock } from '../../src/store/index.js';
import { createVault } from '../../src/vault/index.js';
import { testCatalog } from '../fixtures/catalogs/test-catalog.js';
import type { TestDatabase } from './databases.js';

export const testRegistry = createRegistry([testCatalog], {
  originOverrides: new Map(),
  disabledActions: new Set(),
});
const master = { id: 'test', key: Buffer.alloc(32, 7) };

export interface EngineOverrides {
  leaseMs?: number;
  concurrency?: number;
  accountConcurrency?: number;
  retentionMs?: number;
  pollMs?: number;
  idempotencyTtlMs?: number;
  clock?: Clock;
}

export function engineFor(database: TestDatabase, overrides: EngineOverrides = {}): Engine {
  const { db, dialect, write } = database.store;
  return createEngine({
    db,
    notifier: database.store.notifier,
    write,
    dialect,
    registry: testRegistry,
    vault: createVault({ db, master }),
    clock: overrides.clock ?? systemClock,
    logger: pino({ level: 'silent' }),
    guard: { allowPrivate: false, allowCidrs: [] },
    maxResponseBytes: 1_000_000,
    requestTimeoutMs: 5_000,
    concurrency: overrides.concurrency ?? 4,
    accountConcurrency: overrides.accountConcurrency ?? 100,
    retentionMs: overrides.retentionMs ?? 0,
    leaseMs: overrides.leaseMs ?? 30_000,
    pollMs: overrides.pollMs ?? 50,
    idempotencyTtlMs: overrides.idempotencyTtlMs ?? 86_400_000,
    webhooks: { retryBaseMs: 50, retryCapMs: 200, giveUpMs: 2_000 },
  });
}

/** Polls the database until `check` holds (bounded), for states no event announces. */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms.`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
