// API keys: 256 random bits behind a visible prefix. Only the SHA-256 of a key is stored; the
// key itself is shown once, when it is created. High-entropy keys need no slow hash.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

import type { Kysely } from 'kysely';

import { AppError } from '../errors/index.js';
import {
  type ApiKeyRow,
  type Clock,
  type Database,
  isoNow,
  prepared,
  systemClock,
} from '../store/index.js';

type Db = Kysely<Database>;

const KEY_PATTERN = /^tw_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

export interface CreatedKey {
  id: string;
  /** The whole key; it exists only in this value and is never stored. */
  key: string;
  prefix: string;
  name: string;
  created_at: string;
}

export async function createApiKey(
  db: Db,
  accountId: string,
  name = 'default',
  clock: Clock = systemClock,
): Promise<CreatedKey> {
  const prefix = randomBytes(9)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')
    .slice(0, 12);
  const key = `tw_${prefix}_${randomBytes(32).toString('base64url')}`;
  const row = {
    id: randomUUID(),
    account_id: accountId,
    prefix,
    hash: sha256(key).toString('hex'),
    name,
    created_at: isoNow(clock),
    revoked_at: null,
    last_used_at: null,
  };
  await db.insertInto('api_keys').values(row).execute();
  return { id: row.id, key, prefix, name, created_at: row.created_at };
}

export interface Principal {
  accountId: string;
  keyId: string;
}

const selectKey = prepared((db, args: { prefix: string }) =>
  db
    .selectFrom('api_keys')
    .select(['id', 'account_id', 'hash', 'revoked_at'])
    .where('prefix', '=', args.prefix),
);

/** The account a presented key belongs to, or undefined for unknown, malformed or revoked keys. */
export async function authenticate(db: Db, presented: string): Promise<Principal | undefined> {
  const match = KEY_PATTERN.exec(presented);
  if (!match) return undefined;
  const [row] = await selectKey(db, { prefix: match[1] as string });
  if (!row || row.revoked_at !== null) return undefined;
  const expected = Buffer.from(row.hash, 'hex');
  if (!timingSafeEqual(expected, sha256(presented))) return undefined;
  return { accountId: row.account_id, keyId: row.id };
}

export type ApiKeySummary = Omit<ApiKeyRow, 'hash'>;

export async function listApiKeys(db: Db, accountId: string): Promise<ApiKeySummary[]> {
  return db
    .selectFrom('api_keys')
    .select(['id', 'account_id', 'prefix', 'name', 'created_at', 'revoked_at', 'last_used_at'])
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .execute();
}

/** Revokes a key by id or prefix; an unknown key is a 404. */
export async function revokeApiKey(
  db: Db,
  idOrPrefix: string,
  clock: Clock = systemClock,
): Promise<void> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: isoNow(clock) })
    .where((eb) => eb.or([eb('id', '=', idOrPrefix), eb('prefix', '=', idOrPrefix)]))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) {
    throw new AppError('NOT_FOUND', 404, `No active API key '${idOrPrefix}'.`);
  }
}

/** Records that a key was just used (the caller throttles how often). */
export async function touchApiKey(
  db: Db,
  keyId: string,
  clock: Clock = systemClock,
): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: isoNow(clock) })
    .where('id', '=', keyId)
    .execute();
}
