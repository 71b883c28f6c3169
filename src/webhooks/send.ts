// One try of one delivery: a signed POST through the address guard's dispatcher, answered
// within 10 s. Only the status counts; at most a few KB of the answer are read, then dropped.
import { request, type Dispatcher } from 'undici';

import { InvalidTargetError } from '../runtime/index.js';

/** A receiver gets this long to answer, headers and body (the contract's 10 s). */
export const SEND_TIMEOUT_MS = 10_000;
/** Bytes of a receiver's answer read before the connection is dropped. */
const MAX_ANSWER_BYTES = 4096;

export interface SendOutcome {
  ok: boolean;
  statusCode?: number;
  /** Why the try failed, in words fit for the delivery's owner (never the payload). */
  error?: string;
  /** Retrying cannot help: the guard refused the address. */
  permanent: boolean;
  durationMs: number;
}

export interface SendTarget {
  url: string;
  body: string;
  headers: Record<string, string>;
}

export interface SendDeps {
  /** The address guard's assertUrl; its dispatcher checks every resolved address too. */
  assertUrl: (url: URL) => void;
  dispatcher: Dispatcher;
  /** Aborts the try when the process shuts down. */
  signal: AbortSignal;
  timeoutMs?: number;
}

export async function sendDelivery(target: SendTarget, deps: SendDeps): Promise<SendOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const timeoutMs = deps.timeoutMs ?? SEND_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const url = new URL(target.url);
    deps.assertUrl(url);
    const res = await request(url, {
      method: 'POST',
      headers: target.headers,
      body: target.body,
      dispatcher: deps.dispatcher,
      signal: AbortSignal.any([deps.signal, timeout]),
    });
    // Redirects are not followed: a 3xx is an answer, and not a 2xx.
    await res.body.dump({ limit: MAX_ANSWER_BYTES }).catch(() => {});
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    return {
      ok,
      statusCode: res.statusCode,
      ...(ok ? {} : { error: `The receiver answered ${res.statusCode}.` }),
      permanent: false,
      durationMs: elapsed(),
    };
  } catch (err) {
    const refused = refusal(err);
    if (refused) return { ok: false, error: refused, permanent: true, durationMs: elapsed() };
    const error = timeout.aborted
      ? `The receiver did not answer within ${timeoutMs / 1000} s.`
      : deps.signal.aborted
        ? 'The send was interrupted by a shutdown.'
        : `The request failed: ${describe(err)}.`;
    return { ok: false, error, permanent: false, durationMs: elapsed() };
  }
}

/** The guard's refusal message, if that is why the try failed (undici may wrap it). */
function refusal(err: unknown): string | undefined {
  if (err instanceof InvalidTargetError) return err.message;
  if (err instanceof Error && err.cause instanceof InvalidTargetError) return err.cause.message;
  return undefined;
}

function describe(err: unknown): string {
  if (typeof err !== 'object' || err === null) return 'unknown error';
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string') return code;
  return typeof message === 'string' ? message.slice(0, 200) : 'unknown error';
}
