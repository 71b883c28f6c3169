// Accounts: who owns jobs, identities and credits. A new account's starting credits are a
// ledger grant, so the balance always equals the sum of the ledger.
import { randomUUID } from 'node:crypto';

import type { Kysely } from 'kysely';

import { AppError } from '../errors/index.js';
import { grant } from '../ledger/index.js';
import { type Account, type Clock, type Database, isoNow, systemClock } from '../store/index.js';

type Db = Kysely<Database>;

export async function createAccount(
  db: Db,
  input: { name: string; credits: number },
  clock: Clock = systemClock,
): Promise<Account> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200) {
    throw new AppError('BAD_REQUEST', 400, 'An account name must be 1 to 200 characters.');
  }
  return db.transaction().execute(async (trx) => {
    const id = randomUUID();
    await trx
      .insertInto('accounts')
      .values({ id, name, balance: 0, created_at: isoNow(clock) })
      .execute();
    if (input.credits > 0) await grant(trx, id, input.credits, 'starting credits', clock);
    return trx.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  });
}

export async function getAccount(db: Db, id: string): Promise<Account | undefined> {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listAccounts(db: Db): Promise<Account[]> {
  return db.selectFrom('accounts').selectAll().orderBy('created_at').execute();
}

export async function countAccounts(db: Db): Promise<number> {
  const row = await db
    .selectFrom('accounts')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
