// SQL of the vault's two tables. Each function takes `db` or a transaction first; every read
// a caller could aim at another account's rows is scoped by account.
import { randomUUID } from 'node:crypto';

import { type Kysely, sql } from 'kysely';

import type { CredentialType } from '../runtime/index.js';
import {
  type Clock,
  type CredentialRow,
  type Database,
  type IdentityRow,
  isoNow,
  systemClock,
  toJson,
} from '../store/index.js';
import { parseCredentialData } from './credential-data.js';
import type { MasterKey } from './master-key.js';
import { credentialAad, seal } from './seal.js';

export type Db = Kysely<Database>;

export interface NewCredential {
  type: CredentialType;
  data: unknown;
  metadata?: object;
  /** What the catalog's probe said when it was saved; unprobed credentials start `active`. */
  verification?: { status: 'active' | 'expired'; reason?: string; verifiedAt: string };
}

/** The account's identity, or undefined when it is unknown or someone else's. */
export async function findIdentityRow(
  db: Db,
  accountId: string,
  id: string,
): Promise<IdentityRow | undefined> {
  return db
    .selectFrom('identities')
    .selectAll()
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
}

/** The credentials of these identities, oldest first. */
export async function credentialRowsOf(db: Db, identityIds: string[]): Promise<CredentialRow[]> {
  if (identityIds.length === 0) return [];
  return db
    .selectFrom('credentials')
    .selectAll()
    .where('identity_id', 'in', identityIds)
    .orderBy('created_at')
    .execute();
}

/**
 * The row of a new credential of `identity`, its secret parsed and sealed. Call it before the
 * transaction that inserts the row: a malformed secret then throws with nothing written, and
 * no transaction waits on the parsing and encryption.
 */
export function sealedCredentialRow(
  master: MasterKey,
  identity: IdentityRow,
  input: NewCredential,
  clock: Clock,
): CredentialRow {
  const secret = parseCredentialData(input.type, input.data);
  const now = isoNow(clock);
  const base = {
    id: randomUUID(),
    identity_id: identity.id,
    account_id: identity.account_id,
    catalog_slug: identity.catalog_slug,
    credential_type: input.type,
  };
  const expiresAt = (input.metadata as { expires_at?: unknown } | undefined)?.expires_at;
  const row: CredentialRow = {
    ...base,
    status: input.verification?.status ?? 'active',
    status_reason: input.verification?.reason ?? null,
    sealed: seal(master, secret, credentialAad(base)),
    key_id: master.id,
    metadata: toJson(input.metadata ?? {}),
    expires_at: typeof expiresAt === 'string' ? expiresAt : null,
    last_used_at: null,
    last_verified_at: input.verification?.verifiedAt ?? null,
    created_at: now,
    updated_at: now,
  };
  return row;
}

export async function insertCredential(db: Db, row: CredentialRow): Promise<CredentialRow> {
  await db.insertInto('credentials').values(row).execute();
  return row;
}

/**
 * Makes `identity` the only default of its account and catalog. One UPDATE over all of that
 * catalog's identities: concurrent calls lock the same rows in the same order, so the last
 * to commit wins and there is never a second default (two statements could interleave).
 */
export async function makeDefault(trx: Db, identity: IdentityRow, now: string): Promise<void> {
  await trx
    .updateTable('identities')
    .set({
      is_default: sql<number>`case when id = ${identity.id} then 1 else 0 end`,
      updated_at: sql<string>`case when id = ${identity.id} or is_default = 1 then ${now} else updated_at end`,
    })
    .where('account_id', '=', identity.account_id)
    .where('catalog_slug', '=', identity.catalog_slug)
    .execute();
}

/** True for a unique-constraint violation on either dialect (a race past our own check). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Stamps `last_used_at` on the credentials jobs are about to use, in the claim's transaction. */
export async function touchCredentials(
  db: Db,
  ids: string[],
  clock: Clock = systemClock,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('credentials')
    .set({ last_used_at: isoNow(clock) })
    .where('id', 'in', [...new Set(ids)])
    .execute();
}

/** Marks a credential expired; shares the caller's transaction so it moves with the job. */
export async function markCredentialExpired(
  db: Db,
  credentialId: string,
  reason: string,
  clock: Clock = systemClock,
): Promise<void> {
  const now = isoNow(clock);
  await db
    .updateTable('credentials')
    .set({ status: 'expired', status_reason: reason, updated_at: now })
    .where('id', '=', credentialId)
    .execute();
}
