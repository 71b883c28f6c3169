// A catalog's "who am I" check: one cheap request with a stored login that tells whether the
// site still accepts it, so a dead session is found before a job pays to find it.
import type { OpenCredential } from './credential.types.js';
import type { HttpClient } from './http.types.js';

/** What a probe is given: a guarded HTTP client whose cookie jar holds the credential. */
export interface ProbeContext {
  http: HttpClient;
  credential: OpenCredential;
  signal: AbortSignal;
}

/** The site accepted the login; `account` is who it says the login belongs to, if it shows it. */
export interface ProbeResult {
  account?: string;
}

/**
 * Resolves when the site accepts the login and throws `AuthExpiredError` when it rejects it.
 * Any other error (a block page, a network failure) means the site could not tell: the
 * credential keeps its status.
 */
export type CredentialProbe = (ctx: ProbeContext) => Promise<ProbeResult>;
