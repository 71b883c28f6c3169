// The SDK's retries and polling against a scripted stub on 127.0.0.1 that fails on purpose
// and otherwise forwards to a real Taskwire: which failures are retried, how long it waits,
// and that every retried submission carries one Idempotency-Key and is charged once.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { Taskwire, TaskwireError } from '../../client/src/index.js';
import { testCatalog } from '../fixtures/catalogs/test-catalog.js';
import { startTestServer, type TestServer } from '../support/taskwire.js';
import { envelope, startStub, type Stub, type StubHandler } from './stub-server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let server: TestServer;
let stub: Stub | undefined;
beforeAll(async () => {
  server = await startTestServer({ catalogs: [testCatalog] });
});
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});
afterAll(async () => server?.close());

/** A fresh account, a stub in front of the server, and a client that talks to the stub. */
async function through(handle: StubHandler, options: { maxRetries?: number } = {}) {
  const account = await server.newAccount(10);
  stub = await startStub(handle, server.url);
  const client = new Taskwire({ apiKey: account.key, baseUrl: stub.url, ...options });
  const direct = new Taskwire({ apiKey: account.key, baseUrl: server.url });
  return { client, direct, stub };
}

const submits = (s: Stub) =>
  s.requests.filter((r) => r.method === 'POST' && r.url === '/v1/wire/task');
const keysOf = (s: Stub) => submits(s).map((r) => r.headers['idempotency-key']);

async function rejection(promise: Promise<unknown>): Promise<TaskwireError> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (error: unknown) => error as TaskwireError,
  );
}

describe('retries', () => {
  it('retries 503 twice with one Idempotency-Key, then succeeds', async () => {
    const { client, stub } = await through((_req, n, forward) =>
      n < 2 ? { status: 503, body: envelope('ACTION_UNAVAILABLE') } : forward(),
    );
    expect(await client.run('test_echo', { message: 'retry' })).toEqual({ message: 'retry' });
    const keys = keysOf(stub);
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(UUID);
    expect(new Set(keys).size).toBe(1);
  });

  it('charges once when the first answer is lost after the server accepted the task', async () => {
    const { client, direct, stub } = await through(async (_req, n, forward) => {
      const answer = await forward();
      return n === 0 ? { status: 502, body: 'Bad Gateway' } : answer;
    });
    const sub = await client.submit('test_slow', { ms: 10 }, { idempotencyKey: 'order-42' });
    expect(sub).toMatchObject({ replayed: true, idempotencyKey: 'order-42' });
    expect(keysOf(stub)).toEqual(['order-42', 'order-42']);
    const credits = await direct.credits();
    expect(credits.balance).toBe(9);
    expect(credits.ledger.filter((e) => e.kind === 'debit')).toHaveLength(1);
    expect((await direct.listJobs()).total_count).toBe(1);
  });

  it('waits out Retry-After seconds on 429', async () => {
    const { client, stub } = await through((_req, n, forward) =>
      n === 0
        ? { status: 429, headers: { 'retry-after': '1' }, body: envelope('RATE_LIMITED') }
        : forward(),
    );
    await client.run('test_echo', { message: 'slow down' });
    const [first, second] = submits(stub);
    expect(submits(stub)).toHaveLength(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    expect(second!.headers['idempotency-key']).toBe(first!.headers['idempotency-key']);
  });

  it('waits until a Retry-After HTTP date', async () => {
    const { client, stub } = await through((_req, n, forward) =>
      n === 0
        ? { status: 503, headers: { 'retry-after': new Date(Date.now() + 2_000).toUTCString() } }
        : forward(),
    );
    await client.catalog();
    const [first, second] = stub.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
  });

  it('throws a long Retry-After at once, with retryAfterMs', async () => {
    const { client, stub } = await through(() => ({
      status: 429,
      headers: { 'retry-after': '3600' },
      body: envelope('RATE_LIMITED'),
    }));
    const error = await rejection(client.catalog());
    expect(error).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfterMs: 3_600_000 });
    expect(stub.requests).toHaveLength(1);
  });

  it('retries a dropped connection with the same Idempotency-Key', async () => {
    const { client, stub } = await through((_req, n, forward) => (n === 0 ? 'drop' : forward()));
    expect(await client.run('test_echo', { message: 'again' })).toEqual({ message: 'again' });
    const keys = keysOf(stub);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
  });

  it('gives up after maxRetries and throws the last error', async () => {
    const { client, stub } = await through(
      () => ({ status: 503, body: envelope('ACTION_UNAVAILABLE', 'Disabled.') }),
      { maxRetries: 2 },
    );
    const error = await rejection(client.run('test_echo', { message: 'x' }));
    expect(error).toMatchObject({ code: 'ACTION_UNAVAILABLE', status: 503, attempts: 3 });
    expect(new Set(keysOf(stub)).size).toBe(1);
  });

  it('wraps an unreachable server as NETWORK_ERROR after its retries', async () => {
    stub = await startStub(() => ({ status: 200, body: {} }));
    const closedUrl = stub.url;
    await stub.close();
    stub = undefined;
    const client = new Taskwire({ apiKey: server.key, baseUrl: closedUrl, maxRetries: 1 });
    const error = await rejection(client.credits());
    expect(error).toBeInstanceOf(TaskwireError);
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', status: 0, attempts: 2 });
    expect(error.cause).toBeDefined();
  });

  it('retries a 500 on POST /task only', async () => {
    const { client, stub } = await through((req, n, forward) =>
      n === 0 || req.method === 'GET'
        ? { status: 500, body: envelope('EXECUTION_FAILED', 'Failed to submit task.') }
        : forward(),
    );
    expect(await client.run('test_echo', { message: 'x' })).toEqual({ message: 'x' });
    expect(submits(stub)).toHaveLength(2);
    const error = await rejection(client.catalog());
    expect(error).toMatchObject({ code: 'EXECUTION_FAILED', status: 500, attempts: 1 });
  });

  it('does not retry a 4xx', async () => {
    const { client, stub } = await through((_req, _n, forward) => forward());
    await rejection(client.run('test_echo', { message: 7 }));
    await rejection(client.run('test_nope'));
    expect(submits(stub)).toHaveLength(2);
  });

  it('turns a non-envelope error page into HTTP_ERROR', async () => {
    const { client } = await through(() => ({ status: 418, body: '<html>teapot</html>' }));
    const error = await rejection(client.catalog());
    expect(error).toMatchObject({ code: 'HTTP_ERROR', status: 418, body: '<html>teapot</html>' });
  });

  it('treats a cancel whose first answer was lost as cancelled', async () => {
    const { client, direct } = await through(async (req, _n, forward) => {
      const answer = await forward();
      const firstCancel = req.url.endsWith('/cancel') && answer.status === 200;
      return firstCancel ? { status: 504, body: 'Gateway Timeout' } : answer;
    });
    const sub = await direct.submit('test_wait', { key: `lost-cancel-${Date.now()}`, ms: 30_000 });
    const job = await client.cancel(sub.jobId);
    expect(job).toMatchObject({ status: 'failed', error: { code: 'CANCELLED' } });
  });
});

describe('polling a server without long-poll', () => {
  it('paces reads by retry_after_ms when wait= is ignored', async () => {
    const jobId = '11111111-1111-4111-8111-111111111111';
    stub = await startStub((req) => {
      if (req.method === 'POST') {
        return {
          status: 202,
          body: { status: 'processing', job_id: jobId, poll_url: `/v1/wire/jobs/${jobId}` },
        };
      }
      const reads = stub!.requests.filter((r) => r.method === 'GET').length;
      return reads < 3
        ? { status: 200, body: { status: 'processing', retry_after_ms: 300 } }
        : {
            status: 200,
            body: { status: 'completed', data: { ok: true }, credits_used: 1, execution_ms: 5 },
          };
    });
    const client = new Taskwire({ apiKey: 'k', baseUrl: stub.url });
    expect(await client.run('anything')).toEqual({ ok: true });
    const reads = stub.requests.filter((r) => r.method === 'GET');
    expect(reads).toHaveLength(3);
    expect(reads[0]!.url).toBe(`/v1/wire/jobs/${jobId}?wait=30`);
    expect(reads[1]!.at - reads[0]!.at).toBeGreaterThanOrEqual(280);
    expect(reads[2]!.at - reads[1]!.at).toBeGreaterThanOrEqual(280);
  });
});
