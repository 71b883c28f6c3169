// Table types as the database stores them. Timestamps are ISO-8601 UTC strings and JSON
// columns are text on both dialects, so rows read the same from SQLite and PostgreSQL.
import type { Insertable, Selectable, Updateable } from 'kysely';

export interface AccountsTable {
  id: string;
  name: string;
  balance: number;
  created_at: string;
}

export interface ApiKeysTable {
  id: string;
  account_id: string;
  /** Public part of the key, shown in listings and used to look the key up. */
  prefix: string;
  /** SHA-256 of the whole key, hex. */
  hash: string;
  name: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

export type LedgerKind = 'grant' | 'debit' | 'refund' | 'adjust';

export interface LedgerEntriesTable {
  id: string;
  account_id: string;
  kind: LedgerKind;
  /** Signed: debits are negative, so the balance is the sum of amounts. */
  amount: number;
  job_id: string | null;
  note: string | null;
  created_at: string;
}

export interface CatalogRecordsTable {
  slug: string;
  id: string;
  fingerprint: string;
  created_at: string;
  updated_at: string;
}

export interface IdentitiesTable {
  id: string;
  account_id: string;
  catalog_slug: string;
  name: string;
  is_default: number;
  created_at: string;
  updated_at: string;
}

export type CredentialStatus = 'active' | 'expired';

export interface CredentialsTable {
  id: string;
  identity_id: string;
  account_id: string;
  catalog_slug: string;
  credential_type: string;
  status: CredentialStatus;
  status_reason: string | null;
  /** AES-256-GCM sealed secret (base64 fields joined in one envelope string). */
  sealed: string;
  key_id: string;
  metadata: string;
  expires_at: string | null;
  last_used_at: string | null;
  last_verified_at: string | null;
  created_at: string;
  updated_at: string;
}

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface JobsTable {
  id: string;
  account_id: string;
  action_id: string;
  catalog_slug: string;
  params: string;
  credential_id: string | null;
  status: JobStatus;
  error_code: string | null;
  error_message: string | null;
  data: string | null;
  attempts: number;
  max_attempts: number;
  run_at: string;
  lease_until: string | null;
  worker_id: string | null;
  credits_reserved: number;
  credits_used: number;
  execution_ms: number | null;
  idempotency_key: string | null;
  webhook_url: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

/** The answer an `Idempotency-Key` got, replayed to a retry with the same key and body. */
export interface IdempotencyKeysTable {
  account_id: string;
  key: string;
  /** SHA-256 (hex) of method, route and the request body as canonical JSON. */
  fingerprint: string;
  job_id: string;
  response_status: number;
  /** The response body as JSON text. */
  response_body: string;
  created_at: string;
  /** After this the key is forgotten: a lookup ignores it and the reaper deletes it. */
  expires_at: string;
}

export type WebhookEventName = 'job.completed' | 'job.failed' | 'credential.expired';

/** An account's webhook endpoint. The secret signs its deliveries and is shown only once. */
export interface WebhookEndpointsTable {
  id: string;
  account_id: string;
  url: string;
  /** JSON array of WebhookEventName. */
  events: string;
  description: string | null;
  secret: string;
  created_at: string;
}

/** The account's secret for deliveries to a task's own `webhook_url`. */
export interface WebhookSecretsTable {
  account_id: string;
  secret: string;
  created_at: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event on its way to one URL: written with the state change it reports. */
export interface WebhookDeliveriesTable {
  id: string;
  account_id: string;
  /** The account endpoint it goes to; null for a task's own `webhook_url`. */
  webhook_id: string | null;
  url: string;
  event: WebhookEventName;
  job_id: string | null;
  /** The exact JSON text that is sent and signed. */
  payload: string;
  status: DeliveryStatus;
  /** Sends started; also the fence of the claim that started the latest one. */
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  /** When the next send is due (or a claimed send's lease ends); null once finished. */
  next_attempt_at: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  at: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

/** What happened to a job, in order: lifecycle steps and its action's own log lines. */
export type JobLogKind =
  | 'submitted'
  | 'started'
  | 'log'
  | 'retry'
  | 'released'
  | 'reclaimed'
  | 'succeeded'
  | 'failed'
  | 'cancelled';

export interface JobLogTable {
  id: string;
  job_id: string;
  attempt: number | null;
  kind: JobLogKind;
  message: string;
  /** JSON object of extra fields, or null. */
  data: string | null;
  at: string;
}

/** A file attached to a job; written with the job's settle, deleted with the job. */
export interface JobFilesTable {
  job_id: string;
  /** Safe and unique per job (runtime/job-files.ts checks it). */
  name: string;
  /** The order the action added it, from 0. */
  position: number;
  content_type: string;
  size_bytes: number;
  /** The bytes: `blob` on SQLite, `bytea` on PostgreSQL. */
  content: Buffer;
  created_at: string;
}

export interface Database {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  ledger_entries: LedgerEntriesTable;
  catalog_records: CatalogRecordsTable;
  identities: IdentitiesTable;
  credentials: CredentialsTable;
  jobs: JobsTable;
  job_log: JobLogTable;
  job_files: JobFilesTable;
  idempotency_keys: IdempotencyKeysTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_secrets: WebhookSecretsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}

export type Account = Selectable<AccountsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type LedgerEntry = Selectable<LedgerEntriesTable>;
export type IdentityRow = Selectable<IdentitiesTable>;
export type CredentialRow = Selectable<CredentialsTable>;
export type JobRow = Selectable<JobsTable>;
export type JobLogRow = Selectable<JobLogTable>;
export type JobFileRow = Selectable<JobFilesTable>;
export type IdempotencyKeyRow = Selectable<IdempotencyKeysTable>;
export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;
export type DeliveryAttemptRow = Selectable<WebhookAttemptsTable>;
export type NewJob = Insertable<JobsTable>;
export type JobUpdate = Updateable<JobsTable>;
