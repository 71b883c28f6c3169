// SQL of what a sign-in leaves behind: the identity it lands on (found by name, or created),
// the browser session it produced, and — only when the person opted in — the sealed username
// and password used to sign in again. Both credentials are marked `metadata.source: "login"`
// and are refreshed in place on the next sign-in, so the ids jobs hold stay valid.
import { randomUUID } from 'node:crypto';

import type { CredentialType } from '../runtime/index.js';
import { type CredentialRow, fromJson, type IdentityRow, toJson } from '../store/index.js';
import type { Db } from './credential.repo.js';

/** `metadata.source` of the credentials a sign-in writes. */
export const LOGIN_SOURCE = 'login';

/** A credential sealed before the transaction that writes it (no crypto inside one). */
export interface SealedCredential {
  id: string;
  type: CredentialType;
  sealed: string;
  keyId: string;
  metadata: Record<string, unknown>;
  expiresAt: string | undefined;
  verifiedAt: string;
}

/** True for a credential a sign-in wrote (not one the person pasted or added). */
export function isFromLogin(row: Pick<CredentialRow, 'metadata'>): boolean {
  const metadata = fromJson(row.metadata) as { source?: unknown } | undefined;
  return metadata?.source === LOGIN_SOURCE;
}

/**
 * The remembered password of an identity is for signing in again, never for a job: a task
 * that resolves an identity's credential must not be handed it.
 */
export const isRememberedPassword = (row: CredentialRow): boolean =>
  row.credential_type === 'credentials' && isFromLogin(row);

/** The account's identity of this catalog with this name, if there is one. */
export async function identityNamed(
  db: Db,
  accountId: string,
  catalogSlug: string,
  name: string,
): Promise<IdentityRow | undefined> {
  return db
    .selectFrom('identities')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('catalog_slug', '=', catalogSlug)
    .where('name', '=', name)
    .executeTakeFirst();
}

/** The newest credential of `type` a sign-in wrote on the identity, if any. */
export async function loginCredentialOf(
  db: Db,
  identityId: string,
  type: CredentialType,
): Promise<CredentialRow | undefined> {
  const rows = await db
    .selectFrom('credentials')
    .selectAll()
    .where('identity_id', '=', identityId)
    .where('credential_type', '=', type)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.find(isFromLogin);
}

/** A new identity row, not yet inserted. */
export function newIdentity(accountId: string, catalogSlug: string, name: string, now: string) {
  const row: IdentityRow = {
    id: randomUUID(),
    account_id: accountId,
    catalog_slug: catalogSlug,
    name,
    is_default: 0,
    created_at: now,
    updated_at: now,
  };
  return row;
}

/**
 * Writes a sealed credential onto the identity: updates the row with that id in place (active
 * again, its reason cleared), or with `upsert` inserts it when there is none (first sign-in,
 * or deleted meanwhile). Returns the row as stored, or undefined when `update` found none.
 */
export async function writeLoginCredential(
  trx: Db,
  identity: Pick<IdentityRow, 'account_id' | 'catalog_slug'> & { id: string },
  credential: SealedCredential,
  now: string,
  mode: 'upsert' | 'update',
): Promise<CredentialRow | undefined> {
  const fields = {
    status: 'active' as const,
    status_reason: null,
    sealed: credential.sealed,
    key_id: credential.keyId,
    metadata: toJson(credential.metadata),
    expires_at: credential.expiresAt ?? null,
    last_verified_at: credential.verifiedAt,
    updated_at: now,
  };
  const updated = await trx
    .updateTable('credentials')
    .set(fields)
    .where('id', '=', credential.id)
    .where('identity_id', '=', identity.id)
    .executeTakeFirst();
  if (updated.numUpdatedRows === 0n) {
    if (mode === 'update') return undefined;
    await trx
      .insertInto('credentials')
      .values({
        ...fields,
        id: credential.id,
        identity_id: identity.id,
        account_id: identity.account_id,
        catalog_slug: identity.catalog_slug,
        credential_type: credential.type,
        last_used_at: null,
        created_at: now,
      })
      .execute();
  }
  return trx
    .selectFrom('credentials')
    .selectAll()
    .where('id', '=', credential.id)
    .executeTakeFirstOrThrow();
}

/** Deletes the identity's remembered password (the person signed in without opting in). */
export async function forgetPassword(trx: Db, identityId: string): Promise<void> {
  const rows = await trx
    .selectFrom('credentials')
    .select(['id', 'metadata'])
    .where('identity_id', '=', identityId)
    .where('credential_type', '=', 'credentials')
    .execute();
  const ids = rows.filter(isFromLogin).map((r) => r.id);
  if (ids.length > 0) await trx.deleteFrom('credentials').where('id', 'in', ids).execute();
}
