// Sign-in through a catalog's own login form (POST /login) and automatic re-login. The session
// a sign-in produces becomes the identity's `browser_state` credential; the password is used
// and forgotten unless the person opts in (`remember_password`), in which case it is sealed
// like any secret as a `credentials` credential that only `relogin` ever opens.
import { randomUUID } from 'node:crypto';

import { AppError, badRequest, type ErrorCode, notFound } from '../errors/index.js';
import type { BrowserProvider, CredentialType } from '../runtime/index.js';
import { type Clock, type CredentialRow, fromJson, isoNow, systemClock } from '../store/index.js';
import { parseCredentialData, parseOpened } from './credential-data.js';
import { type Db, isUniqueViolation, markCredentialExpired } from './credential.repo.js';
import { fixedKeyring, type Keyring } from './keyring.js';
import { checkLoginParams, type LoginSession, type LoginTarget, runLogin } from './login-run.js';
import {
  forgetPassword,
  identityNamed,
  LOGIN_SOURCE,
  loginCredentialOf,
  newIdentity,
  type SealedCredential,
  writeLoginCredential,
} from './login-session.repo.js';
import type { MasterKey } from './master-key.js';
import { credentialAad, seal, unseal } from './seal.js';

export interface LoginDeps {
  db: Db;
  master: MasterKey | Keyring;
  clock?: Clock;
  /** The browser pool; without one every sign-in is 502 LOGIN_FAILED. */
  browser: BrowserProvider | undefined;
  /** Time budget of one sign-in, ms (TASKWIRE_LOGIN_TIMEOUT_MS). */
  timeoutMs: number;
  /** The catalog with this slug as a sign-in target, when it has a login flow. */
  target(slug: string): LoginTarget | undefined;
  /** The catalog's display name, for messages about catalogs without a login flow. */
  catalogName(slug: string): string | undefined;
  /** Outcome lines for the server log: ids and codes only, never a field value. */
  log?: (fields: Record<string, unknown>, message: string) => void;
}

export interface LoginInput {
  catalogSlug: string;
  /** The login fields, unchecked. */
  params: unknown;
  /** The identity to sign in as (created when absent); default: "<Catalog> (<username>)". */
  identityName?: string;
  /** Keep the password (sealed) to sign in again when the session dies. */
  rememberPassword?: boolean;
}

export interface LoginResult {
  identityId: string;
  identityName: string;
  credentialId: string;
  catalogSlug: string;
  expiresAt?: string;
}

/** How an automatic re-login of a dead `browser_state` credential went. */
export type ReloginResult =
  | { status: 'refreshed'; credentialId: string; expiresAt?: string }
  | {
      status: 'unavailable';
      reason: 'not_found' | 'no_login_flow' | 'no_remembered_password';
    }
  | { status: 'failed'; code: ErrorCode; message: string };

const IDENTITY_NAME_MAX = 200;

export function createLogins(deps: LoginDeps) {
  const { db } = deps;
  const keys = 'current' in deps.master ? deps.master : fixedKeyring(deps.master);
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? (() => undefined);

  function targetFor(slug: string): LoginTarget {
    const target = deps.target(slug);
    if (target) return target;
    const name = deps.catalogName(slug);
    if (name === undefined) throw notFound(`Catalog '${slug}' not found.`);
    throw badRequest(
      `${name} has no login form Taskwire can sign in with; connect it by pasting a browser session at ${`/products/holocron/${slug}/connect`}.`,
      [{ path: '/catalog_slug', message: 'this catalog has no login flow' }],
    );
  }

  /** Seals an already-parsed secret for the row it will live in; done before any transaction. */
  function sealed(
    accountId: string,
    id: string,
    type: CredentialType,
    data: unknown,
    metadata: Record<string, unknown>,
    session: Pick<LoginSession, 'expiresAt'>,
    now: string,
  ): SealedCredential {
    const secret = parseCredentialData(type, data);
    return {
      id,
      type,
      sealed: seal(
        keys.current,
        secret,
        credentialAad({ account_id: accountId, id, credential_type: type }),
      ),
      keyId: keys.current.id,
      metadata,
      expiresAt: session.expiresAt,
      verifiedAt: now,
    };
  }

  /** Stores the session (and the opted-in password) on the identity named `name`. */
  async function save(
    accountId: string,
    target: LoginTarget,
    name: string,
    params: Record<string, string>,
    session: LoginSession,
    remember: boolean,
  ): Promise<CredentialRow> {
    for (let attempt = 1; ; attempt += 1) {
      const now = isoNow(clock);
      const existing = await identityNamed(db, accountId, target.slug, name);
      const identity = existing ?? newIdentity(accountId, target.slug, name, now);
      const earlier = async (type: CredentialType) =>
        existing ? (await loginCredentialOf(db, existing.id, type))?.id : undefined;
      const metadata = {
        source: LOGIN_SOURCE,
        ...(params.username !== undefined ? { username: params.username } : {}),
      };
      const sessionCredential = sealed(
        accountId,
        (await earlier('browser_state')) ?? randomUUID(),
        'browser_state',
        session.state,
        metadata,
        session,
        now,
      );
      const password = remember
        ? sealed(
            accountId,
            (await earlier('credentials')) ?? randomUUID(),
            'credentials',
            {
              username: params.username,
              password: params.password,
              totp_secret: params.totp_secret,
            },
            { ...metadata, purpose: 'relogin' },
            {},
            now,
          )
        : undefined;
      try {
        return await db.transaction().execute(async (trx) => {
          if (!existing) await trx.insertInto('identities').values(identity).execute();
          const row = await writeLoginCredential(trx, identity, sessionCredential, now, 'upsert');
          if (password) await writeLoginCredential(trx, identity, password, now, 'upsert');
          else await forgetPassword(trx, identity.id);
          return row as CredentialRow;
        });
      } catch (error) {
        // Another request created an identity of that name meanwhile: sign it in instead.
        if (attempt === 1 && isUniqueViolation(error)) continue;
        throw error;
      }
    }
  }

  /** Records a failed re-login on the credentials (see `relogin`). */
  async function failRelogin(
    session: CredentialRow,
    remembered: CredentialRow,
    code: ErrorCode,
    message: string,
  ): Promise<ReloginResult> {
    await markCredentialExpired(db, session.id, 'login_failed', clock);
    // The site said the password (or its second factor) is wrong: stop trying it.
    if (code === 'BAD_PASSWORD' || code === 'MFA_REQUIRED') {
      await markCredentialExpired(db, remembered.id, 'login_failed', clock);
    }
    log({ catalog: session.catalog_slug, credential_id: session.id, code }, 're-login failed');
    return { status: 'failed', code, message };
  }

  return {
    /** Signs in with the catalog's login form and stores the session; see LoginInput. */
    async login(accountId: string, input: LoginInput): Promise<LoginResult> {
      const target = targetFor(input.catalogSlug);
      const params = checkLoginParams(target, input.params);
      const name = (
        input.identityName?.trim() ||
        (params.username ? `${target.name} (${params.username})` : `${target.name} sign-in`)
      ).slice(0, IDENTITY_NAME_MAX);
      if (params.username === undefined && input.rememberPassword) {
        throw badRequest(`${target.name}'s login has no username, so it cannot be remembered.`, [
          { path: '/remember_password', message: 'needs a username login field' },
        ]);
      }
      let session: LoginSession;
      try {
        session = await runLogin(deps, target, params);
      } catch (error) {
        const code = error instanceof AppError ? error.code : 'LOGIN_FAILED';
        log({ catalog: target.slug, account_id: accountId, code }, 'sign-in failed');
        throw error;
      }
      const row = await save(
        accountId,
        target,
        name,
        params,
        session,
        input.rememberPassword === true,
      );
      log(
        { catalog: target.slug, identity_id: row.identity_id, credential_id: row.id },
        'signed in',
      );
      return {
        identityId: row.identity_id,
        identityName: name,
        credentialId: row.id,
        catalogSlug: target.slug,
        ...(row.expires_at ? { expiresAt: row.expires_at } : {}),
      };
    },

    /**
     * Signs in again for a dead `browser_state` credential with its identity's remembered
     * password, refreshing the credential in place (same id, `active`). When that fails the
     * credential is `expired` with `status_reason: login_failed`, and a password the site
     * rejected is marked expired too, so it is not tried again.
     */
    async relogin(credentialId: string): Promise<ReloginResult> {
      const row = await db
        .selectFrom('credentials')
        .selectAll()
        .where('id', '=', credentialId)
        .executeTakeFirst();
      if (!row || row.credential_type !== 'browser_state') {
        return { status: 'unavailable', reason: 'not_found' };
      }
      const target = deps.target(row.catalog_slug);
      if (!target) return { status: 'unavailable', reason: 'no_login_flow' };
      const remembered = await loginCredentialOf(db, row.identity_id, 'credentials');
      if (remembered?.status !== 'active') {
        return { status: 'unavailable', reason: 'no_remembered_password' };
      }
      let params: Record<string, string>;
      try {
        const opened = parseOpened(unseal(keys, remembered.sealed, credentialAad(remembered)));
        if (opened.type !== 'credentials' || opened.password === undefined) {
          return { status: 'unavailable', reason: 'no_remembered_password' };
        }
        params = checkLoginParams(target, {
          username: opened.username,
          password: opened.password,
          ...(opened.totpSecret !== undefined ? { totp_secret: opened.totpSecret } : {}),
        });
      } catch {
        return failRelogin(
          row,
          remembered,
          'LOGIN_FAILED',
          'The remembered password could not be opened.',
        );
      }
      try {
        const session = await runLogin(deps, target, params);
        const now = isoNow(clock);
        const metadata = (fromJson(row.metadata) ?? {}) as Record<string, unknown>;
        const refreshed = sealed(
          row.account_id,
          row.id,
          'browser_state',
          session.state,
          metadata,
          session,
          now,
        );
        const written = await db
          .transaction()
          .execute((trx) =>
            writeLoginCredential(
              trx,
              { id: row.identity_id, account_id: row.account_id, catalog_slug: row.catalog_slug },
              refreshed,
              now,
              'update',
            ),
          );
        // Deleted while we signed in: nothing to refresh.
        if (!written) return { status: 'unavailable', reason: 'not_found' };
        log({ catalog: target.slug, credential_id: row.id }, 're-login refreshed a session');
        return {
          status: 'refreshed',
          credentialId: row.id,
          ...(session.expiresAt !== undefined ? { expiresAt: session.expiresAt } : {}),
        };
      } catch (error) {
        const code = error instanceof AppError ? error.code : 'LOGIN_FAILED';
        const message = error instanceof AppError ? error.message : 'The re-login failed.';
        return failRelogin(row, remembered, code, message);
      }
    },
  };
}

export type Logins = ReturnType<typeof createLogins>;
