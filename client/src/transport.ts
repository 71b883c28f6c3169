// One HTTP call: URL, auth and JSON headers, the retry loop, failures turned into TaskwireError.
import { errorFromResponse, networkError, TaskwireError } from './errors.js';
import {
  backoffMs,
  isRetryableStatus,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  sleep,
} from './retry.js';

export interface TransportOptions {
  apiKey: string | undefined;
  /** Origin and optional path, without a trailing slash. */
  baseUrl: string;
  /** `/v1/wire` or `/v1/holocron`, without a trailing slash. */
  prefix: string;
  fetch: typeof fetch;
  maxRetries: number;
  userAgent: string;
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** The route under the prefix, e.g. `/jobs/<id>`. */
  path: string;
  query?: Query;
  /** Sent as JSON when present. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface Reply<T> {
  status: number;
  headers: Headers;
  body: T;
  /** HTTP attempts made, retries included. */
  attempts: number;
}

export type Send = <T>(spec: RequestSpec) => Promise<Reply<T>>;

/** A `send` bound to one server and key. */
export function createTransport(options: TransportOptions): Send {
  return async function send<T>(spec: RequestSpec): Promise<Reply<T>> {
    const url = urlOf(options, spec);
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': options.userAgent,
      ...(options.apiKey !== undefined ? { 'X-API-Key': options.apiKey } : {}),
      ...(spec.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...spec.headers,
    };
    const init = {
      method: spec.method,
      headers,
      ...(spec.body !== undefined ? { body: JSON.stringify(spec.body) } : {}),
      ...(spec.signal !== undefined ? { signal: spec.signal } : {}),
    };
    // POST /task is the one call where a 500 is known to be safe to repeat.
    const submit = spec.method === 'POST' && spec.path === '/task';
    const what = `${spec.method} ${url}`;

    for (let attempt = 1; ; attempt++) {
      // An aborted caller gets its reason back, and the server hears nothing more.
      if (spec.signal?.aborted) throw spec.signal.reason;
      const canRetry = attempt <= options.maxRetries;
      let outcome: { response: Awaited<ReturnType<typeof fetch>>; text: string };
      try {
        const response = await options.fetch(url, init);
        // Read inside the try: a body cut off mid-way is a network failure too.
        outcome = { response, text: await response.text() };
      } catch (error) {
        // The caller's own abort is not a network error and is never retried.
        if (spec.signal?.aborted) throw spec.signal.reason;
        const failure = networkError(error, what, attempt);
        if (!canRetry) throw failure;
        await sleep(backoffMs(attempt - 1), spec.signal);
        continue;
      }
      const { response, text } = outcome;
      const parsed = parseJson(text);
      if (response.ok) {
        if (parsed === undefined) {
          throw new TaskwireError({
            code: 'INVALID_RESPONSE',
            status: response.status,
            message: `${what} answered ${response.status} without a JSON body.`,
            body: text,
            attempts: attempt,
            ...requestIdOf(response.headers),
          });
        }
        return {
          status: response.status,
          headers: response.headers,
          body: parsed as T,
          attempts: attempt,
        };
      }
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      const error = errorFromResponse(response, parsed ?? text, {
        attempts: attempt,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      });
      const delay = retryAfterMs ?? backoffMs(attempt - 1);
      if (!canRetry || !isRetryableStatus(response.status, submit) || delay > MAX_RETRY_AFTER_MS) {
        throw error;
      }
      await sleep(delay, spec.signal);
    }
  };
}

function urlOf(options: TransportOptions, spec: RequestSpec): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(spec.query ?? {})) {
    if (value !== undefined) search.set(name, String(value));
  }
  const query = search.toString();
  return `${options.baseUrl}${options.prefix}${spec.path}${query ? `?${query}` : ''}`;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function requestIdOf(headers: Headers): { requestId?: string } {
  const requestId = headers.get('x-request-id');
  return requestId === null ? {} : { requestId };
}
