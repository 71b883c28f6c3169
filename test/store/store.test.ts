// The store itself, on both dialects: migrations applied once and re-runnable, the constraints
// money depends on (no negative balance, no orphan rows), the SQLite connection settings, and
// group commit keeping each write's success or failure its own.
import { randomUUID } from 'node:crypto';

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createAccount } from '../../src/accounts/index.js';
import { migrateToLatest } from '../../src/store/index.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';

const TABLES = [
  'accounts',
  'api_keys',
  'ledger_entries',
  'catalog_records',
  'identities',
  'credentials',
  'jobs',
  'job_log',
  'idempotency_keys',
  'webhook_endpoints',
  'webhook_deliveries',
];

describe.each(DIALECTS)('store on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('creates every table, and running the migrations again changes nothing', async () => {
    const { db } = database.store;
    const before = (await db.introspection.getTables()).map((t) => t.name).sort();
    for (const table of TABLES) expect(before).toContain(table);
    await migrateToLatest(db);
    const after = (await db.introspection.getTables()).map((t) => t.name).sort();
    expect(after).toEqual(before);
  });

  it('refuses a negative balance at the database, whatever the code above does', async () => {
    const { db } = database.store;
    const account = await createAccount(db, { name: 'check', credits: 3 });
    await expect(
      db.updateTable('accounts').set({ balance: -1 }).where('id', '=', account.id).execute(),
    ).rejects.toThrow();
    const row = await db
      .selectFrom('accounts')
      .select('balance')
      .where('id', '=', account.id)
      .executeTakeFirstOrThrow();
    expect(Number(row.balance)).toBe(3);
  });

  it('refuses rows that point at an account that does not exist', async () => {
    const { db } = database.store;
    await expect(
      db
        .insertInto('ledger_entries')
        .values({
          id: randomUUID(),
          account_id: randomUUID(),
          kind: 'grant',
          amount: 5,
          job_id: null,
          note: null,
          created_at: new Date().toISOString(),
        })
        .execute(),
    ).rejects.toThrow();
  });

  it('commits concurrent writes each on its own: one that fails leaves no trace, the rest stay', async () => {
    const { db, write } = database.store;
    const account = await createAccount(db, { name: 'group', credits: 0 });
    const grant = (amount: number, fail: boolean) =>
      write(async (trx) => {
        await trx
          .insertInto('ledger_entries')
          .values({
            id: randomUUID(),
            account_id: account.id,
            kind: 'grant',
            amount,
            job_id: null,
            note: `group ${amount}`,
            created_at: new Date().toISOString(),
          })
          .execute();
        if (fail) throw new Error(`write ${amount} failed after its insert`);
        return amount;
      });
    const results = await Promise.allSettled([
      grant(1, false),
      grant(2, true),
      grant(3, false),
      grant(4, true),
      grant(5, false),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    const kept = await db
      .selectFrom('ledger_entries')
      .select('amount')
      .where('account_id', '=', account.id)
      .orderBy('amount')
      .execute();
    expect(kept.map((r) => Number(r.amount))).toEqual([1, 3, 5]);
  });

  if (dialect === 'sqlite') {
    it('runs SQLite in WAL mode with full sync, foreign keys and a busy timeout', async () => {
      const { db } = database.store;
      const pragma = async (name: string): Promise<unknown> => {
        const { rows } = await sql<Record<string, unknown>>`${sql.raw(`PRAGMA ${name}`)}`.execute(
          db,
        );
        return Object.values(rows[0] ?? {})[0];
      };
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('synchronous')).toBe(2); // FULL
      expect(await pragma('foreign_keys')).toBe(1);
      expect(await pragma('busy_timeout')).toBe(5000);
    });
  }
});
