// The auth hook and the rate limiter share one verification of a request's key.
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';

import type { KeyVerifier } from '../../src/accounts/index.js';
import { createAuth } from '../../src/api/auth.js';
import type { Database } from '../../src/store/index.js';

const KEY = `tw_${'a'.repeat(12)}_${'b'.repeat(43)}`;

function counting(): KeyVerifier & { calls: number } {
  const verifier = {
    calls: 0,
    verify: async () => {
      verifier.calls += 1;
      return { accountId: 'acct', keyId: 'key' };
    },
    forget: () => {},
  };
  return verifier;
}

const request = (headers: Record<string, string>) =>
  ({ headers, principal: undefined }) as unknown as FastifyRequest;
// A touch of `last_used_at` is fire-and-forget; a db that refuses keeps it harmless here.
const db = {
  updateTable: () => {
    throw new Error('no database in this test');
  },
} as unknown as Kysely<Database>;

describe('request authentication', () => {
  it('verifies a request’s key once, however many hooks ask', async () => {
    const verifier = counting();
    const auth = createAuth(db, verifier);
    const req = request({ 'x-api-key': KEY });
    expect(await auth.principalOf(req)).toEqual({ accountId: 'acct', keyId: 'key' });
    await auth.required(req);
    expect(req.principal).toEqual({ accountId: 'acct', keyId: 'key' });
    expect(verifier.calls).toBe(1);
    // Another request is verified afresh.
    await auth.optional(request({ authorization: `Bearer ${KEY}` }));
    expect(verifier.calls).toBe(2);
  });

  it('asks nothing for a request without a key', async () => {
    const verifier = counting();
    const auth = createAuth(db, verifier);
    expect(await auth.principalOf(request({}))).toBeUndefined();
    await expect(auth.required(request({}))).rejects.toMatchObject({ status: 401 });
    expect(verifier.calls).toBe(0);
  });
});
