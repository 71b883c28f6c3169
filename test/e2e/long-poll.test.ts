// GET /jobs/{id}?wait=: answered as soon as the job is terminal (never after the whole wait),
// and, when the server shuts down, at once with the job as it stands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { testCatalog, waits } from '../fixtures/catalogs/test-catalog.js';
import { call, startTestServer, type TestServer } from '../support/taskwire.js';

// Every wait below asks for 60 s, twice the test timeout: a long-poll that did not return
// early would fail the test by timing out.
describe('GET /jobs/{id}?wait=', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ catalogs: [testCatalog] });
  });
  afterAll(async () => server?.close());

  it('returns the completed job as soon as it completes', async () => {
    const submitted = await call(server, 'POST', '/v1/wire/task', {
      key: server.key,
      body: { action_id: 'test_block', params: { key: 'long-poll-ok', ms: 300 } },
    });
    expect(submitted.status).toBe(202);
    const polled = await call(server, 'GET', `${submitted.body.poll_url}?wait=60`, {
      key: server.key,
    });
    expect(polled.status).toBe(200);
    expect(polled.body).toMatchObject({
      status: 'completed',
      data: { key: 'long-poll-ok', attempt: 1 },
    });
  });

  it('returns the failed job as soon as it fails', async () => {
    const submitted = await call(server, 'POST', '/v1/wire/task', {
      key: server.key,
      body: { action_id: 'test_block', params: { key: 'long-poll-fail', ms: 100, fail: true } },
    });
    const polled = await call(server, 'GET', `/v1/wire/jobs/${submitted.body.job_id}?wait=60`, {
      key: server.key,
    });
    expect(polled.body).toMatchObject({
      status: 'failed',
      error: { code: 'EXECUTION_FAILED', message: 'Failed on purpose.' },
    });
  });

  it('returns a job that is already terminal at once', async () => {
    const submitted = await call(server, 'POST', '/v1/wire/task', {
      key: server.key,
      body: { action_id: 'test_echo', params: { message: 'done already' } },
    });
    // A sync action: POST /task itself waited for it.
    expect(submitted.body.status).toBe('completed');
    const polled = await call(server, 'GET', `/v1/wire/jobs/${submitted.body.job_id}?wait=60`, {
      key: server.key,
    });
    expect(polled.body).toMatchObject({ status: 'completed', data: { message: 'done already' } });
  });
});

describe('a long-poll during shutdown', () => {
  it('is answered with the job still processing instead of being held', async () => {
    const server = await startTestServer({
      catalogs: [testCatalog],
      env: { TASKWIRE_SHUTDOWN_GRACE_MS: '1000' },
    });
    try {
      const submitted = await call(server, 'POST', '/v1/wire/task', {
        key: server.key,
        body: { action_id: 'test_wait', params: { key: 'long-poll-shutdown', ms: 60_000 } },
      });
      const deadline = Date.now() + 10_000;
      while (waits.get('long-poll-shutdown') !== 'started' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(waits.get('long-poll-shutdown')).toBe('started');
      // Close once the long-poll has reached the server (its request is in flight).
      const arrived = new Promise<void>((resolve) =>
        server.taskwire.server.server.once('request', () => resolve()),
      );
      const polling = call(server, 'GET', `/v1/wire/jobs/${submitted.body.job_id}?wait=60`, {
        key: server.key,
      });
      await arrived;
      const closing = server.close();
      const polled = await polling;
      // Held until the abort, it would say failed: the one attempt is cut short by then.
      expect(polled.status).toBe(200);
      expect(polled.body).toMatchObject({ status: 'processing', retry_after_ms: 1000 });
      await closing;
      expect(waits.get('long-poll-shutdown')).toBe('aborted');
    } finally {
      await server.close();
    }
  });
});
