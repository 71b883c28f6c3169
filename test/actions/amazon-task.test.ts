// The Amazon catalog end to end: POST /task through the real API and worker, amazon.com mapped
// to the stand-in by TASKWIRE_ORIGIN_AMAZON; a stored browser_state login for the order history,
// a dead one failing AUTH_EXPIRED (refunded, credential expired), the robot check retried.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  type AmazonSite,
  amazonStorageState,
  ASINS,
  QUERIES,
  startAmazonSite,
} from '../fixtures/sites/amazon/site.js';
import { call, startTestServer, type TestServer, waitForJob } from '../support/taskwire.js';

let site: AmazonSite;
let server: TestServer;

beforeAll(async () => {
  site = await startAmazonSite();
  server = await startTestServer({ env: { TASKWIRE_ORIGIN_AMAZON: site.origin } });
});
afterAll(async () => {
  await server?.close();
  await site?.close();
});

const balance = async (key: string) =>
  (await call(server, 'GET', '/v1/wire/credits', { key })).body.balance as number;

async function submit(key: string, body: Record<string, unknown>) {
  const res = await call(server, 'POST', '/v1/wire/task', { key, body });
  expect(res.status).toBe(202);
  return { jobId: res.body.job_id as string, done: await waitForJob(server, key, res.body.job_id) };
}

/** Stores an Amazon login (Playwright storage state) as the account's Amazon identity. */
async function connectAmazon(key: string, atMain: string) {
  site.validSessions.add(atMain);
  const res = await call(server, 'POST', '/v1/wire/identities', {
    key,
    body: {
      catalog_id: 'amazon',
      name: `Amazon ${atMain.slice(-4)}`,
      credential: { type: 'browser_state', data: amazonStorageState(atMain) },
    },
  });
  expect(res.status).toBe(201);
  return {
    identityId: res.body.identity.id as string,
    credentialId: res.body.identity.credentials[0].id as string,
  };
}

describe('amazon catalog end to end', () => {
  it('lists the catalog with its three actions, credits and auth modes', async () => {
    const res = await call(server, 'GET', '/v1/wire/catalog/amazon');
    expect(res.status).toBe(200);
    expect(res.body.catalog).toMatchObject({
      slug: 'amazon',
      domain: 'amazon.com',
      category: 'shopping',
      auth_required: true,
      auth_types: ['browser_state'],
      auth_login_url: 'https://www.amazon.com/ap/signin',
    });
    expect(
      res.body.actions.map((a: any) => [a.action_id, a.credits_per_call, a.auth_mode]),
    ).toEqual([
      ['amz_product', 1, 'optional'],
      ['amz_search', 1, 'none'],
      ['amz_order_history', 2, 'required'],
    ]);
  });

  it('runs amz_product from a product URL for 1 credit, without a login', async () => {
    const account = await server.newAccount(10);
    const { done } = await submit(account.key, {
      action_id: 'amz_product',
      params: { url: `https://www.amazon.com/Lumora-Jacket/dp/${ASINS.jacket}?th=1` },
    });
    expect(done).toMatchObject({
      status: 'completed',
      credits_used: 1,
      data: { asin: ASINS.jacket, price: 89.99, currency: 'USD', in_stock: true },
    });
    expect(done.data.variants).toHaveLength(6);
    expect(await balance(account.key)).toBe(9);
  });

  it('runs amz_search with its defaults and omits, never nulls, missing fields', async () => {
    const account = await server.newAccount(10);
    const { done } = await submit(account.key, {
      action_id: 'amz_search',
      params: { query: QUERIES.jackets },
    });
    expect(done).toMatchObject({ status: 'completed', data: { page: 1, next_page: 2 } });
    expect(done.data.results).toHaveLength(5);
    expect(JSON.stringify(done.data)).not.toContain('null');
  });

  it('runs amz_order_history with the stored Amazon login for 2 credits', async () => {
    const account = await server.newAccount(10);
    const { credentialId } = await connectAmazon(account.key, 'Atza|IwEBI-e2e-live-0001');
    const { done } = await submit(account.key, {
      action_id: 'amz_order_history',
      credential_id: credentialId,
      params: { year: 2025, limit: 12 },
    });
    expect(done).toMatchObject({ status: 'completed', credits_used: 2 });
    expect(done.data.orders).toHaveLength(12);
    expect(done.data.orders[0]).toMatchObject({
      order_id: '113-4829104-5521067',
      date: '2025-06-12',
    });
    expect(await balance(account.key)).toBe(8);
  });

  it('answers 401 AUTH_REQUIRED for the order history without an Amazon login', async () => {
    const account = await server.newAccount(10);
    const res = await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: { action_id: 'amz_order_history', params: {} },
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_REQUIRED');
    expect(await balance(account.key)).toBe(10);
  });

  it('fails a job whose session Amazon rejects: AUTH_EXPIRED, refunded, credential expired', async () => {
    const account = await server.newAccount(10);
    const atMain = 'Atza|IwEBI-e2e-dead-0002';
    const { identityId } = await connectAmazon(account.key, atMain);
    site.validSessions.delete(atMain);
    const { done } = await submit(account.key, { action_id: 'amz_order_history', params: {} });
    expect(done).toMatchObject({
      status: 'failed',
      credits_used: 0,
      error: { code: 'AUTH_EXPIRED' },
    });
    expect(done.error.message).not.toContain(atMain);
    expect(await balance(account.key)).toBe(10);
    const identity = await call(server, 'GET', `/v1/wire/identities/${identityId}`, {
      key: account.key,
    });
    expect(identity.body.identity.credentials[0]).toMatchObject({
      status: 'expired',
      status_reason: 'session_rejected',
    });
  });

  it('retries the robot check, then fails UPSTREAM_BLOCKED, refunded, the login kept', async () => {
    const account = await server.newAccount(10);
    const { identityId } = await connectAmazon(account.key, 'Atza|IwEBI-e2e-flag-0003');
    site.robotCheck = true;
    const before = site.hits.length;
    try {
      const { done } = await submit(account.key, { action_id: 'amz_order_history', params: {} });
      // maxAttempts is 3: the check was met three times before the job gave up.
      expect(site.hits.slice(before).filter((h) => h.startsWith('/gp/your-account/'))).toHaveLength(
        3,
      );
      expect(done).toMatchObject({
        status: 'failed',
        credits_used: 0,
        error: { code: 'UPSTREAM_BLOCKED' },
      });
    } finally {
      site.robotCheck = false;
    }
    expect(await balance(account.key)).toBe(10);
    const identity = await call(server, 'GET', `/v1/wire/identities/${identityId}`, {
      key: account.key,
    });
    expect(identity.body.identity.credentials[0].status).toBe('active');
  });

  it('refuses both asin and url, or a non-Amazon URL, with 400 and charges nothing', async () => {
    const account = await server.newAccount(10);
    for (const params of [
      { asin: ASINS.jacket, url: `https://www.amazon.com/dp/${ASINS.jacket}` },
      { url: `https://example.com/dp/${ASINS.jacket}` },
      {},
    ]) {
      const res = await call(server, 'POST', '/v1/wire/task', {
        key: account.key,
        body: { action_id: 'amz_product', params },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('INVALID_PARAMS');
    }
    expect(await balance(account.key)).toBe(10);
  });
});
