// Turns the `data` a client sends for a credential into the typed secret the vault seals.
// Accepts a Playwright storage state or a cookie-export list for `browser_state`.
import { badRequest, type ValidationIssue } from '../errors/index.js';
import {
  CREDENTIAL_TYPES,
  type CredentialType,
  type OpenCredential,
  type StorageState,
} from '../runtime/index.js';
import { UnsealError } from './seal.js';

type Cookie = StorageState['cookies'][number];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function isCredentialType(value: unknown): value is CredentialType {
  return typeof value === 'string' && (CREDENTIAL_TYPES as readonly string[]).includes(value);
}

const SAME_SITE: Record<string, Cookie['sameSite']> = {
  strict: 'Strict',
  lax: 'Lax',
  none: 'None',
  no_restriction: 'None',
};

/** One cookie from either Playwright's shape or a browser extension's export. */
function parseCookie(raw: unknown, path: string, issues: ValidationIssue[]): Cookie | undefined {
  if (!isRecord(raw)) {
    issues.push({ path, message: 'must be an object with name, value and domain' });
    return undefined;
  }
  const { name, value, domain } = raw;
  if (typeof name !== 'string' || name === '')
    issues.push({ path: `${path}/name`, message: 'must be a non-empty string' });
  if (typeof value !== 'string')
    issues.push({ path: `${path}/value`, message: 'must be a string' });
  if (typeof domain !== 'string' || domain === '')
    issues.push({ path: `${path}/domain`, message: 'must be a non-empty string' });
  if (typeof name !== 'string' || typeof value !== 'string' || typeof domain !== 'string')
    return undefined;
  const expires = raw.expires ?? raw.expirationDate;
  const sameSite =
    typeof raw.sameSite === 'string' ? SAME_SITE[raw.sameSite.toLowerCase()] : undefined;
  const cookie: Cookie = {
    name,
    value,
    domain,
    path: typeof raw.path === 'string' ? raw.path : '/',
  };
  if (typeof expires === 'number' && expires > 0) cookie.expires = expires;
  if (typeof raw.httpOnly === 'boolean') cookie.httpOnly = raw.httpOnly;
  if (typeof raw.secure === 'boolean') cookie.secure = raw.secure;
  if (sameSite) cookie.sameSite = sameSite;
  return cookie;
}

function parseStorageState(data: unknown): StorageState {
  const issues: ValidationIssue[] = [];
  const list = Array.isArray(data) ? data : isRecord(data) ? data.cookies : undefined;
  if (!Array.isArray(list)) {
    throw badRequest(
      'A browser_state credential needs a Playwright storage state ({"cookies":[...],"origins":[...]}) or a cookie-export list.',
      [{ path: '/data', message: 'must be a storage state object or an array of cookies' }],
    );
  }
  if (list.length === 0) {
    throw badRequest('A browser_state credential needs at least one cookie.', [
      { path: '/data/cookies', message: 'must not be empty' },
    ]);
  }
  const cookies = list
    .map((c, i) => parseCookie(c, `/data/cookies/${i}`, issues))
    .filter((c): c is Cookie => c !== undefined);
  const origins: StorageState['origins'] = [];
  if (isRecord(data) && Array.isArray(data.origins)) {
    data.origins.forEach((o, i) => {
      if (!isRecord(o) || typeof o.origin !== 'string' || !Array.isArray(o.localStorage)) {
        issues.push({
          path: `/data/origins/${i}`,
          message: 'must be {origin, localStorage:[{name,value}]}',
        });
        return;
      }
      const localStorage = o.localStorage
        .filter(isRecord)
        .filter((e) => typeof e.name === 'string' && typeof e.value === 'string')
        .map((e) => ({ name: e.name as string, value: e.value as string }));
      origins.push({ origin: o.origin, localStorage });
    });
  }
  if (issues.length > 0) throw badRequest('The browser_state credential is malformed.', issues);
  return { cookies, origins };
}

function stringField(data: unknown, names: string[], type: CredentialType): string {
  if (typeof data === 'string' && data.length > 0) return data;
  if (isRecord(data)) {
    for (const name of names) {
      const v = data[name];
      if (typeof v === 'string' && v.length > 0) return v;
    }
  }
  throw badRequest(`A ${type} credential needs data as a string or {"${names[0]}": "..."}.`, [
    { path: '/data', message: `must contain a non-empty "${names[0]}"` },
  ]);
}

/** Validates `data` for `type`; every failure is a 400 that says what is wrong. */
export function parseCredentialData(type: CredentialType, data: unknown): OpenCredential {
  switch (type) {
    case 'browser_state':
      return { type, state: parseStorageState(data) };
    case 'api_key':
      return { type, key: stringField(data, ['api_key', 'key'], type) };
    case 'token':
      return { type, token: stringField(data, ['token', 'access_token'], type) };
    case 'credentials': {
      const username = stringField(
        isRecord(data) ? { username: data.username ?? data.email } : undefined,
        ['username'],
        type,
      );
      const password =
        isRecord(data) && typeof data.password === 'string' ? data.password : undefined;
      // The authenticator key for two-factor sign-in, kept for automatic re-login.
      const totpSecret =
        isRecord(data) && typeof data.totp_secret === 'string' && data.totp_secret !== ''
          ? data.totp_secret
          : undefined;
      return {
        type,
        username,
        ...(password !== undefined ? { password } : {}),
        ...(totpSecret !== undefined ? { totpSecret } : {}),
      };
    }
  }
}

/** A decrypted secret is `unknown` until it is checked to be the credential it claims. */
export function parseOpened(value: unknown): OpenCredential {
  const record = (isRecord(value) ? value : {}) as { type?: unknown; [k: string]: unknown };
  if (!isCredentialType(record.type))
    throw new UnsealError('Decrypted credential has no known type.');
  const data =
    record.type === 'browser_state'
      ? record.state
      : record.type === 'api_key'
        ? record.key
        : record.type === 'token'
          ? record.token
          : {
              username: record.username,
              password: record.password,
              totp_secret: record.totpSecret,
            };
  try {
    return parseCredentialData(record.type, data);
  } catch {
    throw new UnsealError(`Decrypted ${record.type} credential is malformed.`);
  }
}
