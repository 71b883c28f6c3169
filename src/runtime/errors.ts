// Errors an action may throw. Each states its retry policy; the engine maps them to the job's
// error code and decides whether to try again, fail, or mark the login dead.
import type { ErrorCode } from '../errors/index.js';

/** How the engine treats a failure: try again later, or fail the job now. */
export type RetryPolicy = 'retry' | 'fail';

/** Base of every action failure; `jobCode` is what `GET /jobs/{id}` reports. */
export class ActionError extends Error {
  readonly jobCode: ErrorCode;
  readonly retry: RetryPolicy;
  /** Earliest time to retry, when the site told us (Retry-After). */
  readonly retryAfterMs: number | undefined;

  constructor(jobCode: ErrorCode, retry: RetryPolicy, message: string, retryAfterMs?: number) {
    super(message);
    this.name = new.target.name;
    this.jobCode = jobCode;
    this.retry = retry;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The site rejected the stored login: fail now, refund, and mark the credential expired. */
export class AuthExpiredError extends ActionError {
  constructor(message = 'The site rejected the stored login; please reconnect.') {
    super('AUTH_EXPIRED', 'fail', message);
  }
}

/** The site blocked or rate-limited us: retry later, the login stays active. */
export class BlockedError extends ActionError {
  constructor(message: string, retryAfterMs?: number) {
    super('UPSTREAM_BLOCKED', 'retry', message, retryAfterMs);
  }
}

/** A URL the runtime refuses (private address, bad scheme): never retried. */
export class InvalidTargetError extends ActionError {
  constructor(message: string) {
    super('INVALID_TARGET', 'fail', message);
  }
}

/** A network error or a 5xx from the site: worth another attempt. */
export class TransientError extends ActionError {
  /** The status the site answered, when it answered at all (undefined: a network failure). */
  readonly status: number | undefined;

  constructor(message: string, retryAfterMs?: number, status?: number) {
    super('EXECUTION_FAILED', 'retry', message, retryAfterMs);
    this.status = status;
  }
}

/** The action cannot succeed with these inputs (page missing, unexpected markup): fail now. */
export class ExecutionError extends ActionError {
  constructor(message: string) {
    super('EXECUTION_FAILED', 'fail', message);
  }
}

/** The job ran past its time budget: fail now. */
export class ActionTimeoutError extends ActionError {
  constructor(message: string) {
    super('TIMEOUT', 'fail', message);
  }
}

/** The job was cancelled while running: fail now. */
export class CancelledError extends ActionError {
  constructor(message = 'The job was cancelled.') {
    super('CANCELLED', 'fail', message);
  }
}
