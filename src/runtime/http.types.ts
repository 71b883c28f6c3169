// The HTTP client an action is handed (`ctx.http`): guarded, origin-mapped, cookie-aware.
import type { CookieJar } from 'tough-cookie';

import type { Pacer, PacingOverrides } from './pacer.js';

export interface HttpRequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  headers?: Record<string, string>;
  body?: string;
  /** Follow 3xx redirects (each hop re-checked by the address guard). Default true. */
  followRedirects?: boolean;
  /** Cap on the decompressed body; default from the client's options. */
  maxBytes?: number;
  /** Tries after the first on a network failure or 502/503/504 (GET and HEAD only). Default 2. */
  retries?: number;
  /** Throw BlockedError on a CAPTCHA / challenge wall served as the page. Default true. */
  detectBlocks?: boolean;
}

export interface HttpResponse {
  status: number;
  /** The final URL, always in the site's real origin (never the configured stand-in). */
  url: string;
  headers: Record<string, string>;
  text: string;
  /** Every URL visited before the final one, in real origins. */
  redirects: string[];
}

export interface HttpClient {
  request(url: string, options?: HttpRequestOptions): Promise<HttpResponse>;
  get(url: string, options?: Omit<HttpRequestOptions, 'method' | 'body'>): Promise<HttpResponse>;
  /** The job's cookie jar, seeded from the credential; keyed by real origins. */
  readonly jar: CookieJar;
}

export interface HttpClientOptions {
  /** Real origin → configured origin, e.g. https://www.linkedin.com → http://127.0.0.2:4010. */
  originMap: ReadonlyMap<string, string>;
  /** Refuse loopback / private / link-local / metadata addresses (default true). */
  guard: AddressGuardOptions;
  jar?: CookieJar;
  signal?: AbortSignal;
  /** Default cap on a decompressed response body, bytes. */
  maxBytes: number;
  /** Per-request time budget, ms (connect + headers + body). */
  timeoutMs: number;
  userAgent?: string;
  /** Redirect hops followed at most. */
  maxRedirects?: number;
  /** The process's shared pacer; without one, requests are not paced. */
  pacer?: Pacer;
  /** The catalog's pacing rules, over the pacer's defaults. */
  pacing?: PacingOverrides;
  /** The job's credential id: its requests share that identity's pacing lane. */
  identity?: string;
  /**
   * HTTP(S) proxy every request goes through (CONNECT tunnels), e.g. http://user:pass@host:3128.
   * Operator config: trusted and never checked by the address guard, unlike the targets.
   */
  proxyUrl?: string;
}

export interface AddressGuardOptions {
  /** Allow every address (TASKWIRE_ALLOW_PRIVATE_TARGETS). */
  allowPrivate: boolean;
  /** CIDRs allowed although private, e.g. ["127.0.0.2/32"] in tests. */
  allowCidrs: readonly string[];
}
