// The shapes of a decrypted credential, shared by the vault (which opens them) and actions
// (which use them inside one job).

export const CREDENTIAL_TYPES = ['browser_state', 'credentials', 'api_key', 'token'] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

/** A Playwright storage state, as stored in a `browser_state` credential. */
export interface StorageState {
  cookies: Array<{
    name: string;
    value: string;
    domain: string;
    path: string;
    expires?: number;
    httpOnly?: boolean;
    secure?: boolean;
    sameSite?: 'Strict' | 'Lax' | 'None';
  }>;
  origins: Array<{ origin: string; localStorage: Array<{ name: string; value: string }> }>;
}

/** A decrypted credential, alive only inside one running job. */
export type OpenCredential =
  | { type: 'browser_state'; state: StorageState }
  /** A username and password; `totpSecret` is the authenticator key for two-factor sign-in. */
  | { type: 'credentials'; username: string; password?: string; totpSecret?: string }
  | { type: 'api_key'; key: string }
  | { type: 'token'; token: string };
