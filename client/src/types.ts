// The Wire v1 shapes as the server sends them (snake_case, optional fields omitted, never null).

/** A JSON object: what `params`, `data`, `metadata` and the JSON Schemas are. */
export type JsonObject = Record<string, unknown>;

/** One top-level action parameter, as listed in `parameters` and search `params`. */
export interface Parameter {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  description: string;
}

/** A site ("catalog") with its actions: an item of `GET /catalog`. */
export interface CatalogEntry {
  id: string;
  slug: string;
  name: string;
  url: string;
  domain: string;
  category: string;
  description: string;
  logo_url: string;
  /** Some action of this catalog needs a login. */
  auth_required: boolean;
  /** The primary credential type; omitted when the catalog takes none. */
  auth_type?: string;
  auth_types: string[];
  auth_login_url?: string;
  status: string;
  created_at: string;
  updated_at: string;
  action_count: number;
}

/** An action as `GET /catalog/{slug}` describes it. */
export interface Action {
  id: string;
  /** The name `POST /task` takes, e.g. `web_scrape`. */
  action_id: string;
  catalog_id: string;
  name: string;
  description: string;
  tags: string[];
  type: 'read' | 'write';
  mode: 'async' | 'sync';
  auth_mode: 'none' | 'optional' | 'required';
  auth_required: boolean;
  parameters: Parameter[];
  /** The full JSON Schema of `params`. */
  input_schema: JsonObject;
  /** The JSON Schema of a completed job's `data`. */
  output_schema: JsonObject;
  credits_per_call: number;
  status: string;
  created_at: string;
  updated_at: string;
}

/** A login field a catalog's login flow asks for. */
export interface LoginField {
  name: string;
  type: string;
  required: boolean;
  description: string;
}

/** `GET /catalog/{slug}`. */
export interface CatalogDetail {
  catalog: CatalogEntry;
  actions: Action[];
  login_input_schema: LoginField[];
}

/** An item of `GET /search`. */
export interface SearchResult {
  action_id: string;
  catalog_name: string;
  catalog_slug: string;
  name: string;
  description: string;
  mode: 'async' | 'sync';
  auth_mode: 'none' | 'optional' | 'required';
  auth_required: boolean;
  /** The caller holds an active credential for the catalog (always false without a key). */
  connected: boolean;
  params: Parameter[];
  credits: number;
}

/** An item of `GET /resolve`. */
export interface ResolveResult {
  action_id: string;
  /** The catalog's slug. */
  catalog: string;
  credits: number;
  auth_required: boolean;
  /** `null` for an anonymous caller. */
  auth_satisfied: boolean | null;
  params: {
    required: Array<{ name: string; type: string }>;
    optional: Array<{ name: string; type: string }>;
  };
}

/** `GET /resolve`: `next` says how to run a result. */
export interface ResolveResponse {
  next: string;
  results: ResolveResult[];
}

/** A file a completed job produced. */
export interface JobFile {
  name: string;
  content_type: string;
  size_bytes: number;
}

/** Why a job failed: `TIMEOUT`, `CANCELLED`, `UPSTREAM_BLOCKED`, `EXECUTION_FAILED`, ... */
export interface JobError {
  code: string;
  message: string;
}

/** A queued or running job. `job_id` is set only on a `POST /task` answer. */
export interface ProcessingJob {
  status: 'processing';
  /** When to poll again if the server does not long-poll. */
  retry_after_ms: number;
  job_id?: string;
}

/** A job that finished with its result in `data`. */
export interface CompletedJob<T = JsonObject> {
  status: 'completed';
  data: T;
  credits_used: number;
  execution_ms: number;
  files?: JobFile[];
  job_id?: string;
}

/** A job that ended in failure; it was refunded in full. */
export interface FailedJob {
  status: 'failed';
  error: JobError;
  credits_used: number;
  job_id?: string;
}

/** A terminal job. */
export type FinishedJob<T = JsonObject> = CompletedJob<T> | FailedJob;

/**
 * `GET /jobs/{id}`, narrowed on `status`.
 * @example
 * const job = await tw.job(id);
 * if (job.status === 'completed') console.log(job.data);
 */
export type JobBody<T = JsonObject> = ProcessingJob | FinishedJob<T>;

/** An item of `GET /jobs`. */
export interface JobItem {
  id: string;
  user_id: string;
  action_id: string;
  action_name: string;
  catalog_id: string;
  catalog_slug: string;
  params: JsonObject;
  status: 'processing' | 'completed' | 'failed';
  /** The job's `data`, once completed. */
  result?: JsonObject;
  credits_used: number;
  credential_id?: string;
  credential_type?: string;
  identity_name?: string;
  /** The failure message, once failed. */
  error?: string;
  created_at: string;
  completed_at?: string;
}

/** One page of `GET /jobs`; `stats` (counts by status) comes on page 1 only. */
export interface JobList {
  jobs: JobItem[];
  total_count: number;
  page: number;
  limit: number;
  total_pages: number;
  stats?: Record<string, number>;
}

/** A stored login; its secret is never returned. */
export interface Credential {
  id: string;
  identity_id: string;
  credential_type: CredentialType;
  status: 'active' | 'expired';
  /** Why it expired, e.g. `session_rejected` (a Taskwire addition). */
  status_reason?: string;
  expires_at?: string;
  last_used_at?: string;
  last_verified_at?: string;
  metadata: JsonObject;
  created_at: string;
  updated_at: string;
}

export type CredentialType = 'browser_state' | 'credentials' | 'api_key' | 'token';

/** A named account on one catalog ("Personal Amazon") with its credentials. */
export interface Identity {
  id: string;
  user_id: string;
  catalog_id: string;
  name: string;
  is_default: boolean;
  created_at: string;
  updated_at: string;
  credentials: Credential[];
}

/** One ledger line; `amount` is signed (debits are negative). */
export interface LedgerEntry {
  id: string;
  kind: 'grant' | 'debit' | 'refund' | 'adjust';
  amount: number;
  job_id?: string;
  note?: string;
  created_at: string;
}

/** `GET /credits`: the balance and one page of the ledger, newest first. */
export interface Credits {
  status: 'ok';
  balance: number;
  ledger: LedgerEntry[];
  total_count: number;
  page: number;
  limit: number;
}

/** The body of every error response. */
export interface ErrorEnvelope {
  status: 'error';
  error: {
    code: string;
    message: string;
    details?: string;
    issues?: Array<{ path: string; message: string }>;
    connect_url?: string;
    balance?: number;
    required?: number;
    missing_fields?: string[];
  };
}
