// Identities and their credentials. Secrets are sealed before they touch the database and
// opened only for a running job; every read the API serves is metadata.
import { randomUUID } from 'node:crypto';

import { AppError, conflict, notFound } from '../errors/index.js';
import { AuthExpiredError, type OpenCredential } from '../runtime/index.js';
import {
  type Clock,
  type CredentialRow,
  type IdentityRow,
  isoNow,
  systemClock,
} from '../store/index.js';
import { parseOpened } from './credential-data.js';
import {
  credentialRowsOf,
  type Db,
  findIdentityRow,
  insertCredential,
  sealedCredentialRow,
  isUniqueViolation,
  makeDefault,
  type NewCredential,
} from './credential.repo.js';
import {
  type CredentialView,
  credentialView,
  type IdentityView,
  identityView,
} from './identity-view.js';
import { fixedKeyring, type Keyring } from './keyring.js';
import { isRememberedPassword } from './login-session.repo.js';
import type { MasterKey } from './master-key.js';
import { unreadableCredentials } from './rotation.service.js';
import { credentialAad, UnsealError, unseal } from './seal.js';

/** What PATCH /identities/{id} may change; at least one field is given. */
export interface IdentityChanges {
  name?: string;
  isDefault?: boolean;
}

function trimmedName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0) {
    throw new AppError('BAD_REQUEST', 400, 'An identity name must not be blank.', {
      details: '/name: must not be blank',
      issues: [{ path: '/name', message: 'must not be blank' }],
    });
  }
  return trimmed;
}

const nameTaken = (name: string): AppError =>
  conflict(`An identity named '${name}' already exists for this catalog.`);

export function createVault(deps: { db: Db; master: MasterKey | Keyring; clock?: Clock }) {
  const { db } = deps;
  // A bare key is a keyring of one: tests and tools need not build a keyring.
  const keys = 'current' in deps.master ? deps.master : fixedKeyring(deps.master);
  const clock = deps.clock ?? systemClock;

  async function identityRow(accountId: string, id: string): Promise<IdentityRow> {
    const row = await findIdentityRow(db, accountId, id);
    if (!row) throw notFound(`Identity '${id}' not found.`);
    return row;
  }

  async function nameClash(identity: IdentityRow, name: string, trx: Db = db): Promise<boolean> {
    const clash = await trx
      .selectFrom('identities')
      .select('id')
      .where('account_id', '=', identity.account_id)
      .where('catalog_slug', '=', identity.catalog_slug)
      .where('name', '=', name)
      .where('id', '<>', identity.id)
      .executeTakeFirst();
    return clash !== undefined;
  }

  return {
    /** Creates an identity (and its first credential); a duplicate name is a 409. */
    async createIdentity(
      accountId: string,
      input: { catalogSlug: string; name: string; isDefault?: boolean; credential?: NewCredential },
    ): Promise<IdentityView> {
      const name = trimmedName(input.name);
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
      if (await nameClash(row, name)) throw nameTaken(name);
      // Sealed before the transaction: a malformed credential is a 400 with nothing written.
      const credential =
        input.credential && sealedCredentialRow(keys.current, row, input.credential, clock);
      try {
        const credentials = await db.transaction().execute(async (trx) => {
          await trx.insertInto('identities').values(row).execute();
          if (input.isDefault) await makeDefault(trx, row, now);
          return credential ? [await insertCredential(trx, credential)] : [];
        });
        return identityView(row, credentials);
      } catch (error) {
        if (isUniqueViolation(error)) throw nameTaken(name);
        throw error;
      }
    },

    async listIdentities(accountId: string, catalogSlug?: string): Promise<IdentityView[]> {
      let query = db.selectFrom('identities').selectAll().where('account_id', '=', accountId);
      if (catalogSlug !== undefined) query = query.where('catalog_slug', '=', catalogSlug);
      const rows = await query.orderBy('created_at').orderBy('id').execute();
      const creds = await credentialRowsOf(
        db,
        rows.map((r) => r.id),
      );
      return rows.map((r) =>
        identityView(
          r,
          creds.filter((c) => c.identity_id === r.id),
        ),
      );
    },

    async getIdentity(accountId: string, id: string): Promise<IdentityView> {
      const row = await identityRow(accountId, id);
      return identityView(row, await credentialRowsOf(db, [row.id]));
    },

    /**
     * Renames an identity and/or sets its default flag in one transaction. Becoming the
     * default clears the catalog's other default; a name another identity of the catalog
     * has is a 409.
     */
    async updateIdentity(accountId: string, id: string, changes: IdentityChanges): Promise<void> {
      const name = changes.name === undefined ? undefined : trimmedName(changes.name);
      const identity = await identityRow(accountId, id);
      const now = isoNow(clock);
      try {
        await db.transaction().execute(async (trx) => {
          if (name !== undefined && name !== identity.name) {
            if (await nameClash(identity, name, trx)) throw nameTaken(name);
            await trx
              .updateTable('identities')
              .set({ name, updated_at: now })
              .where('id', '=', identity.id)
              .execute();
          }
          if (changes.isDefault === true) await makeDefault(trx, identity, now);
          if (changes.isDefault === false) {
            await trx
              .updateTable('identities')
              .set({ is_default: 0, updated_at: now })
              .where('id', '=', identity.id)
              .where('is_default', '=', 1)
              .execute();
          }
        });
      } catch (error) {
        // Two renames racing to one name: the unique index stops the second.
        if (isUniqueViolation(error) && name !== undefined) throw nameTaken(name);
        throw error;
      }
    },

    /** Deletes an identity; its credentials go with it (ON DELETE CASCADE). */
    async deleteIdentity(accountId: string, id: string): Promise<void> {
      const result = await db
        .deleteFrom('identities')
        .where('id', '=', id)
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      if (result.numDeletedRows === 0n) throw notFound(`Identity '${id}' not found.`);
    },

    async addCredential(
      accountId: string,
      identityId: string,
      input: NewCredential,
    ): Promise<CredentialView> {
      const identity = await identityRow(accountId, identityId);
      const row = await insertCredential(
        db,
        sealedCredentialRow(keys.current, identity, input, clock),
      );
      return credentialView(row);
    },

    /** Deletes a credential. Queued jobs that named it fail with EXECUTION_FAILED and a refund. */
    async deleteCredential(accountId: string, id: string): Promise<void> {
      const result = await db
        .deleteFrom('credentials')
        .where('id', '=', id)
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      if (result.numDeletedRows === 0n) throw notFound(`Credential '${id}' not found.`);
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
      const creds = await credentialRowsOf(
        db,
        identities.map((i) => i.id),
      );
      // A password remembered for re-login is the sign-in's, never a job's.
      const usable = creds.filter((c) => !isRememberedPassword(c));
      return usable.filter((c) => c.status === 'active').at(-1) ?? usable.at(-1);
    },

    /** Decrypts a credential for one running job. Throws UnsealError when it will not open. */
    async open(credentialId: string): Promise<OpenCredential> {
      const row = await db
        .selectFrom('credentials')
        .selectAll()
        .where('id', '=', credentialId)
        .executeTakeFirst();
      // A job queued before its credential was deleted reaches here; it fails, refunded.
      if (!row) throw new UnsealError('the credential was deleted.');
      // Expired since the job was queued (another job, a probe): fail at no cost, never
      // sending a dead session to the site.
      if (row.status === 'expired') {
        throw new AuthExpiredError(
          `The stored login expired before this job ran (${row.status_reason ?? 'expired'}); please reconnect.`,
        );
      }
      return parseOpened(unseal(keys, row.sealed, credentialAad(row)));
    },

    /**
     * Fails closed at startup: throws, naming how many credentials are sealed under master keys
     * this process does not hold, instead of serving jobs that would fail one by one.
     */
    async checkReadable(): Promise<void> {
      const unreadable = await unreadableCredentials(db, keys.ids());
      if (unreadable.count === 0) return;
      const byKey = unreadable.byKey.map((k) => `${k.count} under key ${k.keyId}`).join(', ');
      throw new Error(
        `${unreadable.count} credential(s) are sealed under a master key this server does not hold ` +
          `(${byKey}; e.g. credential ${unreadable.sample.join(', ')}). ` +
          `Held keys: ${keys.ids().join(', ')}. Configure the key that sealed them as ` +
          'TASKWIRE_MASTER_KEY or in TASKWIRE_PREVIOUS_MASTER_KEYS (see docs/identities.md, ' +
          '"Rotating the master key"); if it is lost, delete those credentials.',
      );
    },
  };
}

export type Vault = ReturnType<typeof createVault>;
