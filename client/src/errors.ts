// The SDK's errors: one base carrying the Wire error envelope, plus failed job, timeout, network.
import type { ErrorEnvelope, FailedJob } from './types.js';

/** One thing wrong with a request, as `INVALID_PARAMS` / `BAD_REQUEST` list them. */
export interface Issue {
  path: string;
  message: string;
}

/** What a `TaskwireError` is built from. */
export interface TaskwireErrorInit {
  code: string;
  message: string;
  /** HTTP status; 0 when no HTTP error response was involved. */
  status: number;
  requestId?: string;
  details?: string;
  issues?: Issue[];
  connectUrl?: string;
  balance?: number;
  required?: number;
  missingFields?: string[];
  body?: unknown;
  retryAfterMs?: number;
  attempts?: number;
  cause?: unknown;
}

/**
 * Any failure of a call. `code` is the Wire error code (`NOT_FOUND`, `INSUFFICIENT_CREDITS`,
 * ...), or one of the SDK's own: `NETWORK_ERROR`, `HTTP_ERROR` (an error response that is not
 * a Wire envelope, e.g. from a proxy), `INVALID_RESPONSE` (a success that is not JSON).
 * @example
 * try { await tw.run('web_scrape', { url }); }
 * catch (e) {
 *   if (e instanceof TaskwireError && e.code === 'INSUFFICIENT_CREDITS') console.log(e.balance);
 * }
 */
export class TaskwireError extends Error {
  override name = 'TaskwireError';
  readonly code: string;
  /** HTTP status of the failed response; 0 for network errors and the SDK's own errors. */
  readonly status: number;
  /** The server's `X-Request-Id`: quote it when reporting a problem. */
  declare readonly requestId?: string;
  /** A readable summary (`INVALID_PARAMS`, `BAD_REQUEST`). */
  declare readonly details?: string;
  /** What was wrong, field by field (`INVALID_PARAMS`, `BAD_REQUEST`). */
  declare readonly issues?: Issue[];
  /** Where a person can connect an account (`AUTH_REQUIRED`). */
  declare readonly connectUrl?: string;
  /** The balance and the cost (`INSUFFICIENT_CREDITS`). */
  declare readonly balance?: number;
  declare readonly required?: number;
  /** Login fields that were missing. */
  declare readonly missingFields?: string[];
  /** The response body as received: the parsed JSON, or its text. */
  declare readonly body?: unknown;
  /** The server's `Retry-After`, in milliseconds, when it sent one. */
  declare readonly retryAfterMs?: number;
  /** HTTP attempts this call made, retries included. */
  readonly attempts: number;

  constructor(init: TaskwireErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status;
    this.attempts = init.attempts ?? 1;
    // Assigned one by one so absent fields stay absent rather than `undefined`.
    if (init.requestId !== undefined) this.requestId = init.requestId;
    if (init.details !== undefined) this.details = init.details;
    if (init.issues !== undefined) this.issues = init.issues;
    if (init.connectUrl !== undefined) this.connectUrl = init.connectUrl;
    if (init.balance !== undefined) this.balance = init.balance;
    if (init.required !== undefined) this.required = init.required;
    if (init.missingFields !== undefined) this.missingFields = init.missingFields;
    if (init.body !== undefined) this.body = init.body;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }
}

/**
 * A job ended `failed`. `code` and `message` are the job's error (`TIMEOUT`, `CANCELLED`,
 * `UPSTREAM_BLOCKED`, ...); `status` is 0 because every HTTP request succeeded. The job was
 * refunded.
 * @example
 * catch (e) { if (e instanceof JobFailedError && e.code === 'UPSTREAM_BLOCKED') retryLater(); }
 */
export class JobFailedError extends TaskwireError {
  override name = 'JobFailedError';
  readonly jobId: string;
  /** The failed job's body, as `GET /jobs/{id}` returned it. */
  readonly job: FailedJob;

  constructor(jobId: string, job: FailedJob, requestId?: string) {
    super({
      code: job.error.code,
      message: job.error.message,
      status: 0,
      body: job,
      ...(requestId !== undefined ? { requestId } : {}),
    });
    this.jobId = jobId;
    this.job = job;
  }
}

/**
 * A wait ran past its `timeoutMs` (code `WAIT_TIMEOUT`, status 0). The job itself keeps
 * running on the server: `cancel(jobId)` it, or wait again. `jobId` is absent when the time
 * ran out before the server accepted the task.
 */
export class TimeoutError extends TaskwireError {
  override name = 'TimeoutError';
  declare readonly jobId?: string;
  readonly timeoutMs: number;

  constructor(timeoutMs: number, jobId?: string) {
    super({
      code: 'WAIT_TIMEOUT',
      status: 0,
      message: jobId
        ? `Job ${jobId} did not finish within ${timeoutMs} ms; it is still running.`
        : `The task was not accepted within ${timeoutMs} ms.`,
    });
    this.timeoutMs = timeoutMs;
    if (jobId !== undefined) this.jobId = jobId;
  }
}

/** A request that never got an HTTP answer (fetch rejected, or the body was cut off). */
export function networkError(cause: unknown, what: string, attempts: number): TaskwireError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  // Node's fetch says only "fetch failed"; the socket error beneath it says why.
  const inner =
    cause instanceof Error ? (cause.cause as { code?: unknown } | undefined) : undefined;
  const why = typeof inner?.code === 'string' ? ` (${inner.code})` : '';
  return new TaskwireError({
    code: 'NETWORK_ERROR',
    status: 0,
    message: `${what} failed: ${reason}${why}`,
    cause,
    attempts,
  });
}

/** The error an unsuccessful response stands for; `body` is its parsed JSON or its text. */
export function errorFromResponse(
  response: { status: number; statusText: string; headers: Headers },
  body: unknown,
  extra: { retryAfterMs?: number; attempts: number },
): TaskwireError {
  const requestId = response.headers.get('x-request-id') ?? undefined;
  const base = {
    status: response.status,
    body,
    attempts: extra.attempts,
    ...(requestId !== undefined ? { requestId } : {}),
    ...(extra.retryAfterMs !== undefined ? { retryAfterMs: extra.retryAfterMs } : {}),
  };
  if (!isEnvelope(body)) {
    const text = `${response.status} ${response.statusText}`.trim();
    return new TaskwireError({ ...base, code: 'HTTP_ERROR', message: `HTTP ${text}` });
  }
  const e = body.error;
  return new TaskwireError({
    ...base,
    code: e.code,
    message: e.message,
    ...(e.details !== undefined ? { details: e.details } : {}),
    ...(e.issues !== undefined ? { issues: e.issues } : {}),
    ...(e.connect_url !== undefined ? { connectUrl: e.connect_url } : {}),
    ...(e.balance !== undefined ? { balance: e.balance } : {}),
    ...(e.required !== undefined ? { required: e.required } : {}),
    ...(e.missing_fields !== undefined ? { missingFields: e.missing_fields } : {}),
  });
}

function isEnvelope(body: unknown): body is ErrorEnvelope {
  if (typeof body !== 'object' || body === null) return false;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === 'string' && typeof message === 'string';
}
