// Per-account request limits: requests with a valid API key count against their account's
// budget per minute (all its keys share it), everything else (no key, an unknown or revoked
// key) against the caller's IP address. The key is verified before it picks a bucket: its
// public prefix alone would let anyone dodge the IP limit with invented prefixes, or spend a
// victim's budget with a forged key. Counted in this process's memory, so with several API
// nodes each node enforces the limit on the traffic it sees.
import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';

import type { Principal } from '../accounts/index.js';
import { AppError } from '../errors/index.js';

export interface RateLimits {
  /** Requests per minute per account; 0: no limit. */
  perKey: number;
  /** Requests per minute per IP without a valid key; 0: no limit. */
  anonymous: number;
}

/**
 * Picks a request's bucket: `account:<id>` for a verified key, else `ip:<address>`.
 * `principalOf` is the auth hook's, so the key is verified once for both.
 */
function bucketing(principalOf: (request: FastifyRequest) => Promise<Principal | undefined>) {
  return async (request: FastifyRequest): Promise<string> => {
    const ip = `ip:${request.ip}`;
    try {
      const principal = await principalOf(request);
      return principal ? `account:${principal.accountId}` : ip;
    } catch {
      // The database is unreachable: the request fails anyway; count it against its IP.
      return ip;
    }
  };
}

export function rateLimitOptions(
  limits: RateLimits,
  principalOf: (request: FastifyRequest) => Promise<Principal | undefined>,
): RateLimitPluginOptions {
  // A limit of 0 means "no limit"; the plugin needs a number, so use one nobody reaches.
  const budget = (n: number): number => (n === 0 ? Number.MAX_SAFE_INTEGER : n);
  return {
    global: true,
    timeWindow: 60_000,
    keyGenerator: bucketing(principalOf),
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
