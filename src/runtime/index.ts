// Public surface of the runtime module: what an action is given (HTTP client, browser, errors,
// types).
export * from './errors.js';
export type * from './http.types.js';
export * from './credential.types.js';
export { jarFromStorageState } from './cookies.js';
export {
  createHttpClient,
  DEFAULT_USER_AGENT,
  parseRetryAfter,
  type HttpClientDeps,
} from './http-client.js';
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
