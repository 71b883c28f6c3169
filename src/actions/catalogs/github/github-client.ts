// GitHub's REST API as the catalog's actions speak it: headers, JSON, Link pagination, and
// GitHub's error answers mapped onto action errors with their retry policies.
import {
  AuthExpiredError,
  BlockedError,
  ExecutionError,
  type HttpClient,
  type HttpResponse,
  type OpenCredential,
  parseRetryAfter,
} from '../../../runtime/index.js';

/** The REST API's real origin (GitHub Enterprise would be another catalog origin). */
export const GITHUB_API = 'https://api.github.com';

/** What one call needs from the action context. */
export interface GitHubCall {
  http: HttpClient;
  credential: OpenCredential | undefined;
}

export interface GitHubResponse {
  status: number;
  headers: Record<string, string>;
  /** The parsed body, or undefined when it was empty or not JSON. */
  body: unknown;
}

/** The token of a `token` credential, when the job has one. */
export const tokenOf = (credential: OpenCredential | undefined): string | undefined =>
  credential?.type === 'token' ? credential.token : undefined;

/** Calls the API at `url` (a real api.github.com URL) with GitHub's recommended headers. */
export async function githubRequest(
  call: GitHubCall,
  url: string,
  options: { method?: 'GET' | 'POST'; json?: unknown } = {},
): Promise<GitHubResponse> {
  const headers: Record<string, string> = {
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
  };
  const token = tokenOf(call.credential);
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  const res: HttpResponse = await call.http.request(url, {
    method: options.method ?? 'GET',
    headers,
    ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : {}),
    // A renamed repository answers 301; the client follows it, and keeps the token only
    // while the redirect stays on api.github.com.
  });
  let body: unknown;
  try {
    body = res.text ? JSON.parse(res.text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** GitHub's own explanation: `message`, plus the field errors a 422 lists. */
export function githubMessage(body: unknown): string | undefined {
  if (!isRecord(body) || typeof body.message !== 'string') return undefined;
  const details = (Array.isArray(body.errors) ? body.errors : [])
    .map((e) =>
      typeof e === 'string'
        ? e
        : isRecord(e)
          ? typeof e.message === 'string'
            ? e.message
            : [e.field, e.code].filter((x) => typeof x === 'string').join(' ')
          : '',
    )
    .filter(Boolean);
  return details.length ? `${body.message} (${details.join('; ')})` : body.message;
}

/** Milliseconds until GitHub's `x-ratelimit-reset` (unix seconds), or undefined. */
function untilReset(reset: string | undefined, now = Date.now()): number | undefined {
  const seconds = Number(reset);
  return reset && Number.isFinite(seconds) ? Math.max(0, seconds * 1000 - now) : undefined;
}

/**
 * Turns a non-success answer into the error the engine should act on. `notFound` is the
 * message for 404, which GitHub also sends for private resources the caller may not see.
 */
export function githubFailure(res: GitHubResponse, call: GitHubCall, notFound: string): never {
  const said = githubMessage(res.body);
  const quoted = said ? `: ${said}` : '';
  // 401 with a token means GitHub no longer accepts it: the credential is dead, not the job.
  if (res.status === 401 && tokenOf(call.credential)) {
    throw new AuthExpiredError(
      `GitHub rejected the stored token (401${quoted}); reconnect a valid token.`,
    );
  }
  if (res.status === 401) throw new ExecutionError(`GitHub requires a token for this${quoted}.`);
  if (res.status === 403 && res.headers['x-ratelimit-remaining'] === '0') {
    throw new BlockedError(
      `GitHub's API rate limit is used up${quoted}.`,
      untilReset(res.headers['x-ratelimit-reset']),
    );
  }
  // Secondary (abuse) limits come as 403 with Retry-After and no exhausted quota.
  if (res.status === 403 && res.headers['retry-after'] !== undefined) {
    throw new BlockedError(
      `GitHub's secondary rate limit stopped the request${quoted}.`,
      parseRetryAfter(res.headers['retry-after']),
    );
  }
  if (res.status === 403) throw new ExecutionError(`GitHub refused the request${quoted}.`);
  if (res.status === 404) throw new ExecutionError(notFound);
  if (res.status === 410) throw new ExecutionError(`GitHub answered 410 Gone${quoted}.`);
  if (res.status === 422) throw new ExecutionError(`GitHub rejected the request${quoted}.`);
  throw new ExecutionError(`GitHub answered HTTP ${res.status}${quoted}.`);
}

/**
 * The `rel="next"` URL of a Link header, only if it stays on the API origin: the token is sent
 * with every page, so it must never follow a link elsewhere.
 */
export function nextPage(link: string | undefined): string | undefined {
  for (const part of (link ?? '').split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (!m?.[1] || !m[2]?.split(/\s+/).includes('next')) continue;
    try {
      const url = new URL(m[1]);
      return url.origin === GITHUB_API ? url.href : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export const enc = encodeURIComponent;
