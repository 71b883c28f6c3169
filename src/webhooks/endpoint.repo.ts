// SQL for account webhook endpoints and the account's task-webhook secret.
import type { Kysely } from 'kysely';

import {
  type Clock,
  type Database,
  isoNow,
  type WebhookEndpointRow,
  type Writer,
} from '../store/index.js';
import { newSecret } from './signing.js';

type Db = Kysely<Database>;

export async function insertEndpoint(db: Db, row: WebhookEndpointRow): Promise<void> {
  await db.insertInto('webhook_endpoints').values(row).execute();
}

export async function countEndpoints(db: Db, accountId: string): Promise<number> {
  const row = await db
    .selectFrom('webhook_endpoints')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function listEndpoints(db: Db, accountId: string): Promise<WebhookEndpointRow[]> {
  return db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/**
 * Deletes the caller's endpoint; false when there is none (foreign ids read as unknown).
 * Its pending deliveries fail with it: nothing could sign them any more.
 */
export async function deleteEndpoint(
  db: Db,
  accountId: string,
  id: string,
  clock: Clock,
): Promise<boolean> {
  const result = await db
    .deleteFrom('webhook_endpoints')
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (Number(result.numDeletedRows) !== 1) return false;
  await db
    .updateTable('webhook_deliveries')
    .set({
      status: 'failed',
      next_attempt_at: null,
      last_error: `The webhook endpoint was deleted at ${isoNow(clock)}.`,
    })
    .where('webhook_id', '=', id)
    .where('status', '=', 'pending')
    .execute();
  return true;
}

/** The endpoint's signing secret, or undefined once the endpoint is deleted. */
export async function endpointSecret(db: Db, id: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('webhook_endpoints')
    .select('secret')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.secret;
}

/** Replaces (or creates) the account's task-webhook secret and returns the new one. */
export async function rotateAccountSecret(
  write: Writer,
  accountId: string,
  clock: Clock,
): Promise<string> {
  const secret = newSecret();
  const now = isoNow(clock);
  await write((trx) =>
    trx
      .insertInto('webhook_secrets')
      .values({ account_id: accountId, secret, created_at: now })
      .onConflict((oc) => oc.column('account_id').doUpdateSet({ secret, created_at: now }))
      .execute(),
  );
  return secret;
}

/** The account's task-webhook secret, created on first need (concurrent creators agree). */
export async function accountSecret(
  db: Db,
  write: Writer,
  accountId: string,
  clock: Clock,
): Promise<string> {
  const read = () =>
    db
      .selectFrom('webhook_secrets')
      .select('secret')
      .where('account_id', '=', accountId)
      .executeTakeFirst();
  const existing = await read();
  if (existing) return existing.secret;
  const secret = newSecret();
  await write((trx) =>
    trx
      .insertInto('webhook_secrets')
      .values({ account_id: accountId, secret, created_at: isoNow(clock) })
      .onConflict((oc) => oc.column('account_id').doNothing())
      .execute(),
  );
  return (await read())?.secret ?? secret;
}
