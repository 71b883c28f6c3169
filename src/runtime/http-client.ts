// The HTTP client actions use: guarded, origin-mapped, cookie-aware, with manual redirects;
// paced per site and identity, optionally proxied, riding out blips, and reading block walls.
import { setTimeout as sleep } from 'node:timers/promises';

import { CookieJar } from 'tough-cookie';
import { request as undiciRequest, type Dispatcher } from 'undici';

import { assertUrlShape, type AddressGuard } from './address-guard.js';
import { ActionTimeoutError, ExecutionError, InvalidTargetError } from './errors.js';
import { type Answer, readAnswer } from './http-answer.js';
import { sharedGuard, sharedMappedAgent, sharedProxyAgent } from './http-dispatchers.js';
import { abortReason, mapNetworkError } from './http-failure.js';
import { DEFAULT_REQUEST_RETRIES, retryDelayMs } from './http-retry.js';
import type {
  HttpClient,
  HttpClientOptions,
  HttpRequestOptions,
  HttpResponse,
} from './http.types.js';
import type { PaceRelease } from './pacer.js';
import { type RequestBudget, startBudget } from './request-budget.js';

export { DEFAULT_429_BACKOFF_MS } from './http-answer.js';
export { parseRetryAfter } from './http-failure.js';

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

export interface HttpClientDeps {
  /** A specific guard (tests inject one with a fake resolver); default: shared per config. */
  guard?: AddressGuard;
}

interface Route {
  target: URL;
  dispatcher: Dispatcher;
  viaProxy: boolean;
}

/** One hop as sent: the method and body change on some redirects. */
interface Hop {
  url: URL;
  method: string;
  body: string | undefined;
  headers: Record<string, string>;
}

/** Creates the client one job uses; cheap, since connection pools and the pacer are shared. */
export function createHttpClient(opts: HttpClientOptions, deps: HttpClientDeps = {}): HttpClient {
  const guard = deps.guard ?? sharedGuard(opts.guard);
  const jar = opts.jar ?? new CookieJar();
  const maxRedirects = opts.maxRedirects ?? 5;
  const userAgent = opts.userAgent ?? DEFAULT_USER_AGENT;
  const proxy = opts.proxyUrl ? sharedProxyAgent(opts.proxyUrl) : undefined;
  // Configured origin → real origin, so a redirect to the stand-in is reported by real name.
  const reverseMap = new Map<string, string>();
  for (const [real, mapped] of opts.originMap) reverseMap.set(new URL(mapped).origin, real);

  /**
   * Where a real URL is actually sent, and through which dispatcher. Through a proxy the
   * guard cannot see the socket (the proxy dials the target), so the target's name is
   * resolved and every address checked here, before the proxy is asked for it.
   */
  async function route(real: URL): Promise<Route> {
    assertUrlShape(real);
    const mapped = opts.originMap.get(real.origin);
    if (mapped !== undefined) {
      return {
        target: new URL(real.pathname + real.search, mapped),
        dispatcher: proxy ?? sharedMappedAgent(),
        viaProxy: proxy !== undefined,
      };
    }
    guard.assertUrl(real);
    if (!proxy) return { target: real, dispatcher: guard.dispatcher, viaProxy: false };
    await guard.checkHost(real.hostname);
    return { target: real, dispatcher: proxy, viaProxy: true };
  }

  /** Waits for this hop's turn on its site and identity; the budget does not run meanwhile. */
  async function pace(real: URL, budget: RequestBudget): Promise<PaceRelease> {
    if (!opts.pacer) return () => {};
    budget.pause();
    try {
      return await opts.pacer.acquire({
        site: real.host,
        ...(opts.identity !== undefined ? { identity: opts.identity } : {}),
        ...(opts.pacing ? { overrides: opts.pacing } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        // A pause longer than a request may take is left to the engine's requeue.
        maxBackOffWaitMs: opts.timeoutMs,
      });
    } finally {
      budget.resume();
    }
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

  /** Sends one hop in its pacing turn and reads its answer (redirects are not followed here). */
  async function send(
    hop: Hop,
    options: HttpRequestOptions,
    budget: RequestBudget,
    signal: AbortSignal,
  ): Promise<Answer> {
    let viaProxy = false;
    try {
      const routed = await route(hop.url);
      viaProxy = routed.viaProxy;
      const release = await pace(hop.url, budget);
      try {
        const headers = await buildHeaders(hop.url, hop.headers);
        const res = await undiciRequest(routed.target, {
          method: hop.method,
          headers: Object.fromEntries(headers),
          body: hop.method === 'GET' || hop.method === 'HEAD' ? undefined : hop.body,
          dispatcher: routed.dispatcher,
          signal,
        });
        await storeCookies(hop.url, res.headers['set-cookie']);
        return await readAnswer(res, {
          url: hop.url,
          followRedirects: options.followRedirects !== false,
          detectBlocks: options.detectBlocks !== false,
          maxBytes: options.maxBytes ?? opts.maxBytes,
          pacer: opts.pacer,
        });
      } finally {
        release();
      }
    } catch (err) {
      throw mapNetworkError(err, hop.url, viaProxy);
    }
  }

  async function follow(
    start: URL,
    options: HttpRequestOptions,
    budget: RequestBudget,
    signal: AbortSignal,
  ): Promise<HttpResponse> {
    const hop: Hop = {
      url: start,
      method: options.method ?? 'GET',
      body: options.body,
      headers: { ...options.headers },
    };
    const redirects: string[] = [];
    for (;;) {
      // Every hop is routed, and so re-checked, from scratch.
      const { res, location } = await send(hop, options, budget, signal);
      if (location === undefined) return { ...res, redirects };
      if (redirects.length >= maxRedirects) {
        throw new ExecutionError(
          `${start.href} redirected more than ${maxRedirects} times (last: ${hop.url.href}).`,
        );
      }
      redirects.push(hop.url.href);
      const next = nextUrl(location, hop.url);
      // Browsers turn these into a body-less GET; 307 and 308 replay the request as it was.
      const { status } = res;
      if (status === 303 || ((status === 301 || status === 302) && hop.method === 'POST')) {
        if (hop.method !== 'HEAD') hop.method = 'GET';
        hop.body = undefined;
        hop.headers = withoutHeaders(hop.headers, ['content-type']);
      }
      if (next.origin !== hop.url.origin) {
        hop.headers = withoutHeaders(hop.headers, ['authorization']);
      }
      hop.url = next;
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

    // One budget covers every hop and retry of this call: connect, headers, body, backoff.
    const budget = startBudget(opts.timeoutMs);
    const signal = outer ? AbortSignal.any([outer, budget.signal]) : budget.signal;
    const retry = {
      method: options.method ?? 'GET',
      maxRetries: options.retries ?? DEFAULT_REQUEST_RETRIES,
      minAttemptMs: Math.min(2_000, opts.timeoutMs / 4),
    };
    try {
      for (let retriesDone = 0; ; retriesDone += 1) {
        try {
          return await follow(start, options, budget, signal);
        } catch (error) {
          const remainingMs = budget.remainingMs();
          const delay = retryDelayMs({ ...retry, error, retriesDone, remainingMs });
          if (delay === undefined || signal.aborted) throw error;
          await sleep(delay, undefined, { signal });
        }
      }
    } catch (err) {
      if (outer?.aborted) throw abortReason(outer);
      if (budget.signal.aborted) {
        throw new ActionTimeoutError(`${start.href} did not finish within ${opts.timeoutMs} ms.`);
      }
      throw err;
    } finally {
      budget.clear();
    }
  }

  return {
    request,
    get: (url, options) => request(url, { ...options, method: 'GET' }),
    jar,
  };
}

function withoutHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !names.includes(name.toLowerCase())),
  );
}
