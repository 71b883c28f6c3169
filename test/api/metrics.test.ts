// GET /metrics: Prometheus text with request, job, queue and credit figures; open to
// loopback clients, and to others only with the metrics token.
import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { metricsAllowed } from '../../src/api/metrics.routes.js';
import { call, startTestServer, type TestServer, waitForJob } from '../support/taskwire.js';
import { builtInCatalogs } from '../../src/actions/index.js';
import { testCatalog } from '../fixtures/catalogs/test-catalog.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ catalogs: [...builtInCatalogs, testCatalog] });
});
afterAll(async () => server?.close());

const fakeRequest = (remoteAddress: string, authorization?: string) =>
  ({
    socket: { remoteAddress },
    headers: authorization ? { authorization } : {},
  }) as unknown as FastifyRequest;

describe('GET /metrics', () => {
  it('reports requests, jobs by action and status, queue depth and credits', async () => {
    const res = await call(server, 'POST', '/v1/wire/task', {
      key: server.key,
      body: { action_id: 'test_slow', params: { ms: 2000 } },
    });
    await waitForJob(server, server.key, res.body.job_id);
    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(text).toContain('taskwire_http_request_duration_seconds_bucket{');
    expect(text).toMatch(/route="\/v1\/wire\/task"/);
    expect(text).toMatch(/taskwire_jobs\{action="test_slow",status="failed"\} 1/);
    expect(text).toMatch(/taskwire_queue_depth \d+/);
    expect(text).toMatch(/taskwire_credits_total\{kind="refund"\} 1/);
    expect(text).toMatch(/taskwire_refunds 1/);
    expect(text).toMatch(
      /taskwire_jobs_settled_total\{action="test_slow",outcome="failed",code="TIMEOUT"\} 1/,
    );
    expect(text).toMatch(
      /taskwire_job_duration_seconds_count\{action="test_slow",outcome="failed"\} 1/,
    );
    expect(text).not.toContain(server.key);
  });

  it('opens to other hosts only with the metrics token', () => {
    expect(metricsAllowed(fakeRequest('127.0.0.1'), '')).toBe(true);
    expect(metricsAllowed(fakeRequest('::1'), '')).toBe(true);
    expect(metricsAllowed(fakeRequest('10.1.2.3'), '')).toBe(false);
    expect(metricsAllowed(fakeRequest('10.1.2.3', 'Bearer s3cret'), 's3cret')).toBe(true);
    expect(metricsAllowed(fakeRequest('10.1.2.3', 'Bearer wrong!'), 's3cret')).toBe(false);
  });
});
