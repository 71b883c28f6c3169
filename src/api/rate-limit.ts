// Per-account request limits: requests with a valid API key count against their account's
// budget per minute (all its keys share it), everything else (no key, an unknown or revoked
// key) against the caller's IP address. The key is verified before it picks a bucket: its
// public prefix alone would let anyone dodge the IP limit with invented prefixes, or spend a
// victim's budget with a forged key. Counted in this process's memory, so with several API
// nodes each node enforces the limit on the traffic it sees.
import { createHash } from 'node:crypto';

import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';

import { AppError } from '../errors/index.js';
import { presentedKey } from './auth.js';

export interface RateLimits {
  /** Requests per minute per account; 0: no limit. */
  perKey: number;
  /** Requests per minute per IP without a valid key; 0: no limit. */
  anonymous: number;
  /** The account a presented key belongs to, undefined for unknown or revoked keys. */
  accountOfKey: (key: string) => Promise<string | undefined>;
}

/** How long a key's verdict is reused: a revoked key may count against its account this long. */
const VERDICT_TTL_MS = 30_000;
/** Verdicts kept at most; past this the cache starts afresh (a flood of invented keys). */
const VERDICT_LIMIT = 10_000;

/**
 * Picks a request's bucket: `account:<id>` for a verified key, else `ip:<address>`. Verdicts
 * are cached by the key's hash, so a caller over its limit costs no database lookup.
 */
function bucketing(accountOfKey: RateLimits['accountOfKey']) {
  const verdicts = new Map<string, { accountId: string | undefined; until: number }>();
  return async (request: FastifyRequest): Promise<string> => {
    const ip = `ip:${request.ip}`;
    const key = presentedKey(request);
    if (key === undefined) return ip;
    const hash = createHash('sha256').update(key).digest('base64url');
    const now = Date.now();
    let verdict = verdicts.get(hash);
    if (!verdict || verdict.until <= now) {
      let accountId: string | undefined;
      try {
        accountId = await accountOfKey(key);
      } catch {
        // The database is unreachable: the request fails anyway; count it against its IP.
        return ip;
      }
      if (verdicts.size >= VERDICT_LIMIT) verdicts.clear();
      verdict = { accountId, until: now + VERDICT_TTL_MS };
      verdicts.set(hash, verdict);
    }
    return verdict.accountId ? `account:${verdict.accountId}` : ip;
  };
}

export function rateLimitOptions(limits: RateLimits): RateLimitPluginOptions {
  // A limit of 0 means "no limit"; the plugin needs a number, so use one nobody reaches.
  const budget = (n: number): number => (n === 0 ? Number.MAX_SAFE_INTEGER : n);
  return {
    global: true,
    timeWindow: 60_000,
    keyGenerator: bucketing(limits.accountOfKey),
    max: async (_request, bucket) =>
      budget(bucket.startsWith('account:') ? limits.perKey : limits.anonymous),
    errorResponseBuilder: (_request, context) => {
      const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
      return new AppError(
        'RATE_LIMITED',
        429,
        `Too many requests: at most ${context.max} per minute. Retry in ${seconds} s.`,
        { retry_after: seconds },
      );
    },
  };
}
