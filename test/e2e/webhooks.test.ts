// Per-task webhooks over real HTTP: a terminal job is POSTed to its webhook_url, signed with
// the account's secret, after COMMIT; failed tries are retried with backoff and recorded, a
// receiver that stays down is given up after the window, and hostile URLs are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { testCatalog, waits } from '../fixtures/catalogs/test-catalog.js';
import { until } from '../support/engines.js';
import { call, startTestServer, type TestServer, waitForJob } from '../support/taskwire.js';
import {
  deadOrigin,
  expectedSignature,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../support/webhook-receiver.js';

const GIVE_UP_MS = 1500;
let server: TestServer;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  server = await startTestServer({
    catalogs: [testCatalog],
    env: {
      TASKWIRE_WEBHOOK_RETRY_BASE_MS: '50',
      TASKWIRE_WEBHOOK_RETRY_CAP_MS: '200',
      TASKWIRE_WEBHOOK_GIVE_UP_MS: String(GIVE_UP_MS),
    },
  });
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

const submit = (key: string, body: Record<string, unknown>) =>
  call(server, 'POST', '/v1/wire/task', { key, body });

async function deliveriesOf(key: string, jobId: string) {
  const res = await call(server, 'GET', `/v1/wire/webhooks/deliveries?job_id=${jobId}`, { key });
  expect(res.status).toBe(200);
  return res.body.deliveries as any[];
}

/** The job's only delivery, once it is no longer pending. */
async function finishedDelivery(key: string, jobId: string, timeoutMs = 10_000) {
  let found: any;
  await until(async () => {
    [found] = await deliveriesOf(key, jobId);
    return found !== undefined && found.status !== 'pending';
  }, timeoutMs);
  return found;
}

describe('webhook_url on POST /task', () => {
  it('POSTs completed and failed jobs as their GET /jobs body, signed with the account secret', async () => {
    const account = await server.newAccount(20);
    const rotated = await call(server, 'POST', '/v1/wire/webhooks/secret/rotate', {
      key: account.key,
    });
    expect(rotated.status).toBe(200);
    const secret = rotated.body.secret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    const hook = `${receiver.origin}/task-hooks?token=abc`;
    const completed = await submit(account.key, {
      action_id: 'test_echo',
      params: { message: 'hello hooks' },
      webhook_url: hook,
    });
    expect(completed.status).toBe(200);
    const failed = await submit(account.key, { action_id: 'test_broken', webhook_url: hook });
    expect(failed.status).toBe(202);
    await waitForJob(server, account.key, failed.body.job_id);
    await until(() => receiver.at('/task-hooks').length === 2);

    const expected: Array<[string, string]> = [
      [completed.body.job_id as string, 'job.completed'],
      [failed.body.job_id as string, 'job.failed'],
    ];
    for (const [jobId, event] of expected) {
      const hit = receiver.at('/task-hooks').find((r) => r.json.job_id === jobId)!;
      const job = await call(server, 'GET', `/v1/wire/jobs/${jobId}`, { key: account.key });
      expect(hit.json).toEqual({ event, job_id: jobId, ...job.body });
      expect(hit.headers['content-type']).toBe('application/json');
      expect(hit.headers['x-anakin-signature']).toBe(expectedSignature(secret, hit.body));
      const timestamp = Number(hit.headers['x-anakin-timestamp']);
      expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(60);

      const delivery = await finishedDelivery(account.key, jobId);
      expect(hit.headers['x-taskwire-delivery']).toBe(delivery.id);
      expect(delivery).toEqual({
        id: expect.any(String),
        url: hook,
        event,
        job_id: jobId,
        status: 'delivered',
        attempts: 1,
        last_status_code: 200,
        created_at: expect.any(String),
        delivered_at: expect.any(String),
      });
    }
    expect(
      receiver.at('/task-hooks').find((r) => r.json.event === 'job.failed')!.json,
    ).toMatchObject({ status: 'failed', error: { code: 'EXECUTION_FAILED' }, credits_used: 0 });
  });

  it('retries a receiver that answers 500 twice and lists the three attempts', async () => {
    const account = await server.newAccount(10);
    receiver.script('/flaky', [500, 500]);
    const res = await submit(account.key, {
      action_id: 'test_echo',
      params: { message: 'again' },
      webhook_url: `${receiver.origin}/flaky`,
    });
    const delivery = await finishedDelivery(account.key, res.body.job_id);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, last_status_code: 200 });
    expect(delivery.last_error).toBeUndefined();

    const detail = await call(server, 'GET', `/v1/wire/webhooks/deliveries/${delivery.id}`, {
      key: account.key,
    });
    expect(detail.status).toBe(200);
    expect(detail.body.delivery).toEqual(delivery);
    expect(detail.body.payload).toMatchObject({ event: 'job.completed', job_id: res.body.job_id });
    expect(detail.body.attempts).toEqual([
      {
        at: expect.any(String),
        status_code: 500,
        error: 'The receiver answered 500.',
        duration_ms: expect.any(Number),
      },
      {
        at: expect.any(String),
        status_code: 500,
        error: 'The receiver answered 500.',
        duration_ms: expect.any(Number),
      },
      { at: expect.any(String), status_code: 200, duration_ms: expect.any(Number) },
    ]);
    const hits = receiver.at('/flaky');
    expect(hits).toHaveLength(3);
    // The same delivery, the same bytes, each try after a backoff of at least 80% of base.
    expect(new Set(hits.map((h) => h.headers['x-taskwire-delivery'])).size).toBe(1);
    expect(new Set(hits.map((h) => h.body)).size).toBe(1);
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(35);
    expect(hits[2]!.at - hits[1]!.at).toBeGreaterThanOrEqual(35);
  });

  it('gives up on a receiver that stays down once the give-up window has passed', async () => {
    const account = await server.newAccount(10);
    const url = `${await deadOrigin()}/down`;
    const res = await submit(account.key, {
      action_id: 'test_echo',
      params: { message: 'nobody home' },
      webhook_url: url,
    });
    const delivery = await finishedDelivery(account.key, res.body.job_id, 15_000);
    expect(delivery.status).toBe('failed');
    expect(delivery.attempts).toBeGreaterThanOrEqual(3);
    expect(delivery.next_attempt_at).toBeUndefined();
    expect(delivery.delivered_at).toBeUndefined();
    expect(delivery.last_error).toContain('ECONNREFUSED');

    const detail = await call(server, 'GET', `/v1/wire/webhooks/deliveries/${delivery.id}`, {
      key: account.key,
    });
    const tries = detail.body.attempts as Array<{ at: string; error: string }>;
    expect(tries).toHaveLength(delivery.attempts);
    for (const t of tries) expect(t.error).toContain('ECONNREFUSED');
    // The last try is made at the end of the window, not before.
    const last = Date.parse(tries.at(-1)!.at);
    expect(last - Date.parse(delivery.created_at)).toBeGreaterThanOrEqual(GIVE_UP_MS - 5);
  });

  it('sends job.failed with CANCELLED for a cancelled job', async () => {
    const account = await server.newAccount(10);
    const res = await submit(account.key, {
      action_id: 'test_wait',
      params: { key: 'hook-cancel', ms: 20_000 },
      webhook_url: `${receiver.origin}/cancelled`,
    });
    await until(() => waits.get('hook-cancel') === 'started');
    const cancel = await call(server, 'POST', `/v1/wire/jobs/${res.body.job_id}/cancel`, {
      key: account.key,
    });
    expect(cancel.status).toBe(200);
    await until(() => receiver.at('/cancelled').length === 1);
    expect(receiver.at('/cancelled')[0]!.json).toEqual({
      event: 'job.failed',
      job_id: res.body.job_id,
      ...cancel.body,
    });
    expect(cancel.body.error.code).toBe('CANCELLED');
  });

  it('refuses a webhook_url the address guard refuses, and charges nothing', async () => {
    const account = await server.newAccount(10);
    for (const url of [
      'http://127.0.0.1:8080/hook',
      'http://localhost:8080/hook',
      'http://[::1]/hook',
      'http://169.254.169.254/latest',
      'file:///etc/passwd',
      'http://user:pw@hooks.example.com/',
      'not a url',
    ]) {
      const res = await submit(account.key, {
        action_id: 'test_echo',
        params: { message: 'x' },
        webhook_url: url,
      });
      expect(res.status, url).toBe(400);
      expect(res.body.error.code).toBe('BAD_REQUEST');
      expect(res.body.error.issues).toEqual([
        { path: '/webhook_url', message: expect.any(String) },
      ]);
    }
    const credits = await call(server, 'GET', '/v1/wire/credits', { key: account.key });
    expect(credits.body.balance).toBe(10);
    const jobs = await call(server, 'GET', '/v1/wire/jobs', { key: account.key });
    expect(jobs.body.total_count).toBe(0);
  });

  it('writes neither the secret nor a payload to the logs', async () => {
    const account = await server.newAccount(10);
    const { secret } = (
      await call(server, 'POST', '/v1/holocron/webhooks/secret/rotate', { key: account.key })
    ).body;
    const res = await submit(account.key, {
      action_id: 'test_echo',
      params: { message: 'log-leak-marker' },
      webhook_url: `${receiver.origin}/logs`,
    });
    await finishedDelivery(account.key, res.body.job_id);
    const hit = receiver.at('/logs')[0]!;
    expect(hit.headers['x-anakin-signature']).toBe(expectedSignature(secret, hit.body));
    const logs = server.logs.join('\n');
    expect(logs).toContain('webhook delivered');
    expect(logs).not.toContain(secret);
    expect(logs).not.toContain('whsec_');
    expect(logs).not.toContain(hit.body);
    expect(logs).not.toContain('log-leak-marker');
  });
});
