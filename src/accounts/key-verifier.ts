// Which account a presented API key belongs to, remembered between requests. Every request
// with a key asks this (the rate limiter to pick a bucket, then the route's auth hook), so on
// SQLite the verdicts are kept in memory for as long as they can be trusted: until this
// process creates or revokes a key, or another process (an admin command such as
// `taskwire keys revoke`) commits anything to the database, which SQLite's `data_version`
// tells at the cost of one synchronous pragma. A revocation therefore takes effect on the
// next request.
// On PostgreSQL, where many API nodes share the database and no such counter exists, every
// request looks the key up.
import { createHash } from 'node:crypto';

import type { Kysely } from 'kysely';

import type { Database } from '../store/index.js';
import { authenticate, type Principal } from './api-keys.service.js';

export interface KeyVerifier {
  /** The key's account and id; undefined for unknown, malformed or revoked keys. */
  verify(key: string): Promise<Principal | undefined>;
  /** Drops every remembered verdict: this process just created or revoked a key. */
  forget(): void;
}

/** Verdicts kept at most; past this they are dropped (a flood of invented keys). */
const VERDICT_LIMIT = 10_000;

/**
 * `dataVersion` is the store's (SQLite only); without it every verification is a lookup.
 */
export function createKeyVerifier(
  db: Kysely<Database>,
  dataVersion: (() => number) | undefined,
): KeyVerifier {
  if (!dataVersion) return { verify: (key) => authenticate(db, key), forget: () => {} };
  // Keyed by the key's hash: the keys themselves are never kept.
  const verdicts = new Map<string, Principal | undefined>();
  let seenVersion: number | undefined;
  // Bumped whenever the verdicts are dropped, so a lookup that began before a revocation
  // cannot store its now stale answer after it.
  let generation = 0;
  const forget = (): void => {
    verdicts.clear();
    generation += 1;
  };
  return {
    async verify(key) {
      const version = dataVersion();
      if (version !== seenVersion) {
        forget();
        seenVersion = version;
      }
      const hash = createHash('sha256').update(key).digest('base64url');
      if (verdicts.has(hash)) return verdicts.get(hash);
      const asked = generation;
      const principal = await authenticate(db, key);
      if (asked === generation) {
        if (verdicts.size >= VERDICT_LIMIT) verdicts.clear();
        verdicts.set(hash, principal);
      }
      return principal;
    },
    forget,
  };
}
