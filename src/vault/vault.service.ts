// Identities and their credentials. Secrets are sealed before they touch the database and
// opened only for a running job; every read the API serves is metadata.
import { randomUUID } from 'node:crypto';

import type { Kysely } from 'kysely';

import { AppError, conflict, notFound } from '../errors/index.js';
import type { CredentialType, OpenCredential } from '../runtime/index.js';
import {
  type Clock,
  type CredentialRow,
  type Database,
  fromJson,
  type IdentityRow,
  isoNow,
  systemClock,
  toJson,
} from '../store/index.js';
import { isCredentialType, parseCredentialData } from './credential-data.js';
import type { MasterKey } from './master-key.js';
import { seal, UnsealError, unseal } from './seal.js';

type Db = Kysely<Database>;

export interface CredentialView {
  id: string;
  identity_id: string;
  credential_type: string;
  status: 'active' | 'expired';
  status_reason?: string;
  expires_at?: string;
  last_used_at?: string;
  last_verified_at?: string;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface IdentityView {
  id: string;
  user_id: string;
  catalog_slug: string;
  name: string;
  is_default: boolean;
  created_at: string;
  updated_at: string;
  credentials: CredentialView[];
}

export interface NewCredential {
  type: CredentialType;
  data: unknown;
  metadata?: object;
}

/** Additional data binding a sealed secret to its account, row and type. */
const aadOf = (row: Pick<CredentialRow, 'account_id' | 'id' | 'credential_type'>): string =>
  `credential|v1|${row.account_id}|${row.id}|${row.credential_type}`;

function credentialView(row: CredentialRow): CredentialView {
  const view: CredentialView = {
    id: row.id,
    identity_id: row.identity_id,
    credential_type: row.credential_type,
    status: row.status,
    metadata: (fromJson(row.metadata) ?? {}) as Record<string, unknown>,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
  if (row.status_reason) view.status_reason = row.status_reason;
  if (row.expires_at) view.expires_at = row.expires_at;
  if (row.last_used_at) view.last_used_at = row.last_used_at;
  if (row.last_verified_at) view.last_verified_at = row.last_verified_at;
  return view;
}

const identityView = (row: IdentityRow, credentials: CredentialRow[]): IdentityView => ({
  id: row.id,
  user_id: row.account_id,
  catalog_slug: row.catalog_slug,
  name: row.name,
  is_default: row.is_default === 1,
  created_at: row.created_at,
  updated_at: row.updated_at,
  credentials: credentials.map(credentialView),
});

/** A decrypted secret is `unknown` until it is checked to be the credential it claims. */
function parseOpened(value: unknown): OpenCredential {
  const record = (value ?? {}) as { type?: unknown; [k: string]: unknown };
  if (!isCredentialType(record.type))
    throw new UnsealError('Decrypted credential has no known type.');
  const data =
    record.type === 'browser_state'
      ? record.state
      : record.type === 'api_key'
        ? record.key
        : record.type === 'token'
          ? record.token
          : { username: record.username, password: record.password };
  try {
    return parseCredentialData(record.type, data);
  } catch {
    throw new UnsealError(`Decrypted ${record.type} credential is malformed.`);
  }
}

export function createVault(deps: { db: Db; master: MasterKey; clock?: Clock }) {
  const { db, master } = deps;
  const clock = deps.clock ?? systemClock;

  async function insertCredential(
    trx: Db,
    identity: IdentityRow,
    input: NewCredential,
  ): Promise<CredentialRow> {
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
      status: 'active',
      status_reason: null,
      sealed: seal(master, secret, aadOf(base)),
      key_id: master.id,
      metadata: toJson(input.metadata ?? {}),
      expires_at: typeof expiresAt === 'string' ? expiresAt : null,
      last_used_at: null,
      last_verified_at: null,
      created_at: now,
      updated_at: now,
    };
    await trx.insertInto('credentials').values(row).execute();
    return row;
  }

  async function identityRow(accountId: string, id: string): Promise<IdentityRow> {
    const row = await db
      .selectFrom('identities')
      .selectAll()
      .where('id', '=', id)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    if (!row) throw notFound(`Identity '${id}' not found.`);
    return row;
  }

  async function credentialsOf(identityIds: string[]): Promise<CredentialRow[]> {
    if (identityIds.length === 0) return [];
    return db
      .selectFrom('credentials')
      .selectAll()
      .where('identity_id', 'in', identityIds)
      .orderBy('created_at')
      .execute();
  }

  return {
    /** Creates an identity (and its first credential); a duplicate name is a 409. */
    async createIdentity(
      accountId: string,
      input: { catalogSlug: string; name: string; isDefault?: boolean; credential?: NewCredential },
    ): Promise<IdentityView> {
      const name = input.name.trim();
      if (name.length === 0) {
        throw new AppError('BAD_REQUEST', 400, 'An identity name must not be blank.');
      }
      const clash = await db
        .selectFrom('identities')
        .select('id')
        .where('account_id', '=', accountId)
        .where('catalog_slug', '=', input.catalogSlug)
        .where('name', '=', name)
        .executeTakeFirst();
      if (clash) throw conflict(`An identity named '${name}' already exists for this catalog.`);
      // Parse before the transaction so a malformed credential is a 400 with nothing written.
      if (input.credential) parseCredentialData(input.credential.type, input.credential.data);
      const now = isoNow(clock);
      const row: IdentityRow = {
        id: randomUUID(),
        account_id: accountId,
        catalog_slug: input.catalogSlug,
        name,
        is_default: input.isDefault ? 1 : 0,
        created_at: now,
        updated_at: now,
      };
      const credentials = await db.transaction().execute(async (trx) => {
        if (input.isDefault) {
          await trx
            .updateTable('identities')
            .set({ is_default: 0, updated_at: now })
            .where('account_id', '=', accountId)
            .where('catalog_slug', '=', input.catalogSlug)
            .where('is_default', '=', 1)
            .execute();
        }
        await trx.insertInto('identities').values(row).execute();
        return input.credential ? [await insertCredential(trx, row, input.credential)] : [];
      });
      return identityView(row, credentials);
    },

    async listIdentities(accountId: string, catalogSlug?: string): Promise<IdentityView[]> {
      let query = db.selectFrom('identities').selectAll().where('account_id', '=', accountId);
      if (catalogSlug !== undefined) query = query.where('catalog_slug', '=', catalogSlug);
      const rows = await query.orderBy('created_at').orderBy('id').execute();
      const creds = await credentialsOf(rows.map((r) => r.id));
      return rows.map((r) =>
        identityView(
          r,
          creds.filter((c) => c.identity_id === r.id),
        ),
      );
    },

    async getIdentity(accountId: string, id: string): Promise<IdentityView> {
      const row = await identityRow(accountId, id);
      return identityView(row, await credentialsOf([row.id]));
    },

    async addCredential(
      accountId: string,
      identityId: string,
      input: NewCredential,
    ): Promise<CredentialView> {
      const identity = await identityRow(accountId, identityId);
      parseCredentialData(input.type, input.data);
      const row = await db.transaction().execute((trx) => insertCredential(trx, identity, input));
      return credentialView(row);
    },

    /** The caller's credential by id, or undefined when it is unknown or someone else's. */
    async findCredential(accountId: string, id: string): Promise<CredentialRow | undefined> {
      return db
        .selectFrom('credentials')
        .selectAll()
        .where('id', '=', id)
        .where('account_id', '=', accountId)
        .executeTakeFirst();
    },

    /** The credential a task without `credential_id` uses: the default identity's, else the only one's. */
    async defaultCredential(
      accountId: string,
      catalogSlug: string,
      identityId?: string,
    ): Promise<CredentialRow | undefined> {
      let identities = await db
        .selectFrom('identities')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('catalog_slug', '=', catalogSlug)
        .execute();
      if (identityId !== undefined) identities = identities.filter((i) => i.id === identityId);
      else {
        const chosen = identities.find((i) => i.is_default === 1);
        identities = chosen ? [chosen] : identities.length === 1 ? identities : [];
      }
      const creds = await credentialsOf(identities.map((i) => i.id));
      return creds.filter((c) => c.status === 'active').at(-1) ?? creds.at(-1);
    },

    /** Decrypts a credential for one running job. Throws UnsealError when it will not open. */
    async open(credentialId: string): Promise<OpenCredential> {
      const row = await db
        .selectFrom('credentials')
        .selectAll()
        .where('id', '=', credentialId)
        .executeTakeFirstOrThrow();
      return parseOpened(unseal(master, row.sealed, aadOf(row)));
    },
  };
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

export type Vault = ReturnType<typeof createVault>;
