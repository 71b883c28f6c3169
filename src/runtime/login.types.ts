// What a catalog's login flow is given and what it answers: a page in a fresh guarded browser
// context, the login fields the caller sent, and one outcome of a small closed set.
import type { Page } from 'playwright-core';

/** One input of a catalog's login form, as `login_input_schema` lists it. */
export interface LoginField {
  name: string;
  /** `password` and `totp` values are secrets: never logged, stored only when asked to. */
  type: 'string' | 'password' | 'totp';
  required: boolean;
  description: string;
}

/** Everything a login flow is given for one sign-in. */
export interface LoginContext {
  /** A page in a fresh context; its origin map points the real site at its configured origin. */
  page: Page;
  /** The login fields, checked against the catalog's `loginFields` (absent optional ones omitted). */
  params: Readonly<Record<string, string>>;
  /** Aborted when the sign-in runs out of time; the runner then closes the context. */
  signal: AbortSignal;
}

/**
 * How a sign-in ended. On `signed_in` the runner takes the context's storage state itself;
 * `sessionCookie` names the cookie whose expiry is the session's `expires_at`. Messages are
 * for the person signing in and must not quote what they typed.
 */
export type LoginOutcome =
  | { status: 'signed_in'; sessionCookie: string }
  /** The site rejected the username, the password or the one-time code. */
  | { status: 'bad_password'; message: string }
  /** The account has two-factor sign-in and no TOTP secret was given. */
  | { status: 'mfa_required'; message: string }
  /** The site wants a person to solve a CAPTCHA or security check. */
  | { status: 'captcha_required'; message: string }
  /** Anything else: an unexpected page, an error page, the site unreachable. */
  | { status: 'failed'; message: string };

/** A catalog's login flow: fills the site's sign-in form(s) and says how it went. */
export type LoginFlow = (ctx: LoginContext) => Promise<LoginOutcome>;
