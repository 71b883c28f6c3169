// The acceptance flow over real HTTP: a stored LinkedIn login, POST /task, poll,
// the profile's data; and the login dying mid-life (AUTH_EXPIRED, refund, expired credential).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  type LinkedInSite,
  linkedInStorageState,
  SLUGS,
  startLinkedInSite,
} from '../fixtures/sites/linkedin/site.js';
import { call, startTestServer, type TestServer, waitForJob } from '../support/taskwire.js';

let site: LinkedInSite;
let server: TestServer;

beforeAll(async () => {
  site = await startLinkedInSite();
  server = await startTestServer({ env: { TASKWIRE_ORIGIN_LINKEDIN: site.origin } });
});
afterAll(async () => {
  await server?.close();
  await site?.close();
});

async function connectLinkedIn(key: string, liAt: string, name = `LinkedIn ${liAt}`) {
  site.validSessions.add(liAt);
  const res = await call(server, 'POST', '/v1/holocron/identities', {
    key,
    body: {
      catalog_id: 'linkedin',
      name,
      credential: { type: 'browser_state', data: linkedInStorageState(liAt) },
    },
  });
  expect(res.status).toBe(201);
  return {
    identityId: res.body.identity.id as string,
    credentialId: res.body.identity.credentials[0].id as string,
  };
}

const balance = async (key: string) =>
  (await call(server, 'GET', '/v1/holocron/credits', { key })).body.balance as number;

describe('li_profile_scrape end to end', () => {
  it('accepts the documented request with 202, then completes with the profile data', async () => {
    const { credentialId } = await connectLinkedIn(server.key, 'AQEDAR-session-1');
    const before = await balance(server.key);
    const res = await call(server, 'POST', '/v1/holocron/task', {
      key: server.key,
      body: {
        action_id: 'li_profile_scrape',
        credential_id: credentialId,
        params: { profile_url: `https://www.linkedin.com/in/${SLUGS.full}` },
      },
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      status: 'processing',
      job_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      poll_url: `/v1/holocron/jobs/${res.body.job_id}`,
    });
    expect(await balance(server.key)).toBe(before - 2);

    const first = await call(server, 'GET', res.body.poll_url, { key: server.key });
    expect(first.status).toBe(200);
    expect(['processing', 'completed']).toContain(first.body.status);

    const done = await waitForJob(server, server.key, res.body.job_id);
    expect(done.status).toBe('completed');
    expect(done.credits_used).toBe(2);
    expect(done.execution_ms).toEqual(expect.any(Number));
    expect(done.data.name).toEqual(expect.any(String));
    expect(done.data.headline).toEqual(expect.any(String));
    expect(Array.isArray(done.data.experience)).toBe(true);
    expect(await balance(server.key)).toBe(before - 2);
  });

  it('uses the default identity when no credential_id is given, and /v1/wire in poll_url', async () => {
    const account = await server.newAccount(10);
    await connectLinkedIn(account.key, 'AQEDAR-session-2');
    const res = await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: {
        action_id: 'li_profile_scrape',
        params: { profile_url: `https://www.linkedin.com/in/${SLUGS.sparse}/` },
      },
    });
    expect(res.status).toBe(202);
    expect(res.body.poll_url).toBe(`/v1/wire/jobs/${res.body.job_id}`);
    const done = await waitForJob(server, account.key, res.body.job_id);
    expect(done.status).toBe('completed');
    // Optional fields a profile lacks are omitted, never null.
    expect(JSON.stringify(done.data)).not.toContain('null');
  });

  it('fails a job whose session LinkedIn rejects: AUTH_EXPIRED, refunded, credential expired', async () => {
    const account = await server.newAccount(10);
    const { identityId, credentialId } = await connectLinkedIn(account.key, 'AQEDAR-session-3');
    site.validSessions.delete('AQEDAR-session-3');
    const res = await call(server, 'POST', '/v1/holocron/task', {
      key: account.key,
      body: {
        action_id: 'li_profile_scrape',
        credential_id: credentialId,
        params: { profile_url: `https://www.linkedin.com/in/${SLUGS.full}` },
      },
    });
    expect(res.status).toBe(202);
    const done = await waitForJob(server, account.key, res.body.job_id);
    expect(done).toMatchObject({
      status: 'failed',
      credits_used: 0,
      error: { code: 'AUTH_EXPIRED' },
    });
    expect(await balance(account.key)).toBe(10);

    const identity = await call(server, 'GET', `/v1/holocron/identities/${identityId}`, {
      key: account.key,
    });
    expect(identity.body.identity.credentials[0]).toMatchObject({
      status: 'expired',
      status_reason: 'session_rejected',
    });

    const again = await call(server, 'POST', '/v1/holocron/task', {
      key: account.key,
      body: {
        action_id: 'li_profile_scrape',
        credential_id: credentialId,
        params: { profile_url: `https://www.linkedin.com/in/${SLUGS.full}` },
      },
    });
    expect(again.status).toBe(401);
    expect(again.body).toEqual({
      status: 'error',
      error: { code: 'AUTH_EXPIRED', message: 'Credential is no longer active. Please reconnect.' },
    });
    const ledger = (await call(server, 'GET', '/v1/holocron/credits', { key: account.key })).body
      .ledger;
    expect(
      ledger
        .filter((e: { job_id?: string }) => e.job_id === res.body.job_id)
        .map((e: { kind: string }) => e.kind)
        .sort(),
    ).toEqual(['debit', 'refund']);
  });

  it('answers 401 AUTH_REQUIRED with a connect_url when the caller has no LinkedIn login', async () => {
    const account = await server.newAccount(10);
    const res = await call(server, 'POST', '/v1/holocron/task', {
      key: account.key,
      body: {
        action_id: 'li_profile_scrape',
        params: { profile_url: 'https://www.linkedin.com/in/example' },
      },
    });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      status: 'error',
      error: {
        code: 'AUTH_REQUIRED',
        message: 'This action requires a LinkedIn connection.',
        connect_url: '/products/holocron/linkedin/connect',
      },
    });
    expect(await balance(account.key)).toBe(10);
  });

  it("answers 403 for someone else's credential and for a credential of another catalog", async () => {
    const owner = await server.newAccount(10);
    const { credentialId } = await connectLinkedIn(owner.key, 'AQEDAR-session-4');
    const intruder = await server.newAccount(10);
    const forbidden = {
      status: 'error',
      error: { code: 'FORBIDDEN', message: 'Credential does not belong to this user or catalog' },
    };
    const stolen = await call(server, 'POST', '/v1/holocron/task', {
      key: intruder.key,
      body: {
        action_id: 'li_profile_scrape',
        credential_id: credentialId,
        params: { profile_url: 'https://www.linkedin.com/in/example' },
      },
    });
    expect(stolen.status).toBe(403);
    expect(stolen.body).toEqual(forbidden);

    const other = await call(server, 'POST', '/v1/holocron/identities', {
      key: intruder.key,
      body: {
        catalog_id: 'web',
        name: 'web key',
        credential: { type: 'api_key', data: { api_key: 'k-123456' } },
      },
    });
    expect(other.status).toBe(201);
    const wrongCatalog = await call(server, 'POST', '/v1/holocron/task', {
      key: intruder.key,
      body: {
        action_id: 'li_profile_scrape',
        credential_id: other.body.identity.credentials[0].id,
        params: { profile_url: 'https://www.linkedin.com/in/example' },
      },
    });
    expect(wrongCatalog.status).toBe(403);
    expect(wrongCatalog.body).toEqual(forbidden);
    expect(await balance(intruder.key)).toBe(10);
  });

  it('answers 402 with balance and required when credits do not cover the action', async () => {
    const account = await server.newAccount(1);
    const { credentialId } = await connectLinkedIn(account.key, 'AQEDAR-session-5');
    const res = await call(server, 'POST', '/v1/holocron/task', {
      key: account.key,
      body: {
        action_id: 'li_profile_scrape',
        credential_id: credentialId,
        params: { profile_url: 'https://www.linkedin.com/in/example' },
      },
    });
    expect(res.status).toBe(402);
    expect(res.body).toEqual({
      status: 'error',
      error: {
        code: 'INSUFFICIENT_CREDITS',
        message: 'You need 2 credits. Current balance: 1',
        balance: 1,
        required: 2,
      },
    });
  });

  it('picks the named identity’s login with identity_id, and refuses identities it cannot use', async () => {
    const account = await server.newAccount(10);
    const { identityId } = await connectLinkedIn(account.key, 'AQEDAR-session-6');
    const profile = { profile_url: `https://www.linkedin.com/in/${SLUGS.full}` };
    const ok = await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: { action_id: 'li_profile_scrape', identity_id: identityId, params: profile },
    });
    expect(ok.status).toBe(202);
    expect((await waitForJob(server, account.key, ok.body.job_id)).status).toBe('completed');

    const stranger = await server.newAccount(10);
    const foreign = await call(server, 'POST', '/v1/wire/task', {
      key: stranger.key,
      body: { action_id: 'li_profile_scrape', identity_id: identityId, params: profile },
    });
    expect(foreign.status).toBe(404);

    const empty = await call(server, 'POST', '/v1/wire/identities', {
      key: account.key,
      body: { catalog_id: 'linkedin', name: 'no login yet' },
    });
    const noLogin = await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: {
        action_id: 'li_profile_scrape',
        identity_id: empty.body.identity.id,
        params: profile,
      },
    });
    expect(noLogin.status).toBe(401);
    expect(noLogin.body.error.code).toBe('AUTH_REQUIRED');

    const web = await call(server, 'POST', '/v1/wire/identities', {
      key: account.key,
      body: { catalog_id: 'web', name: 'web one' },
    });
    const otherCatalog = await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: { action_id: 'li_profile_scrape', identity_id: web.body.identity.id, params: profile },
    });
    expect(otherCatalog.status).toBe(403);
    expect(await balance(account.key)).toBe(8);
  });
});
