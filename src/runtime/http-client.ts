// The HTTP client actions use: guarded, origin-mapped, cookie-aware, with manual redirects.
import { CookieJar } from 'tough-cookie';
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';

import { assertUrlShape, createAddressGuard, type AddressGuard } from './address-guard.js';
import { decodeText, readBody } from './http-body.js';
import {
  ActionError,
  ActionTimeoutError,
  BlockedError,
  CancelledError,
  ExecutionError,
  InvalidTargetError,
  TransientError,
} from './errors.js';
import type {
  AddressGuardOptions,
  HttpClient,
  HttpClientOptions,
  HttpRequestOptions,
  HttpResponse,
} from './http.types.js';

/** What a current Chrome on Linux sends; sites serve their normal markup to it. */
export const DEFAULT_USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

const DEFAULT_HEADERS: Readonly<Record<string, string>> = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
  'accept-language': 'en-US,en;q=0.9',
  'accept-encoding': 'gzip, deflate, br',
  'upgrade-insecure-requests': '1',
};

/** Headers the client owns: Host must stay the dialled origin, undici frames the body. */
const RESERVED_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding']);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface HttpClientDeps {
  /** A specific guard (tests inject one with a fake resolver); default: shared per config. */
  guard?: AddressGuard;
}

// Agents outlive jobs so that keep-alive connections are pooled across them.
const sharedGuards = new Map<string, AddressGuard>();
let mappedAgent: Agent | undefined;

function sharedGuard(opts: AddressGuardOptions): AddressGuard {
  const key = JSON.stringify({ allowPrivate: opts.allowPrivate, allowCidrs: [...opts.allowCidrs] });
  let guard = sharedGuards.get(key);
  if (!guard) {
    guard = createAddressGuard(opts);
    sharedGuards.set(key, guard);
  }
  return guard;
}

/** Mapped origins are operator config (stand-ins, staging), so they skip the address guard. */
function sharedMappedAgent(): Agent {
  mappedAgent ??= new Agent({ connect: { timeout: 10_000 } });
  return mappedAgent;
}

/** Creates the client one job uses; cheap, since connection pools are shared. */
export function createHttpClient(opts: HttpClientOptions, deps: HttpClientDeps = {}): HttpClient {
  const guard = deps.guard ?? sharedGuard(opts.guard);
  const jar = opts.jar ?? new CookieJar();
  const maxRedirects = opts.maxRedirects ?? 5;
  const userAgent = opts.userAgent ?? DEFAULT_USER_AGENT;
  // Configured origin → real origin, so a redirect to the stand-in is reported by real name.
  const reverseMap = new Map<string, string>();
  for (const [real, mapped] of opts.originMap) reverseMap.set(new URL(mapped).origin, real);

  /** Where a real URL is actually sent, and through which dispatcher. */
  function route(real: URL): { target: URL; dispatcher: Dispatcher } {
    assertUrlShape(real);
    const mapped = opts.originMap.get(real.origin);
    if (mapped === undefined) {
      guard.assertUrl(real);
      return { target: real, dispatcher: guard.dispatcher };
    }
    return {
      target: new URL(real.pathname + real.search, mapped),
      dispatcher: sharedMappedAgent(),
    };
  }

  /** Resolves a Location header into a real-origin URL. */
  function nextUrl(location: string, current: URL): URL {
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new ExecutionError(`${current.href} redirected to an invalid URL '${location}'.`);
    }
    const real = reverseMap.get(next.origin);
    return real === undefined ? next : new URL(next.pathname + next.search + next.hash, real);
  }

  async function buildHeaders(real: URL, extra: Record<string, string>): Promise<Headers> {
    const headers = new Headers({ ...DEFAULT_HEADERS, 'user-agent': userAgent });
    for (const [name, value] of Object.entries(extra)) {
      if (!RESERVED_HEADERS.has(name.toLowerCase())) headers.set(name, value);
    }
    // Cookies are keyed by the real URL, whichever origin the bytes actually go to.
    const cookies = await jar.getCookieString(real.href);
    if (cookies) {
      const given = headers.get('cookie');
      headers.set('cookie', given ? `${given}; ${cookies}` : cookies);
    }
    return headers;
  }

  async function storeCookies(real: URL, setCookie: string | string[] | undefined): Promise<void> {
    if (setCookie === undefined) return;
    for (const cookie of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      await jar.setCookie(cookie, real.href, { ignoreError: true });
    }
  }

  async function follow(
    start: URL,
    options: HttpRequestOptions,
    signal: AbortSignal,
  ): Promise<HttpResponse> {
    let current = start;
    let method = options.method ?? 'GET';
    let body = options.body;
    let extra: Record<string, string> = { ...options.headers };
    const redirects: string[] = [];
    const maxBytes = options.maxBytes ?? opts.maxBytes;

    for (;;) {
      // Every hop is routed, and so re-checked, from scratch.
      const { target, dispatcher } = route(current);
      const headers = await buildHeaders(current, extra);
      let res: Dispatcher.ResponseData;
      try {
        res = await undiciRequest(target, {
          method,
          headers: Object.fromEntries(headers),
          body: method === 'GET' || method === 'HEAD' ? undefined : body,
          dispatcher,
          signal,
        });
      } catch (err) {
        throw mapNetworkError(err, current);
      }
      await storeCookies(current, res.headers['set-cookie']);

      const status = res.statusCode;
      const location = header(res.headers, 'location');
      if (REDIRECT_STATUSES.has(status) && location && options.followRedirects !== false) {
        await res.body.dump();
        if (redirects.length >= maxRedirects) {
          throw new ExecutionError(
            `${start.href} redirected more than ${maxRedirects} times (last: ${current.href}).`,
          );
        }
        redirects.push(current.href);
        const next = nextUrl(location, current);
        // Browsers turn these into a body-less GET; 307 and 308 replay the request as it was.
        if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
          if (method !== 'HEAD') method = 'GET';
          body = undefined;
          extra = withoutHeaders(extra, ['content-type']);
        }
        if (next.origin !== current.origin) extra = withoutHeaders(extra, ['authorization']);
        current = next;
        continue;
      }

      const retryAfterMs = parseRetryAfter(header(res.headers, 'retry-after'));
      if (status === 429) {
        await res.body.dump();
        throw new BlockedError(`${current.host} answered 429 Too Many Requests.`, retryAfterMs);
      }
      // Only real 5xx: non-standard codes (LinkedIn's 999) are left to the action.
      if (status >= 500 && status <= 599) {
        await res.body.dump();
        throw new TransientError(`${current.host} answered ${status}.`, retryAfterMs);
      }

      let bytes: Buffer;
      try {
        bytes = await readBody(
          res.body,
          header(res.headers, 'content-encoding'),
          maxBytes,
          current.href,
        );
      } catch (err) {
        throw mapNetworkError(err, current);
      }
      return {
        status,
        url: current.href,
        headers: flattenHeaders(res.headers),
        text: decodeText(bytes, header(res.headers, 'content-type')),
        redirects,
      };
    }
  }

  async function request(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
    let start: URL;
    try {
      start = new URL(url);
    } catch {
      throw new InvalidTargetError(`'${url.slice(0, 200)}' is not a valid URL.`);
    }
    const outer = opts.signal;
    if (outer?.aborted) throw abortReason(outer);

    // One budget covers every hop of this call: connect, headers and body.
    const timer = new AbortController();
    const timeout = setTimeout(() => timer.abort(), opts.timeoutMs);
    const signal = outer ? AbortSignal.any([outer, timer.signal]) : timer.signal;
    try {
      return await follow(start, options, signal);
    } catch (err) {
      if (outer?.aborted) throw abortReason(outer);
      if (timer.signal.aborted) {
        throw new ActionTimeoutError(`${start.href} did not finish within ${opts.timeoutMs} ms.`);
      }
      throw err;
    } finally {
      clearTimeout(timeout);
    }
  }

  return {
    request,
    get: (url, options) => request(url, { ...options, method: 'GET' }),
    jar,
  };
}

/** The caller's cancellation reason when it is an Error, else a plain cancellation. */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new CancelledError();
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'refused the connection',
  ECONNRESET: 'reset the connection',
  EPIPE: 'closed the connection',
  ETIMEDOUT: 'did not answer in time',
  ENOTFOUND: 'could not be resolved',
  EAI_AGAIN: 'could not be resolved (temporary DNS failure)',
  EHOSTUNREACH: 'is unreachable',
  ENETUNREACH: 'is unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'did not accept a connection in time',
  UND_ERR_HEADERS_TIMEOUT: 'did not send headers in time',
  UND_ERR_BODY_TIMEOUT: 'stopped sending the body',
  UND_ERR_SOCKET: 'closed the connection',
  UND_ERR_CLOSED: 'closed the connection',
  ERR_TLS_CERT_ALTNAME_INVALID: 'presented a certificate for another name',
};

/**
 * Our own errors (guard refusals included) pass through untouched; socket and DNS failures
 * become TransientError so the engine retries them. Anything else is a bug and is rethrown.
 */
function mapNetworkError(err: unknown, url: URL): unknown {
  if (err instanceof ActionError) return err;
  if (err instanceof Error && err.cause instanceof ActionError) return err.cause;
  const code = errorCode(err);
  if (code === undefined) return err;
  const what = NETWORK_CODES[code];
  if (what) return new TransientError(`${url.host} ${what} (${code}).`);
  if (code.startsWith('E') || code.startsWith('UND_ERR_') || code.startsWith('Z_')) {
    return new TransientError(`Request to ${url.host} failed (${code}).`);
  }
  return err;
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function flattenHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function withoutHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !names.includes(name.toLowerCase())),
  );
}
