// What the client's methods take (camelCase) and what `submit` returns.
import type { CredentialType, FinishedJob, JobItem, JsonObject } from './types.js';

/** How to reach the server. */
export interface TaskwireOptions {
  /** Sent as `X-API-Key`. Discovery (`catalog`, `search`, `resolve`) works without one. */
  apiKey?: string;
  /** Default `http://127.0.0.1:8080`. */
  baseUrl?: string;
  /** `/v1/wire` (default) or `/v1/holocron`: both serve the same routes. */
  prefix?: string;
  /** A fetch implementation; default the global `fetch`. */
  fetch?: typeof fetch;
  /** Retries per call after the first attempt (default 3; 0 turns retrying off). */
  maxRetries?: number;
  /** Default `taskwire-client/<version>`; browsers may not send it. */
  userAgent?: string;
}

/** Options of `submit`. */
export interface SubmitOptions {
  /** Run with this credential (must be yours and of the action's catalog). */
  credentialId?: string;
  /** Run with this identity's active credential. */
  identityId?: string;
  /**
   * Makes the submission safe to repeat: the same key and body never start or charge a
   * second job. Default: a fresh UUID per call, reused by that call's retries.
   */
  idempotencyKey?: string;
  /** Wire's `webhook_url`: the finished job is POSTed there, signed (`X-Anakin-Signature`). */
  webhookUrl?: string;
  signal?: AbortSignal;
}

/** Options of `run`. */
export interface RunOptions extends SubmitOptions {
  /** The budget for submitting and waiting, default 10 minutes; Infinity for none. */
  timeoutMs?: number;
}

/** Options of `waitForJob`. */
export interface WaitOptions {
  signal?: AbortSignal;
  /** Default 10 minutes; Infinity for none. */
  timeoutMs?: number;
}

/** What `POST /task` said, plus the key it was sent under and whether it was a replay. */
export type Submission<T = JsonObject> = (
  { status: 'processing'; jobId: string; pollUrl: string } | (FinishedJob<T> & { jobId: string })
) & {
  /** The Idempotency-Key sent: submit again with it to get this same answer. */
  idempotencyKey: string;
  /** The server answered from an earlier request with the same key (`Idempotent-Replayed`). */
  replayed: boolean;
};

/** Filters of `GET /jobs`. */
export interface JobsFilter {
  /** First page to read, default 1. */
  page?: number;
  /** Jobs per page, 1–100 (server default 20). */
  limit?: number;
  status?: JobItem['status'] | 'queued' | 'running';
  /** A catalog slug (or id). */
  catalog?: string;
  /** A substring of the action id, params or error message. */
  search?: string;
  signal?: AbortSignal;
}

/** Filters of `GET /search`; they combine with AND. */
export interface SearchFilters {
  /** A catalog slug. */
  catalog?: string;
  category?: string;
  authMode?: 'none' | 'optional' | 'required';
  /** `false`: only actions that run without a login; `true`: only ones that can use one. */
  auth?: boolean;
}

/** `createIdentity` input. */
/** A credential for `addCredential`; `data` is encrypted at rest and never returned. */
export interface NewCredential {
  type: CredentialType;
  data: unknown;
  metadata?: JsonObject;
}

/** What `updateIdentity` changes: at least one of the two. */
export interface IdentityChanges {
  name?: string;
  isDefault?: boolean;
}

export interface NewIdentity {
  /** The catalog's id or slug. */
  catalogId: string;
  name: string;
  isDefault?: boolean;
  /** A first credential; its `data` is encrypted at rest and never returned. */
  credential?: { type: CredentialType; data: unknown; metadata?: JsonObject };
}
