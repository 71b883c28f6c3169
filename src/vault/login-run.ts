// Running one sign-in: checks the login fields a catalog declares, runs its flow in a fresh
// guarded browser context within a time budget, and turns the outcome into either the session
// (a storage state) or the AppError the API answers with. No value of a password or TOTP
// field ever reaches a message.
import { AppError, type ValidationIssue } from '../errors/index.js';
import {
  type BrowserContextHandle,
  type BrowserProvider,
  type LoginField,
  type LoginFlow,
  type LoginOutcome,
  parseTotpSecret,
  type StorageState,
} from '../runtime/index.js';

/** A catalog as the sign-in needs it (the vault does not import the actions module). */
export interface LoginTarget {
  slug: string;
  name: string;
  fields: readonly LoginField[];
  /** Real origin → configured origin, the map the catalog's actions use. */
  origins: ReadonlyMap<string, string>;
  login: LoginFlow;
}

/** What a successful sign-in produced. */
export interface LoginSession {
  state: StorageState;
  /** When the site's session cookie expires, if it is not a session-only cookie. */
  expiresAt?: string;
}

export interface RunDeps {
  browser: BrowserProvider | undefined;
  timeoutMs: number;
}

export const connectUrl = (slug: string): string => `/products/holocron/${slug}/connect`;

/**
 * The login fields as strings, or 400 INVALID_PARAMS naming each missing required field in
 * `missing_fields` and every other problem in `issues`. Issue messages never quote a value.
 */
export function checkLoginParams(target: LoginTarget, params: unknown): Record<string, string> {
  const given = (typeof params === 'object' && params !== null ? params : {}) as Record<
    string,
    unknown
  >;
  const missing: string[] = [];
  const issues: ValidationIssue[] = [];
  const values: Record<string, string> = {};
  for (const field of target.fields) {
    const raw = given[field.name];
    const path = `/params/${field.name}`;
    if (raw !== undefined && typeof raw !== 'string') {
      issues.push({ path, message: 'must be a string' });
      continue;
    }
    // Passwords are taken as typed; other fields lose surrounding blanks.
    const value = field.type === 'password' ? raw : raw?.trim();
    if (value === undefined || value === '') {
      if (field.required) {
        missing.push(field.name);
        issues.push({ path, message: `'${field.name}' is required` });
      }
      continue;
    }
    if (field.type === 'totp') {
      try {
        parseTotpSecret(value);
      } catch (error) {
        issues.push({ path, message: (error as Error).message });
        continue;
      }
    }
    values[field.name] = value;
  }
  const known = new Set(target.fields.map((f) => f.name));
  for (const name of Object.keys(given)) {
    if (!known.has(name))
      issues.push({ path: `/params/${name}`, message: `unknown field '${name}'` });
  }
  if (issues.length === 0) return values;
  const fields = target.fields.map((f) => f.name).join(', ');
  const message =
    missing.length > 0
      ? `Signing in to ${target.name} needs ${missing.join(' and ')} (its login fields: ${fields}).`
      : `The login fields for ${target.name} are invalid (its login fields: ${fields}).`;
  return invalid(message, missing, issues);
}

function invalid(message: string, missing: string[], issues: ValidationIssue[]): never {
  throw new AppError('INVALID_PARAMS', 400, message, {
    missing_fields: missing,
    details: issues.map((i) => `${i.path}: ${i.message}`).join('; '),
    issues,
  });
}

/** The values a message must never contain: every password and TOTP field given. */
export function secretsOf(target: LoginTarget, params: Record<string, string>): string[] {
  return target.fields
    .filter((f) => f.type !== 'string')
    .map((f) => params[f.name])
    .filter((v): v is string => v !== undefined && v.length >= 4);
}

const scrub = (text: string, secrets: string[]): string =>
  secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);

export const loginFailed = (message: string): AppError =>
  new AppError('LOGIN_FAILED', 502, message);

/** The API error for a sign-in that did not end signed in. */
function outcomeError(
  target: LoginTarget,
  outcome: Exclude<LoginOutcome, { status: 'signed_in' }>,
  params: Record<string, string>,
  secrets: string[],
): AppError {
  const message = scrub(outcome.message, secrets);
  switch (outcome.status) {
    case 'bad_password':
      return new AppError('BAD_PASSWORD', 401, message);
    case 'mfa_required': {
      const absent = target.fields.filter((f) => f.type === 'totp' && !(f.name in params));
      return new AppError('MFA_REQUIRED', 401, message, {
        missing_fields: absent.map((f) => f.name),
      });
    }
    case 'captcha_required':
      return new AppError(
        'CAPTCHA_REQUIRED',
        403,
        `${message} Sign in once in an ordinary browser and connect by pasting its session instead.`,
        { connect_url: connectUrl(target.slug) },
      );
    case 'failed':
      return loginFailed(message);
  }
}

/** Playwright's storage state in the vault's shape; `-1` (a session cookie) means no expiry. */
function sessionOf(
  raw: Awaited<ReturnType<BrowserContextHandle['context']['storageState']>>,
  sessionCookie: string,
): LoginSession {
  const cookies: StorageState['cookies'] = raw.cookies.map((c) => ({
    name: c.name,
    value: c.value,
    domain: c.domain,
    path: c.path,
    ...(c.expires > 0 ? { expires: c.expires } : {}),
    httpOnly: c.httpOnly,
    secure: c.secure,
    sameSite: c.sameSite,
  }));
  const origins = raw.origins.map((o) => ({ origin: o.origin, localStorage: o.localStorage }));
  const expiry = cookies.find((c) => c.name === sessionCookie)?.expires;
  return {
    state: { cookies, origins },
    ...(expiry !== undefined ? { expiresAt: new Date(expiry * 1000).toISOString() } : {}),
  };
}

/** Rejects when `signal` aborts; the work itself is stopped by closing its context. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Signs in with checked `params`; throws the AppError the API answers with otherwise. */
export async function runLogin(
  deps: RunDeps,
  target: LoginTarget,
  params: Record<string, string>,
): Promise<LoginSession> {
  const secrets = secretsOf(target, params);
  if (!deps.browser) {
    throw loginFailed('This Taskwire process has no browser, so it cannot sign in to sites.');
  }
  const deadline = AbortSignal.timeout(deps.timeoutMs);
  let handle: BrowserContextHandle | undefined;
  try {
    handle = await deps.browser.newContext({ originMap: target.origins, signal: deadline });
    const page = await handle.context.newPage();
    page.setDefaultTimeout(deps.timeoutMs);
    const outcome = await untilAborted(target.login({ page, params, signal: deadline }), deadline);
    if (outcome.status !== 'signed_in') throw outcomeError(target, outcome, params, secrets);
    const session = sessionOf(await handle.context.storageState(), outcome.sessionCookie);
    if (session.state.cookies.length === 0) {
      throw loginFailed(`The ${target.name} sign-in ended without any session cookie.`);
    }
    return session;
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (deadline.aborted) {
      throw loginFailed(
        `The ${target.name} sign-in did not finish within ${deps.timeoutMs} ms (TASKWIRE_LOGIN_TIMEOUT_MS).`,
      );
    }
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    throw loginFailed(`The ${target.name} sign-in failed: ${scrub(first, secrets)}`);
  } finally {
    await handle?.dispose();
  }
}
