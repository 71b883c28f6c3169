// Fetching linkedin.com for every action in the catalog: the sign-in walls a dead session is
// sent to, the security check and the 999 "request denied" that mean "slow down", and Voyager,
// the JSON API LinkedIn's own pages call with the JSESSIONID cookie repeated as `csrf-token`.
import {
  AuthExpiredError,
  BlockedError,
  ExecutionError,
  type HttpClient,
  type HttpResponse,
  parseRetryAfter,
} from '../../../runtime/index.js';

/** The real origin every action addresses; TASKWIRE_ORIGIN_LINKEDIN maps it elsewhere. */
export const LINKEDIN_ORIGIN = 'https://www.linkedin.com';

/** Sign-in walls: LinkedIn sends a session it no longer accepts (or none) to one of these. */
const AUTH_WALL = /^\/(authwall|login|uas\/login|signup|checkpoint\/lg\/)/;
/** Security verification pages: the session is fine but LinkedIn wants a human first. */
const CHALLENGE = /^\/checkpoint\/(challenge|challengesV2)\//;
/** Words a CAPTCHA / "unusual activity" page shows, checked only on pages that are no profile. */
const CHALLENGE_TEXT = /security (check|verification)|unusual activity|captcha/i;
/** What LinkedIn's web client asks Voyager for: normalised JSON (`data` + `included`). */
const VOYAGER_ACCEPT = 'application/vnd.linkedin.normalized+json+2.1';

const pathOf = (url: string): string => {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
};

/** True when `html` reads like LinkedIn's security check served in place of a page. */
export const isChallengeText = (html: string): boolean => CHALLENGE_TEXT.test(html);

/** True when the job's jar holds an li_at session cookie, i.e. a login is being used. */
export async function sendsSession(http: HttpClient): Promise<boolean> {
  const cookies = await http.jar.getCookies(`${LINKEDIN_ORIGIN}/`);
  return cookies.some((c) => c.key === 'li_at' && c.value !== '');
}

export interface LinkedInCheck {
  /** What was asked for, for messages: "the profile", "the company page". */
  what: string;
  /**
   * Whether a login was sent. With one, a sign-in wall means LinkedIn rejected it
   * (AuthExpiredError); without one it means LinkedIn wants guests to sign in, which it does to
   * addresses that view many pages (BlockedError).
   */
  signedIn: boolean;
}

/**
 * Throws the error the engine acts on when `res` (or a redirect on the way to it) is a sign-in
 * wall, the security check, LinkedIn's 999 "request denied" or a 429. Any other answer,
 * 404 included, is left to the action.
 */
export function checkAnswer(res: HttpResponse, { what, signedIn }: LinkedInCheck): void {
  const visited = [...res.redirects, res.url].map(pathOf);
  if (visited.some((p) => AUTH_WALL.test(p))) {
    if (signedIn) {
      throw new AuthExpiredError(
        'LinkedIn rejected the stored session (redirected to the sign-in wall).',
      );
    }
    throw new BlockedError(
      `LinkedIn showed its sign-in wall instead of ${what} to a visitor without a login; it does this to addresses that view many pages. Connecting a LinkedIn login avoids it.`,
    );
  }
  if (visited.some((p) => CHALLENGE.test(p))) {
    throw new BlockedError(`LinkedIn asked for a security check (CAPTCHA) before showing ${what}.`);
  }
  // 999 is LinkedIn's own "request denied": it throttles the session or address for a while.
  if (res.status === 999 || res.status === 429) {
    throw new BlockedError(
      `LinkedIn refused the request (HTTP ${res.status}).`,
      parseRetryAfter(res.headers['retry-after']),
    );
  }
}

/** GETs a linkedin.com page and applies `checkAnswer` to it. */
export async function fetchLinkedInPage(
  http: HttpClient,
  url: string,
  check: LinkedInCheck,
): Promise<HttpResponse> {
  const res = await http.get(url);
  checkAnswer(res, check);
  return res;
}

/** The csrf-token Voyager wants: the JSESSIONID cookie's value without its quotes. */
export async function csrfToken(http: HttpClient): Promise<string> {
  const cookies = await http.jar.getCookies(`${LINKEDIN_ORIGIN}/voyager/api/`);
  const token = cookies.find((c) => c.key === 'JSESSIONID')?.value.replace(/"/g, '');
  if (!token) {
    throw new ExecutionError(
      'LinkedIn set no JSESSIONID cookie, which its API needs as the csrf-token.',
    );
  }
  return token;
}

export interface VoyagerAnswer {
  status: number;
  /** The parsed JSON body; undefined when the body was empty or not JSON. */
  body: unknown;
}

export interface VoyagerOptions {
  method?: 'GET' | 'POST';
  /** Sent as the JSON body of a POST. */
  json?: unknown;
  /** What was asked for, for messages. */
  what: string;
}

/**
 * Calls Voyager at `path` (e.g. `/voyager/api/identity/...`) as LinkedIn's web client does,
 * always with a login. 401 or a sign-in redirect is AuthExpiredError; 999, 429 and the
 * security check are BlockedError; 403 is LinkedIn refusing this request (its CSRF check, or
 * an action the member may not take) and fails the job without touching the login. Other
 * statuses come back with their body for the action to read.
 */
export async function voyager(
  http: HttpClient,
  path: string,
  options: VoyagerOptions,
): Promise<VoyagerAnswer> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = {
    accept: VOYAGER_ACCEPT,
    'csrf-token': await csrfToken(http),
    'x-restli-protocol-version': '2.0.0',
    'x-li-lang': 'en_US',
  };
  if (options.json !== undefined) headers['content-type'] = 'application/json; charset=UTF-8';
  const res = await http.request(`${LINKEDIN_ORIGIN}${path}`, {
    method,
    headers,
    ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : {}),
  });
  checkAnswer(res, { what: options.what, signedIn: true });
  if (res.status === 401) {
    throw new AuthExpiredError('LinkedIn rejected the stored session (its API answered 401).');
  }
  if (res.status === 403) {
    throw new ExecutionError(
      `LinkedIn refused ${options.what} (HTTP 403${res.text ? `: ${res.text.slice(0, 120)}` : ''}).`,
    );
  }
  let body: unknown;
  try {
    body = res.text ? JSON.parse(res.text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, body };
}
