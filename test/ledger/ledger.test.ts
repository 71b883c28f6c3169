// The ledger on both dialects: no overdraft under concurrency, refund exactly once, and the
// balance always equal to the sum of the entries.
import { afterEach, describe, expect, it } from 'vitest';

import { createAccount } from '../../src/accounts/index.js';
import { AppError } from '../../src/errors/index.js';
import { balanceOf, debit, grant, listEntries, reconcile, refund } from '../../src/ledger/index.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';

describe.each(DIALECTS)('ledger on %s', (dialect) => {
  let database: TestDatabase;
  afterEach(async () => database?.drop());

  it('never overdraws: of 60 concurrent debits against 10 credits exactly 10 succeed', async () => {
    database = await createTestDatabase(dialect);
    const { db } = database.store;
    const account = await createAccount(db, { name: 'a', credits: 10 });
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) =>
        db.transaction().execute((trx) => debit(trx, account.id, 1, `job-${i}`)),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter((r) => r.status === 'rejected');
    expect(ok).toBe(10);
    expect(refused).toHaveLength(50);
    for (const r of refused) {
      const reason = r.reason as AppError;
      expect(reason).toBeInstanceOf(AppError);
      expect(reason.code).toBe('INSUFFICIENT_CREDITS');
      expect(reason.status).toBe(402);
    }
    expect(await balanceOf(db, account.id)).toBe(0);
    expect(await reconcile(db)).toEqual([]);
  });

  it('refunds a failed job exactly once, even when refunds race', async () => {
    database = await createTestDatabase(dialect);
    const { db } = database.store;
    const account = await createAccount(db, { name: 'a', credits: 10 });
    await db.transaction().execute((trx) => debit(trx, account.id, 4, 'job-x'));
    const amounts = await Promise.all(
      Array.from({ length: 5 }, () =>
        db.transaction().execute((trx) => refund(trx, account.id, 'job-x')),
      ),
    );
    expect(amounts.filter((a) => a === 4)).toHaveLength(1);
    expect(amounts.filter((a) => a === 0)).toHaveLength(4);
    expect(await balanceOf(db, account.id)).toBe(10);
    const { entries } = await listEntries(db, account.id, 1, 50);
    expect(entries.map((e) => e.kind).sort()).toEqual(['debit', 'grant', 'refund']);
    expect(await reconcile(db)).toEqual([]);
  });

  it('refunds nothing for a job that was never debited', async () => {
    database = await createTestDatabase(dialect);
    const { db } = database.store;
    const account = await createAccount(db, { name: 'a', credits: 3 });
    expect(await refund(db, account.id, 'never')).toBe(0);
    expect(await balanceOf(db, account.id)).toBe(3);
  });

  it('rejects grants that are not positive whole numbers', async () => {
    database = await createTestDatabase(dialect);
    const { db } = database.store;
    const account = await createAccount(db, { name: 'a', credits: 0 });
    await expect(grant(db, account.id, 0)).rejects.toThrow(AppError);
    await expect(grant(db, account.id, 1.5)).rejects.toThrow(AppError);
    expect(await grant(db, account.id, 7)).toBe(7);
  });

  it('keeps the database’s own no-overdraft check even if code tried to go below zero', async () => {
    database = await createTestDatabase(dialect);
    const { db } = database.store;
    const account = await createAccount(db, { name: 'a', credits: 1 });
    await expect(
      db.updateTable('accounts').set({ balance: -1 }).where('id', '=', account.id).execute(),
    ).rejects.toThrow();
  });
});
