// Account webhook endpoints over real HTTP: create (secret shown once), list, delete; each
// gets only the events it subscribed to, signed with its own secret; credential.expired when
// LinkedIn rejects a stored login; private URLs refused; other accounts' ids are 404s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { builtInCatalogs } from '../../src/actions/index.js';
import { testCatalog } from '../fixtures/catalogs/test-catalog.js';
import {
  type LinkedInSite,
  linkedInStorageState,
  SLUGS,
  startLinkedInSite,
} from '../fixtures/sites/linkedin/site.js';
import { until } from '../support/engines.js';
import { call, startTestServer, type TestServer, waitForJob } from '../support/taskwire.js';
import {
  deadOrigin,
  expectedSignature,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../support/webhook-receiver.js';

let server: TestServer;
let receiver: WebhookReceiver;
let site: LinkedInSite;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  site = await startLinkedInSite();
  server = await startTestServer({
    catalogs: [...builtInCatalogs, testCatalog],
    env: {
      TASKWIRE_ORIGIN_LINKEDIN: site.origin,
      TASKWIRE_WEBHOOK_RETRY_BASE_MS: '50',
      TASKWIRE_WEBHOOK_RETRY_CAP_MS: '200',
      TASKWIRE_WEBHOOK_GIVE_UP_MS: '5000',
    },
  });
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
  await site?.close();
});

const createEndpoint = (key: string, body: unknown) =>
  call(server, 'POST', '/v1/wire/webhooks', { key, body });

const deliveries = async (key: string) =>
  (await call(server, 'GET', '/v1/wire/webhooks/deliveries', { key })).body.deliveries as any[];

const settledDeliveries = async (key: string, count: number) => {
  await until(async () => {
    const all = await deliveries(key);
    return all.length === count && all.every((d) => d.status !== 'pending');
  });
  return deliveries(key);
};

describe('account webhook endpoints', () => {
  it('creates an endpoint with its secret once, lists it without, and deletes it', async () => {
    const account = await server.newAccount(10);
    const created = await createEndpoint(account.key, {
      url: `${receiver.origin}/crud`,
      description: 'CRM sync',
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      status: 'ok',
      webhook: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        url: `${receiver.origin}/crud`,
        events: ['job.completed', 'job.failed', 'credential.expired'],
        description: 'CRM sync',
        created_at: expect.any(String),
        secret: expect.stringMatching(/^whsec_/),
      },
    });
    const { secret, ...shown } = created.body.webhook;
    const listed = await call(server, 'GET', '/v1/holocron/webhooks', { key: account.key });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ status: 'ok', webhooks: [shown] });
    expect(listed.text).not.toContain(secret);

    const path = `/v1/wire/webhooks/${shown.id}`;
    expect((await call(server, 'DELETE', path, { key: account.key })).body).toEqual({
      status: 'ok',
    });
    expect((await call(server, 'DELETE', path, { key: account.key })).status).toBe(404);
    expect((await call(server, 'GET', '/v1/wire/webhooks', { key: account.key })).body).toEqual({
      status: 'ok',
      webhooks: [],
    });
  });

  it('refuses private, loopback and malformed URLs and unknown events with 400', async () => {
    const account = await server.newAccount(10);
    for (const url of [
      'http://10.0.0.5/hook',
      'http://127.0.0.1:9000/hook',
      'http://localhost/hook',
      'http://[fd00::1]/hook',
      'ftp://hooks.example.com/',
      'hooks.example.com/no-scheme',
    ]) {
      const res = await createEndpoint(account.key, { url });
      expect(res.status, url).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'BAD_REQUEST',
        issues: [{ path: '/url', message: expect.any(String) }],
      });
    }
    for (const body of [
      { url: 'https://hooks.example.com/', events: ['job.started'] },
      { url: 'https://hooks.example.com/', events: [] },
      { url: 'https://hooks.example.com/', secret: 'mine' },
      {},
    ]) {
      const res = await createEndpoint(account.key, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('BAD_REQUEST');
    }
    expect(
      (await call(server, 'GET', '/v1/wire/webhooks', { key: account.key })).body.webhooks,
    ).toEqual([]);
  });

  it('sends each endpoint only its events, signed with its own secret', async () => {
    const account = await server.newAccount(20);
    const onlyFailed = (
      await createEndpoint(account.key, {
        url: `${receiver.origin}/only-failed`,
        events: ['job.failed'],
      })
    ).body.webhook;
    const all = (await createEndpoint(account.key, { url: `${receiver.origin}/all` })).body.webhook;
    const completed = await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: { action_id: 'test_echo', params: { message: 'ok' } },
    });
    const failed = await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: { action_id: 'test_broken' },
    });
    await waitForJob(server, account.key, failed.body.job_id);
    const settled = await settledDeliveries(account.key, 3);
    expect(settled.every((d) => d.status === 'delivered')).toBe(true);
    expect(
      settled
        .map((d) => [d.webhook_id, d.event, d.job_id])
        .sort((a, b) => a.join().localeCompare(b.join())),
    ).toEqual(
      [
        [onlyFailed.id, 'job.failed', failed.body.job_id],
        [all.id, 'job.failed', failed.body.job_id],
        [all.id, 'job.completed', completed.body.job_id],
      ].sort((a, b) => a.join().localeCompare(b.join())),
    );

    const failedHits = receiver.at('/only-failed');
    expect(failedHits.map((h) => h.json.event)).toEqual(['job.failed']);
    expect(failedHits[0]!.headers['x-anakin-signature']).toBe(
      expectedSignature(onlyFailed.secret, failedHits[0]!.body),
    );
    for (const hit of receiver.at('/all')) {
      expect(hit.headers['x-anakin-signature']).toBe(expectedSignature(all.secret, hit.body));
    }
    const byJob = await call(
      server,
      'GET',
      `/v1/wire/webhooks/deliveries?job_id=${completed.body.job_id}`,
      { key: account.key },
    );
    expect(byJob.body).toMatchObject({ total_count: 1, page: 1, limit: 20, total_pages: 1 });
  });

  it('announces credential.expired when LinkedIn rejects a stored login', async () => {
    const account = await server.newAccount(10);
    const endpoint = (
      await createEndpoint(account.key, {
        url: `${receiver.origin}/expired`,
        events: ['credential.expired'],
      })
    ).body.webhook;
    site.validSessions.add('AQEDAR-hooks');
    const identity = await call(server, 'POST', '/v1/wire/identities', {
      key: account.key,
      body: {
        catalog_id: 'linkedin',
        name: 'Work LinkedIn',
        credential: { type: 'browser_state', data: linkedInStorageState('AQEDAR-hooks') },
      },
    });
    const credentialId = identity.body.identity.credentials[0].id as string;
    site.validSessions.delete('AQEDAR-hooks');
    const res = await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: {
        action_id: 'li_profile_scrape',
        credential_id: credentialId,
        params: { profile_url: `https://www.linkedin.com/in/${SLUGS.full}` },
      },
    });
    const done = await waitForJob(server, account.key, res.body.job_id);
    expect(done.error.code).toBe('AUTH_EXPIRED');
    await until(() => receiver.at('/expired').length === 1);

    const catalog = await call(server, 'GET', '/v1/wire/catalog/linkedin');
    const hit = receiver.at('/expired')[0]!;
    expect(hit.json).toEqual({
      event: 'credential.expired',
      credential_id: credentialId,
      identity_id: identity.body.identity.id,
      catalog_id: catalog.body.catalog.id,
      status_reason: 'session_rejected',
      job_id: res.body.job_id,
      at: expect.stringMatching(/Z$/),
    });
    expect(hit.headers['x-anakin-signature']).toBe(expectedSignature(endpoint.secret, hit.body));
    const [delivery] = await settledDeliveries(account.key, 1);
    expect(delivery).toMatchObject({ event: 'credential.expired', job_id: res.body.job_id });
  });

  it('fails the pending deliveries of an endpoint that is deleted', async () => {
    const account = await server.newAccount(10);
    const endpoint = (await createEndpoint(account.key, { url: `${await deadOrigin()}/gone` })).body
      .webhook;
    await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: { action_id: 'test_echo', params: { message: 'x' } },
    });
    await until(async () => (await deliveries(account.key))[0]?.attempts >= 1);
    await call(server, 'DELETE', `/v1/wire/webhooks/${endpoint.id}`, { key: account.key });
    const [delivery] = await settledDeliveries(account.key, 1);
    expect(delivery.status).toBe('failed');
    expect(delivery.last_error).toContain('deleted');
  });

  it("answers 404 for another account's endpoints and deliveries, and hides every secret", async () => {
    const owner = await server.newAccount(10);
    const endpoint = (await createEndpoint(owner.key, { url: `${receiver.origin}/owned` })).body
      .webhook;
    const rotated = (
      await call(server, 'POST', '/v1/wire/webhooks/secret/rotate', { key: owner.key })
    ).body.secret as string;
    await call(server, 'POST', '/v1/wire/task', {
      key: owner.key,
      body: { action_id: 'test_echo', params: { message: 'mine' } },
    });
    const [delivery] = await settledDeliveries(owner.key, 1);
    const detail = await call(server, 'GET', `/v1/wire/webhooks/deliveries/${delivery.id}`, {
      key: owner.key,
    });
    expect(detail.status).toBe(200);

    const stranger = await server.newAccount(10);
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const [method, path] of [
      ['DELETE', `/v1/wire/webhooks/${endpoint.id}`],
      ['DELETE', `/v1/wire/webhooks/${unknown}`],
      ['GET', `/v1/wire/webhooks/deliveries/${delivery.id}`],
      ['GET', `/v1/wire/webhooks/deliveries/${unknown}`],
    ] as const) {
      const res = await call(server, method, path, { key: stranger.key });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    expect(
      (await call(server, 'GET', '/v1/wire/webhooks', { key: stranger.key })).body.webhooks,
    ).toEqual([]);
    expect(await deliveries(stranger.key)).toEqual([]);
    expect(
      (await call(server, 'GET', '/v1/wire/webhooks', { key: owner.key })).body.webhooks,
    ).toHaveLength(1);
    expect((await call(server, 'GET', '/v1/wire/webhooks')).status).toBe(401);

    const shown = [
      (await call(server, 'GET', '/v1/wire/webhooks', { key: owner.key })).text,
      (await call(server, 'GET', '/v1/wire/webhooks/deliveries', { key: owner.key })).text,
      detail.text,
      server.logs.join('\n'),
    ];
    for (const text of shown) {
      expect(text).not.toContain(endpoint.secret);
      expect(text).not.toContain(rotated);
      expect(text).not.toContain('whsec_');
    }
  });
});
