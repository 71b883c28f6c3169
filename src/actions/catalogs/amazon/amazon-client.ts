// Fetching amazon.com pages for every action in the catalog: the robot check, the 503
// "automated access" answer and the sign-in redirect become the errors the engine acts on.
import {
  AuthExpiredError,
  BlockedError,
  type HttpClient,
  type HttpResponse,
  TransientError,
} from '../../../runtime/index.js';

/** Amazon's robot check: the CAPTCHA form, or its "continue shopping" button-only variant. */
const ROBOT_CHECK = [
  /action=["'][^"']*\/errors\/validateCaptcha/i,
  /Enter the characters you see below/i,
  /id=["']captchacharacters["']/i,
];
/** The contact line Amazon prints on every page it serves to traffic it thinks is automated. */
const AUTOMATED_ACCESS = /To discuss automated access to Amazon data please contact/i;
/** Amazon's sign-in pages: the OpenID flow at /ap/signin and its /ax/claim successor. */
const SIGN_IN = /^\/(ap\/signin|ap\/challenge|ax\/claim)\b/;

/** True when `html` is Amazon's robot check or "automated access" page, not the page asked for. */
export function isRobotCheck(html: string): boolean {
  return ROBOT_CHECK.some((re) => re.test(html)) || AUTOMATED_ACCESS.test(html);
}

const pathOf = (url: string): string => {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
};

/** True when the response, or any redirect on the way to it, is Amazon's sign-in page. */
export function landedOnSignIn(res: HttpResponse): boolean {
  return [...res.redirects, res.url].some((u) => SIGN_IN.test(pathOf(u)));
}

export interface FetchOptions {
  /** What was asked for, for messages: "the product page for B0...". */
  what: string;
  /** When true, a sign-in page means the stored session is dead (actions that need a login). */
  signedIn?: boolean;
}

/**
 * GETs an amazon.com page. A robot check (served 200 or 503) is a BlockedError; so is any 503,
 * which Amazon sends to traffic it throttles (the HTTP client has already read it as transient,
 * dropping the body, so its status is all there is to go on). With `signedIn`, a redirect to
 * sign-in is an AuthExpiredError. Other statuses are returned for the action to judge.
 */
export async function fetchPage(
  http: HttpClient,
  url: string,
  options: FetchOptions,
): Promise<HttpResponse> {
  let res: HttpResponse;
  try {
    res = await http.get(url);
  } catch (err) {
    if (err instanceof TransientError && / answered 503\.$/.test(err.message)) {
      throw new BlockedError(
        `Amazon answered 503 to ${options.what}: it is throttling automated access.`,
        err.retryAfterMs,
      );
    }
    throw err;
  }
  if (options.signedIn && landedOnSignIn(res)) {
    throw new AuthExpiredError(
      'Amazon rejected the stored session (redirected to sign in). Please reconnect Amazon.',
    );
  }
  if (isRobotCheck(res.text)) {
    throw new BlockedError(
      `Amazon showed its robot check (CAPTCHA) instead of ${options.what}; retrying later.`,
    );
  }
  return res;
}
