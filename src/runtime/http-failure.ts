// How an outgoing request's failures read: socket, DNS and proxy errors as TransientError with a
// message naming the host, Retry-After as milliseconds, and a caller's abort as its reason.
import { ActionError, CancelledError, TransientError } from './errors.js';

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

/** undici's words when a proxy answers CONNECT with anything but 200. */
const PROXY_REFUSAL = /^Proxy response \((\d+)\) !== 200/;

/**
 * Our own errors (guard refusals included) pass through untouched; socket and DNS failures
 * become TransientError so the engine retries them. Anything else is a bug and is rethrown.
 * `viaProxy`: the request went through the configured proxy, whose address is never named
 * (its URL may carry a password).
 */
export function mapNetworkError(err: unknown, url: URL, viaProxy = false): unknown {
  if (err instanceof ActionError) return err;
  if (err instanceof Error && err.cause instanceof ActionError) return err.cause;
  if (viaProxy && err instanceof Error) {
    const refused = PROXY_REFUSAL.exec(err.message);
    if (refused) {
      return new TransientError(
        `The proxy refused to connect to ${url.host} (HTTP ${refused[1]}).`,
      );
    }
  }
  const code = errorCode(err);
  if (code === undefined) return err;
  const via = viaProxy ? ' (through the proxy)' : '';
  const what = NETWORK_CODES[code];
  if (what) return new TransientError(`${url.host}${via} ${what} (${code}).`);
  if (code.startsWith('E') || code.startsWith('UND_ERR_') || code.startsWith('Z_')) {
    return new TransientError(`Request to ${url.host}${via} failed (${code}).`);
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

/** The caller's cancellation reason when it is an Error, else a plain cancellation. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new CancelledError();
}
