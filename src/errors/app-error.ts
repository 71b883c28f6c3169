// The one error base: every error a user can see carries a Wire code, an HTTP status and a
// message written for the person who sent the request. The API renders the envelope from it.

/** Every Wire error code Taskwire can answer with; docs/errors.md lists each one. */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'INVALID_PARAMS',
  'UNAUTHORIZED',
  'AUTH_REQUIRED',
  'AUTH_EXPIRED',
  'INSUFFICIENT_CREDITS',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'IDEMPOTENCY_KEY_REUSED',
  'RATE_LIMITED',
  'EXECUTION_FAILED',
  'ACTION_UNAVAILABLE',
  'INTERNAL_ERROR',
  'UPSTREAM_BLOCKED',
  'TIMEOUT',
  'CANCELLED',
  'INVALID_TARGET',
  // POST /login: how a sign-in through the catalog's login form failed.
  'BAD_PASSWORD',
  'MFA_REQUIRED',
  'CAPTCHA_REQUIRED',
  'LOGIN_FAILED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Extra fields some codes add to the envelope (`connect_url`, `balance`, `issues`, ...). */
export type ErrorExtras = Record<string, unknown>;

/** A user-facing failure. `message` must never contain a secret or a raw database error. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly extras: ErrorExtras;

  constructor(code: ErrorCode, status: number, message: string, extras: ErrorExtras = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.extras = extras;
  }
}

/** One schema problem, pointing at the offending field. */
export interface ValidationIssue {
  path: string;
  message: string;
}

export const badRequest = (message: string, issues: ValidationIssue[] = []): AppError =>
  new AppError('BAD_REQUEST', 400, message, {
    details: issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; ') || message,
    issues,
  });

export const invalidParams = (issues: ValidationIssue[]): AppError =>
  new AppError('INVALID_PARAMS', 400, "The params do not match the action's input schema.", {
    details: issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; '),
    issues,
  });

export const notFound = (message: string): AppError => new AppError('NOT_FOUND', 404, message);

export const forbidden = (message: string): AppError => new AppError('FORBIDDEN', 403, message);

export const conflict = (message: string): AppError => new AppError('CONFLICT', 409, message);
