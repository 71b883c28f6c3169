// Keeping stored logins true: each catalog's "who am I" probe runs when a credential is saved,
// on POST /credentials/verify and periodically, so `status`, `status_reason` and
// `last_verified_at` say what the site says — before a job pays to find out. A probe that
// finds a session dead tries an opted-in re-login first.
import { AppError, badRequest, notFound } from '../errors/index.js';
import type { CredentialProbe, HttpClient, OpenCredential } from '../runtime/index.js';
import { ActionError } from '../runtime/index.js';
import { type Clock, type CredentialRow, isoNow, systemClock } from '../store/index.js';
import { parseOpened } from './credential-data.js';
import {
  credentialRowsOf,
  type Db,
  findIdentityRow,
  markCredentialExpired,
} from './credential.repo.js';
import { fixedKeyring, type Keyring } from './keyring.js';
import type { ReloginResult } from './login.service.js';
import { isRememberedPassword } from './login-session.repo.js';
import type { MasterKey } from './master-key.js';
import { credentialAad, unseal } from './seal.js';

/** A catalog as the probes need it (the vault does not import the actions module). */
export interface ProbeTarget {
  slug: string;
  name: string;
  probe: CredentialProbe;
}

export interface ProbeDeps {
  db: Db;
  master: MasterKey | Keyring;
  clock?: Clock;
  /** The catalog's probe, when it declares one. */
  target(slug: string): ProbeTarget | undefined;
  /** The slugs of the catalogs that declare a probe: the ones background checks visit. */
  probed: readonly string[];
  /** A guarded HTTP client for the catalog, its cookie jar seeded from `credential`. */
  http(
    slug: string,
    credential: OpenCredential,
    credentialId: string | undefined,
    signal: AbortSignal,
  ): Promise<HttpClient>;
  /** Time budget of one probe, ms. */
  timeoutMs: number;
  /** Signs in again with the identity's remembered password (automatic re-login). */
  relogin?: (credentialId: string) => Promise<ReloginResult>;
  /** Runs in the transaction that turns an active credential expired (the webhook event). */
  onExpired?: (trx: Db, row: CredentialRow, reason: string) => Promise<void>;
  /** Outcome lines for the server log: ids and codes only. */
  log?: (fields: Record<string, unknown>, message: string) => void;
}

/** What a probe said of a login. `unknown`: the site could not tell (blocked, unreachable). */
export type ProbeVerdict =
  | { status: 'active'; account?: string }
  | { status: 'expired'; message: string }
  | { status: 'unknown'; message: string }
  | { status: 'unsupported' };

/** A verification's answer: the credential as it now stands, or why it is not verified. */
export type Verification =
  { ok: true; row: CredentialRow } | { ok: false; error: AppError; row: CredentialRow };

/** Credential types a probe can check over HTTP (a bare username/password is not a session). */
const PROBED_TYPES = new Set(['browser_state', 'token', 'api_key']);

/** `status_reason` of a credential a probe found dead. */
export const PROBE_FAILED = 'probe_failed';

export function createProbes(deps: ProbeDeps) {
  const { db } = deps;
  const keys = 'current' in deps.master ? deps.master : fixedKeyring(deps.master);
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? (() => undefined);

  /** Runs the catalog's probe on an open credential; never throws for what the site says. */
  async function check(
    slug: string,
    credential: OpenCredential,
    credentialId?: string,
  ): Promise<ProbeVerdict> {
    const target = deps.target(slug);
    if (!target || !PROBED_TYPES.has(credential.type)) return { status: 'unsupported' };
    const signal = AbortSignal.timeout(deps.timeoutMs);
    try {
      const http = await deps.http(slug, credential, credentialId, signal);
      const result = await target.probe({ http, credential, signal });
      return { status: 'active', ...(result.account ? { account: result.account } : {}) };
    } catch (error) {
      if (error instanceof ActionError && error.jobCode === 'AUTH_EXPIRED') {
        return { status: 'expired', message: error.message };
      }
      const message = signal.aborted
        ? `${target.name} did not answer within ${deps.timeoutMs} ms.`
        : error instanceof Error
          ? error.message
          : String(error);
      return { status: 'unknown', message };
    }
  }

  async function reload(id: string): Promise<CredentialRow | undefined> {
    return db.selectFrom('credentials').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Records a live login: active again, verified now. */
  async function stampActive(row: CredentialRow): Promise<CredentialRow> {
    const now = isoNow(clock);
    await db
      .updateTable('credentials')
      .set({ status: 'active', status_reason: null, last_verified_at: now, updated_at: now })
      .where('id', '=', row.id)
      .execute();
    return (await reload(row.id)) ?? row;
  }

  /** Records a dead login, with the webhook event when it was active until now. */
  async function stampExpired(row: CredentialRow, reason: string): Promise<CredentialRow> {
    await db.transaction().execute(async (trx) => {
      await markCredentialExpired(trx, row.id, reason, clock);
      if (row.status === 'active') await deps.onExpired?.(trx, row, reason);
    });
    return (await reload(row.id)) ?? row;
  }

  /** Probes one stored credential and records what the site said. */
  async function verifyRow(row: CredentialRow): Promise<Verification> {
    const target = deps.target(row.catalog_slug);
    const name = target?.name ?? row.catalog_slug;
    const credential = parseOpened(unseal(keys, row.sealed, credentialAad(row)));
    const verdict = await check(row.catalog_slug, credential, row.id);
    switch (verdict.status) {
      case 'unsupported':
        throw badRequest(`${name} has no way to check a ${row.credential_type} login.`, [
          { path: '/identity_id', message: 'its catalog has no login check' },
        ]);
      case 'active':
        log({ catalog: row.catalog_slug, credential_id: row.id }, 'login verified');
        return { ok: true, row: await stampActive(row) };
      case 'unknown':
        log({ catalog: row.catalog_slug, credential_id: row.id }, 'login check inconclusive');
        return {
          ok: false,
          row,
          error: new AppError(
            'UPSTREAM_BLOCKED',
            502,
            `${name} could not be checked: ${verdict.message} The credential's status is unchanged.`,
          ),
        };
      case 'expired': {
        const relogin = await deps.relogin?.(row.id);
        if (relogin?.status === 'refreshed') {
          log({ catalog: row.catalog_slug, credential_id: row.id }, 'login refreshed by re-login');
          const fresh = (await reload(row.id)) ?? row;
          return { ok: true, row: await stampActive(fresh) };
        }
        // A failed re-login has already marked the credential expired (`login_failed`).
        const reason = relogin?.status === 'failed' ? 'login_failed' : PROBE_FAILED;
        log(
          {
            catalog: row.catalog_slug,
            credential_id: row.id,
            reason,
            ...(relogin
              ? { relogin: relogin.status === 'unavailable' ? relogin.reason : relogin.status }
              : {}),
          },
          'login found dead',
        );
        return {
          ok: false,
          row: await stampExpired(row, reason),
          error: new AppError(
            'AUTH_EXPIRED',
            401,
            `${name} no longer accepts this login: ${verdict.message}`,
          ),
        };
      }
    }
  }

  return {
    check,

    /**
     * POST /credentials/verify: probes the identity's login (its newest active credential,
     * else its newest) and records the answer. Someone else's identity is a 404.
     */
    async verifyIdentity(accountId: string, identityId: string): Promise<Verification> {
      const identity = await findIdentityRow(db, accountId, identityId);
      if (!identity) throw notFound(`Identity '${identityId}' not found.`);
      const usable = (await credentialRowsOf(db, [identity.id])).filter(
        (c) => !isRememberedPassword(c),
      );
      const row = usable.filter((c) => c.status === 'active').at(-1) ?? usable.at(-1);
      if (!row) {
        throw badRequest(`Identity '${identity.name}' has no credential to verify.`, [
          { path: '/identity_id', message: 'the identity has no credential' },
        ]);
      }
      return verifyRow(row);
    },

    /**
     * One round of background checks: active credentials of probed catalogs not verified
     * within `intervalMs`, oldest first. Each is claimed by stamping `last_verified_at` only
     * if nobody else did meanwhile, so several workers never probe one login twice.
     */
    async sweep(intervalMs: number, limit = 20): Promise<number> {
      const slugs = [...deps.probed];
      if (slugs.length === 0) return 0;
      const due = new Date(clock.now().getTime() - intervalMs).toISOString();
      const rows = await db
        .selectFrom('credentials')
        .selectAll()
        .where('status', '=', 'active')
        .where('catalog_slug', 'in', slugs)
        .where('credential_type', 'in', [...PROBED_TYPES] as CredentialRow['credential_type'][])
        .where((eb) =>
          eb.or([eb('last_verified_at', 'is', null), eb('last_verified_at', '<', due)]),
        )
        .orderBy('last_verified_at')
        .limit(limit)
        .execute();
      let checked = 0;
      for (const row of rows) {
        const now = isoNow(clock);
        const claimed = await db
          .updateTable('credentials')
          .set({ last_verified_at: now })
          .where('id', '=', row.id)
          .where((eb) =>
            row.last_verified_at === null
              ? eb('last_verified_at', 'is', null)
              : eb('last_verified_at', '=', row.last_verified_at),
          )
          .executeTakeFirst();
        if (claimed.numUpdatedRows === 0n) continue;
        try {
          const result = await verifyRow(row);
          // Inconclusive: put the old stamp back, so the login is not shown as verified.
          if (!result.ok && result.error.code !== 'AUTH_EXPIRED') {
            await db
              .updateTable('credentials')
              .set({ last_verified_at: row.last_verified_at })
              .where('id', '=', row.id)
              .where('last_verified_at', '=', now)
              .execute();
          }
          checked += 1;
        } catch (error) {
          log({ credential_id: row.id, err: String(error) }, 'background login check failed');
        }
      }
      return checked;
    },
  };
}

export type Probes = ReturnType<typeof createProbes>;
