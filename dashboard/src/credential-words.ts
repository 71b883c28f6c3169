// Credential facts in words a person reads at a glance.
import type { Credential } from '@taskwire/client';

export const TYPE_LABEL: Record<string, string> = {
  browser_state: 'Browser session',
  credentials: 'Username and password',
  api_key: 'API key',
  token: 'Access token',
};

const REASONS: Record<string, string> = {
  session_rejected: 'the site rejected the saved login during a job',
  probe_failed: 'the site did not accept it when it was checked',
  login_failed: 'signing in again did not work',
  expired: 'it passed its expiry date',
};

/** Why a credential is expired, in words (the raw reason when it is one we do not know). */
export function reasonText(credential: Credential): string | undefined {
  if (credential.status !== 'expired') return undefined;
  const reason = credential.status_reason;
  return reason ? (REASONS[reason] ?? reason.replace(/_/g, ' ')) : undefined;
}
