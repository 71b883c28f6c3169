// Credits: an append-only ledger plus a balance column kept equal to its sum. Every function
// takes the caller's `db | trx` first, so a debit can share a transaction with its job.
import { randomUUID } from 'node:crypto';

import { type Kysely, type RawBuilder, sql } from 'kysely';

import { AppError } from '../errors/index.js';
import {
  type Clock,
  type Database,
  isoNow,
  type LedgerEntry,
  systemClock,
} from '../store/index.js';

type Db = Kysely<Database>;

/** 402 with the figures a client needs to top up. */
export function insufficientCredits(balance: number, required: number): AppError {
  return new AppError(
    'INSUFFICIENT_CREDITS',
    402,
    `You need ${required} credits. Current balance: ${balance}`,
    { balance, required },
  );
}

/** Adds credits to an account (a top-up, or the starting credits of a new account). */
export async function grant(
  db: Db,
  accountId: string,
  amount: number,
  note?: string,
  clock: Clock = systemClock,
): Promise<number> {
  if (!Number.isInteger(amount) || amount <= 0) {
    throw new AppError(
      'BAD_REQUEST',
      400,
      `A grant must be a positive whole number, not ${amount}.`,
    );
  }
  const row = await db
    .updateTable('accounts')
    .set({ balance: sql`balance + ${amount}` })
    .where('id', '=', accountId)
    .returning('balance')
    .executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', 404, `Unknown account '${accountId}'.`);
  await insertEntry(db, accountId, 'grant', amount, null, note ?? null, clock);
  return row.balance;
}

/**
 * Takes `amount` credits for a job. The conditional decrement cannot overdraw whatever the
 * concurrency; when it matches no row the caller gets 402 with the current balance.
 */
export async function debit(
  db: Db,
  accountId: string,
  amount: number,
  jobId: string,
  clock: Clock = systemClock,
): Promise<number> {
  const row = await db
    .updateTable('accounts')
    .set({ balance: sql`balance - ${amount}` })
    .where('id', '=', accountId)
    .where('balance', '>=', amount)
    .returning('balance')
    .executeTakeFirst();
  if (!row) {
    const current = await balanceOf(db, accountId);
    throw insufficientCredits(current, amount);
  }
  await insertEntry(db, accountId, 'debit', -amount, jobId, null, clock);
  return row.balance;
}

/** A row another table gets only if the debit it goes with is made. */
export interface RowIfDebited {
  table: string;
  row: Record<string, string | number | null>;
}

/**
 * PostgreSQL: takes `amount` credits for a job and writes `rows` (the job itself, its log
 * line), all in one statement. The conditional decrement and the ledger entry are CTEs the
 * other inserts select from, so a refused debit writes nothing and the caller gets 402. In
 * its own implicit transaction the balance row stays locked only for the rest of this one
 * statement and its COMMIT, not for the several round trips of a client-side transaction:
 * submissions from one account queue on that row. Returns the new balance.
 */
export async function debitWith(
  db: Db,
  accountId: string,
  amount: number,
  jobId: string,
  rows: readonly RowIfDebited[],
  clock: Clock = systemClock,
): Promise<number> {
  const entry: RowIfDebited = {
    table: 'ledger_entries',
    row: {
      id: randomUUID(),
      account_id: accountId,
      kind: 'debit',
      amount: -amount,
      job_id: jobId,
      note: null,
      created_at: isoNow(clock),
    },
  };
  const inserts = [entry, ...rows].map(
    (r, i) => sql`${sql.id(`write_${i}`)} as (${insertIfDebited(r)})`,
  );
  const { rows: debited } = await sql<{ balance: number }>`
    with debited as (
      update accounts set balance = balance - ${amount}
      where id = ${accountId} and balance >= ${amount}
      returning balance
    ), ${sql.join(inserts)}
    select balance from debited`.execute(db);
  const row = debited[0];
  if (!row) throw insufficientCredits(await balanceOf(db, accountId), amount);
  return row.balance;
}

/** `insert … select` of one row, typed by the table's own row type, once per `debited` row. */
function insertIfDebited({ table, row }: RowIfDebited): RawBuilder<unknown> {
  const columns = Object.keys(row).map((c) => sql.id(c));
  const values = Object.keys(row).map((c) => sql.id('r', c));
  return sql`insert into ${sql.id(table)} (${sql.join(columns)})
    select ${sql.join(values)}
    from debited, json_populate_record(null::${sql.id(table)}, ${JSON.stringify(row)}::json) as r`;
}

/**
 * Gives back what a job was debited. The unique (job_id, kind) index makes a second refund
 * of the same job insert nothing, so the balance moves at most once. Returns the amount.
 */
export async function refund(
  db: Db,
  accountId: string,
  jobId: string,
  clock: Clock = systemClock,
): Promise<number> {
  const debited = await db
    .selectFrom('ledger_entries')
    .select('amount')
    .where('job_id', '=', jobId)
    .where('kind', '=', 'debit')
    .executeTakeFirst();
  if (!debited || debited.amount === 0) return 0;
  const amount = -debited.amount;
  const inserted = await db
    .insertInto('ledger_entries')
    .values({
      id: randomUUID(),
      account_id: accountId,
      kind: 'refund',
      amount,
      job_id: jobId,
      note: null,
      created_at: isoNow(clock),
    })
    .onConflict((oc) => oc.columns(['job_id', 'kind']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return 0;
  await db
    .updateTable('accounts')
    .set({ balance: sql`balance + ${amount}` })
    .where('id', '=', accountId)
    .execute();
  return amount;
}

export async function balanceOf(db: Db, accountId: string): Promise<number> {
  const row = await db
    .selectFrom('accounts')
    .select('balance')
    .where('id', '=', accountId)
    .executeTakeFirst();
  return row?.balance ?? 0;
}

export interface LedgerPage {
  entries: LedgerEntry[];
  total: number;
}

/** One page of an account's entries, newest first. */
export async function listEntries(
  db: Db,
  accountId: string,
  page: number,
  limit: number,
): Promise<LedgerPage> {
  const [entries, count] = await Promise.all([
    db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .offset((page - 1) * limit)
      .execute(),
    db
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('account_id', '=', accountId)
      .executeTakeFirstOrThrow(),
  ]);
  return { entries, total: Number(count.n) };
}

export interface LedgerMismatch {
  account_id: string;
  balance: number;
  ledger_sum: number;
}

/** Accounts whose balance differs from the sum of their entries (empty when all is well). */
export async function reconcile(db: Db): Promise<LedgerMismatch[]> {
  const rows = await db
    .selectFrom('accounts')
    .leftJoin('ledger_entries', 'ledger_entries.account_id', 'accounts.id')
    .select([
      'accounts.id as account_id',
      'accounts.balance as balance',
      (eb) =>
        eb.fn.coalesce(eb.fn.sum<number>('ledger_entries.amount'), eb.lit(0)).as('ledger_sum'),
    ])
    .groupBy(['accounts.id', 'accounts.balance'])
    .execute();
  return rows
    .map((r) => ({
      account_id: r.account_id,
      balance: r.balance,
      ledger_sum: Number(r.ledger_sum),
    }))
    .filter((r) => r.balance !== r.ledger_sum);
}

async function insertEntry(
  db: Db,
  accountId: string,
  kind: LedgerEntry['kind'],
  amount: number,
  jobId: string | null,
  note: string | null,
  clock: Clock,
): Promise<void> {
  await db
    .insertInto('ledger_entries')
    .values({
      id: randomUUID(),
      account_id: accountId,
      kind,
      amount,
      job_id: jobId,
      note,
      created_at: isoNow(clock),
    })
    .execute();
}
