// Rate limits: each account has its own per-minute budget, shared by all its keys; requests
// without a valid key count against their IP address. A key's prefix proves nothing until the
// key is verified, so a forged key can neither dodge the IP limit nor spend an account's
// budget. Past a budget: 429 RATE_LIMITED in the envelope with Retry-After. Liveness is never
// throttled. A fresh server per test: budgets are per server and last a minute.
import { afterEach, describe, expect, it } from 'vitest';

import { createApiKey } from '../../src/accounts/index.js';
import { call, startTestServer, type TestServer } from '../support/taskwire.js';

let server: TestServer | undefined;
async function start(): Promise<TestServer> {
  server = await startTestServer({
    env: { TASKWIRE_RATE_LIMIT_PER_MINUTE: '5', TASKWIRE_ANON_RATE_LIMIT_PER_MINUTE: '3' },
  });
  return server;
}
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** `n` requests to an authenticated route with `key`, their statuses in order. */
async function statuses(s: TestServer, n: number, key?: string): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < n; i += 1) {
    seen.push((await call(s, 'GET', '/v1/wire/credits', key ? { key } : {})).status);
  }
  return seen;
}

/** The server's key with its secret part replaced: same public prefix, not a valid key. */
const forge = (key: string): string => `${key.slice(0, key.lastIndexOf('_') + 1)}${'A'.repeat(43)}`;

describe('rate limits', () => {
  it('answers 429 RATE_LIMITED with Retry-After once an account spends its budget, per account', async () => {
    const s = await start();
    expect(await statuses(s, 5, s.key)).toEqual([200, 200, 200, 200, 200]);
    const limited = await call(s, 'GET', '/v1/wire/credits', { key: s.key });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      status: 'error',
      error: { code: 'RATE_LIMITED', message: expect.stringContaining('5 per minute') },
    });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('x-request-id')).toBeTruthy();

    const other = await s.newAccount(0);
    expect((await call(s, 'GET', '/v1/wire/credits', { key: other.key })).status).toBe(200);
  });

  it('shares one budget between the keys of one account', async () => {
    const s = await start();
    const second = await createApiKey(s.taskwire.store.db, s.accountId, 'second');
    expect(await statuses(s, 3, s.key)).toEqual([200, 200, 200]);
    expect(await statuses(s, 3, second.key)).toEqual([200, 200, 429]);
  });

  it('counts a forged key against the IP, never against the account whose prefix it copies', async () => {
    const s = await start();
    const forged = forge(s.key);
    expect(forged).not.toBe(s.key);
    expect(forged.startsWith(s.key.slice(0, 16))).toBe(true);
    // The IP's budget of 3, then 429 before the key is even looked at again.
    expect(await statuses(s, 6, forged)).toEqual([401, 401, 401, 429, 429, 429]);
    // Invented prefixes all land in the same IP bucket: no way around the limit.
    const invented = `tw_${'z'.repeat(12)}_${'B'.repeat(43)}`;
    expect(await statuses(s, 1, invented)).toEqual([429]);
    // The real account's budget is untouched.
    expect(await statuses(s, 6, s.key)).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('limits anonymous callers per IP and never limits /health', async () => {
    const s = await start();
    const seen: number[] = [];
    for (let i = 0; i < 4; i += 1) seen.push((await call(s, 'GET', '/v1/wire/catalog')).status);
    expect(seen).toEqual([200, 200, 200, 429]);
    for (let i = 0; i < 10; i += 1) expect((await call(s, 'GET', '/health')).status).toBe(200);
    // A valid key is not an anonymous caller: its account's budget applies.
    expect(await statuses(s, 1, s.key)).toEqual([200]);
  });
});
