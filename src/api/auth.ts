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
export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header.trim();
  const authorization = request.headers.authorization;
  if (authorization?.toLowerCase().startsWith('bearer ')) return authorization.slice(7).trim();
  return undefined;
}

/** How often a key's `last_used_at` is written: often enough to tell live keys from dead. */
const TOUCH_EVERY_MS = 60_000;

export function createAuth(db: Kysely<Database>, keys: KeyVerifier) {
  const touched = new Map<string, number>();
  const check = async (key: string): Promise<Principal> => {
    const principal = await keys.verify(key);
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
    /** Sets `request.principal` when a valid key is presented; a bad key is always a 401. */
    optional: async (request: FastifyRequest): Promise<void> => {
      const key = presentedKey(request);
      if (key === undefined) return;
      request.principal = await check(key);
    },

    required: async (request: FastifyRequest): Promise<void> => {
      const key = presentedKey(request);
      if (key === undefined) {
        throw new AppError(
          'UNAUTHORIZED',
          401,
          'Missing API key: send it as X-API-Key or Authorization: Bearer.',
        );
      }
      request.principal = await check(key);
    },
  };
}

/** The authenticated account of a route that required a key. */
export function accountOf(request: FastifyRequest): string {
  if (!request.principal) throw new AppError('UNAUTHORIZED', 401, 'Missing API key.');
  return request.principal.accountId;
}
