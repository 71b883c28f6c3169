// API-key authentication: `X-API-Key: <key>` or `Authorization: Bearer <key>`. Discovery
// routes accept anonymous callers; every other route needs a valid, unrevoked key.
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';

import { type KeyVerifier, type Principal, touchApiKey } from '../accounts/index.js';
import { AppError } from '../errors/index.js';
import type { Database } from '../store/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

/** The key a request presents: X-API-Key, else Authorization: Bearer. */
function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header.trim();
  const authorization = request.headers.authorization;
  if (authorization?.toLowerCase().startsWith('bearer ')) return authorization.slice(7).trim();
  return undefined;
}

/** How often a key's `last_used_at` is written: often enough to tell live keys from dead. */
const TOUCH_EVERY_MS = 60_000;

export function createAuth(db: Kysely<Database>, keys: KeyVerifier) {
  // The rate limiter and the route's auth hook both need the key's account: it is verified once
  // per request, by whichever asks first.
  const verified = new WeakMap<FastifyRequest, Promise<Principal | undefined>>();
  const principalOf = (request: FastifyRequest): Promise<Principal | undefined> => {
    let principal = verified.get(request);
    if (!principal) {
      const key = presentedKey(request);
      principal = key === undefined ? Promise.resolve(undefined) : keys.verify(key);
      verified.set(request, principal);
    }
    return principal;
  };
  const touched = new Map<string, number>();
  const check = async (request: FastifyRequest): Promise<Principal> => {
    const principal = await principalOf(request);
    if (!principal)
      throw new AppError('UNAUTHORIZED', 401, 'The API key is invalid or has been revoked.');
    const now = Date.now();
    if ((touched.get(principal.keyId) ?? 0) + TOUCH_EVERY_MS < now) {
      touched.set(principal.keyId, now);
      void touchApiKey(db, principal.keyId).catch(() => touched.delete(principal.keyId));
    }
    return principal;
  };
  return {
    /** The presented key's account and id; undefined without a key or with an invalid one. */
    principalOf,

    /** Sets `request.principal` when a valid key is presented; a bad key is always a 401. */
    optional: async (request: FastifyRequest): Promise<void> => {
      if (presentedKey(request) === undefined) return;
      request.principal = await check(request);
    },

    required: async (request: FastifyRequest): Promise<void> => {
      if (presentedKey(request) === undefined) {
        throw new AppError(
          'UNAUTHORIZED',
          401,
          'Missing API key: send it as X-API-Key or Authorization: Bearer.',
        );
      }
      request.principal = await check(request);
    },
  };
}

/** The authenticated account of a route that required a key. */
export function accountOf(request: FastifyRequest): string {
  if (!request.principal) throw new AppError('UNAUTHORIZED', 401, 'Missing API key.');
  return request.principal.accountId;
}
