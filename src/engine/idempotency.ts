// Idempotency keys on POST /task: request fingerprints, and the SQL that claims, reads,
// rewrites and prunes the answers remembered under a key. A key is claimed in the same
// transaction as the debit and the job insert, so a rejected submission leaves no trace.
import { createHash } from 'node:crypto';

import type { Kysely } from 'kysely';

import { AppError } from '../errors/index.js';
import {
  type Clock,
  type Database,
  fromJson,
  type IdempotencyKeyRow,
  isoNow,
  type JobRow,
  toJson,
  type Writer,
} from '../store/index.js';

type Db = Kysely<Database>;

/** An HTTP answer as remembered: a replay sends the same status and body. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

/** What `submitTask` needs to remember its answer under a client's key. */
export interface Idempotency {
  key: string;
  /** `fingerprintOf(method, route, body)` of the request. */
  fingerprint: string;
  /** The answer the new job gets; stored with the key in the submit transaction. */
  render: (job: JobRow) => StoredResponse;
}

/** JSON with object keys sorted at every level, so equal bodies give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const fields = Object.keys(object)
      .filter((k) => object[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(object[k])}`);
    return `{${fields.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 (hex) of a request: what a reused key is compared by. */
export function fingerprintOf(method: string, route: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()} ${route}\n${canonicalJson(body ?? {})}`)
    .digest('hex');
}

const reused = (key: string): AppError =>
  new AppError(
    'IDEMPOTENCY_KEY_REUSED',
    422,
    `Idempotency-Key '${key}' was already used with a different request body.`,
  );

/** The answer to replay for a live key, or 422 when the key came with another request. */
export function replayOf(row: IdempotencyKeyRow, fingerprint: string): StoredResponse {
  if (row.fingerprint !== fingerprint) throw reused(row.key);
  return { status: row.response_status, body: fromJson(row.response_body) };
}

/** The row for an account's key that is still live at `now` (ISO time), if any. */
export async function findKey(
  db: Db,
  accountId: string,
  key: string,
  now: string,
): Promise<IdempotencyKeyRow | undefined> {
  return db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('key', '=', key)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/**
 * Takes the key for a new job inside the submit transaction; false when a live row holds it.
 * An expired row is overwritten. On PostgreSQL a concurrent claim of the same key waits here
 * on the primary key until the first transaction ends, then sees its row (or, if it rolled
 * back, takes the key itself); on SQLite the write lock already serialises them.
 */
export async function claimKey(
  db: Db,
  row: Omit<IdempotencyKeyRow, 'response_body' | 'response_status'>,
  response: StoredResponse,
): Promise<boolean> {
  const answer = {
    fingerprint: row.fingerprint,
    job_id: row.job_id,
    response_status: response.status,
    response_body: toJson(response.body),
    created_at: row.created_at,
    expires_at: row.expires_at,
  };
  const claimed = await db
    .insertInto('idempotency_keys')
    .values({ account_id: row.account_id, key: row.key, ...answer })
    .onConflict((oc) =>
      oc
        .columns(['account_id', 'key'])
        .doUpdateSet(answer)
        .where('idempotency_keys.expires_at', '<=', row.created_at),
    )
    .returning('key')
    .executeTakeFirst();
  return claimed !== undefined;
}

/**
 * Replaces the answer remembered for a job's key: a sync action that finished in time
 * answered 200 with its result, and a replay must say the same.
 */
export async function rememberResponse(
  write: Writer,
  accountId: string,
  key: string,
  jobId: string,
  response: StoredResponse,
): Promise<void> {
  await write((trx) =>
    trx
      .updateTable('idempotency_keys')
      .set({ response_status: response.status, response_body: toJson(response.body) })
      .where('account_id', '=', accountId)
      .where('key', '=', key)
      .where('job_id', '=', jobId)
      .execute(),
  );
}

/** Deletes expired keys; returns how many went. */
export async function pruneKeys(write: Writer, clock: Clock): Promise<number> {
  const result = await write((trx) =>
    trx.deleteFrom('idempotency_keys').where('expires_at', '<=', isoNow(clock)).executeTakeFirst(),
  );
  return Number(result.numDeletedRows);
}
