// What the API may show of identities and credentials: metadata only. The sealed secret and
// its key id are not in these shapes, so no route can return them.
import { type CredentialRow, fromJson, type IdentityRow } from '../store/index.js';

export interface CredentialView {
  id: string;
  identity_id: string;
  credential_type: string;
  status: 'active' | 'expired';
  status_reason?: string;
  expires_at?: string;
  last_used_at?: string;
  last_verified_at?: string;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface IdentityView {
  id: string;
  user_id: string;
  catalog_slug: string;
  name: string;
  is_default: boolean;
  created_at: string;
  updated_at: string;
  credentials: CredentialView[];
}

/** A credential row as the API shows it; absent optional fields are omitted, never null. */
export function credentialView(row: CredentialRow): CredentialView {
  const view: CredentialView = {
    id: row.id,
    identity_id: row.identity_id,
    credential_type: row.credential_type,
    status: row.status,
    metadata: (fromJson(row.metadata) ?? {}) as Record<string, unknown>,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
  if (row.status_reason) view.status_reason = row.status_reason;
  if (row.expires_at) view.expires_at = row.expires_at;
  if (row.last_used_at) view.last_used_at = row.last_used_at;
  if (row.last_verified_at) view.last_verified_at = row.last_verified_at;
  return view;
}

/** An identity row and its credentials as the API shows them. */
export const identityView = (row: IdentityRow, credentials: CredentialRow[]): IdentityView => ({
  id: row.id,
  user_id: row.account_id,
  catalog_slug: row.catalog_slug,
  name: row.name,
  is_default: row.is_default === 1,
  created_at: row.created_at,
  updated_at: row.updated_at,
  credentials: credentials.map(credentialView),
});
