// Public surface of the runtime module: what an action is given (HTTP client, browser, files,
// errors, types).
export * from './errors.js';
export type * from './http.types.js';
export * from './credential.types.js';
export { jarFromStorageState } from './cookies.js';
export {
  createHttpClient,
  DEFAULT_429_BACKOFF_MS,
  DEFAULT_USER_AGENT,
  parseRetryAfter,
  type HttpClientDeps,
} from './http-client.js';
export {
  createPacer,
  MAX_BACKOFF_MS,
  type PaceLimit,
  type PaceRelease,
  type PaceRequest,
  type Pacer,
  type PacingLimits,
  type PacingOverrides,
} from './pacer.js';
export { detectBlockPage, type BlockPageInput } from './block-page.js';
export { DEFAULT_REQUEST_RETRIES, retryDelayMs, type RetryQuestion } from './http-retry.js';
export {
  assertUrlShape,
  createAddressGuard,
  MAX_URL_LENGTH,
  type AddressGuard,
  type AddressGuardDeps,
  type ResolveHost,
} from './address-guard.js';
export type * from './browser.types.js';
export { BrowserPool } from './browser-pool.js';
export { createJobBrowser, type JobBrowserSession } from './browser-job.js';
export {
  createJobFiles,
  isSafeFileName,
  JOB_FILE_LIMITS,
  type JobFile,
  type JobFileLimits,
  type JobFiles,
  type JobFilesSession,
} from './job-files.js';
export type * from './login.types.js';
export type * from './probe.types.js';
export { isShown, submitAndLoad, textOf } from './login-page.js';
export { parseTotpSecret, totpCode } from './totp.js';
