// API-key authentication: `X-API-Key: <key>` or `Authorization: Bearer <key>`. Discovery
// routes accept anonymous callers; every other route needs a valid, unrevoked key.
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';

import { authenticate, type Principal } from '../accounts/index.js';
import { AppError } from '../errors/index.js';
import type { Database } from '../store/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header.trim();
  const authorization = request.headers.authorization;
  if (authorization?.toLowerCase().startsWith('bearer ')) return authorization.slice(7).trim();
  return undefined;
}

export function createAuth(db: Kysely<Database>) {
  return {
    /** Sets `request.principal` when a valid key is presented; a bad key is always a 401. */
    optional: async (request: FastifyRequest): Promise<void> => {
      const key = presentedKey(request);
      if (key === undefined) return;
      const principal = await authenticate(db, key);
      if (!principal)
        throw new AppError('UNAUTHORIZED', 401, 'The API key is invalid or has been revoked.');
      request.principal = principal;
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
      const principal = await authenticate(db, key);
      if (!principal)
        throw new AppError('UNAUTHORIZED', 401, 'The API key is invalid or has been revoked.');
      request.principal = principal;
    },
  };
}

/** The authenticated account of a route that required a key. */
export function accountOf(request: FastifyRequest): string {
  if (!request.principal) throw new AppError('UNAUTHORIZED', 401, 'Missing API key.');
  return request.principal.accountId;
}
