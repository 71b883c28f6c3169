// Rate limits: each API key has its own per-minute budget, anonymous callers one per IP; past
// it, 429 RATE_LIMITED in the envelope with Retry-After. Liveness is never throttled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { call, startTestServer, type TestServer } from '../support/taskwire.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    env: { TASKWIRE_RATE_LIMIT_PER_MINUTE: '5', TASKWIRE_ANON_RATE_LIMIT_PER_MINUTE: '3' },
  });
});
afterAll(async () => server?.close());

describe('rate limits', () => {
  it('answers 429 RATE_LIMITED with Retry-After once a key spends its budget, per key', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1)
      statuses.push((await call(server, 'GET', '/v1/wire/credits', { key: server.key })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const limited = await call(server, 'GET', '/v1/wire/credits', { key: server.key });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      status: 'error',
      error: { code: 'RATE_LIMITED', message: expect.stringContaining('5 per minute') },
    });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('x-request-id')).toBeTruthy();

    const other = await server.newAccount(0);
    expect((await call(server, 'GET', '/v1/wire/credits', { key: other.key })).status).toBe(200);
  });

  it('limits anonymous callers per IP and never limits /health', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1)
      statuses.push((await call(server, 'GET', '/v1/wire/catalog')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    for (let i = 0; i < 10; i += 1) expect((await call(server, 'GET', '/health')).status).toBe(200);
  });
});
