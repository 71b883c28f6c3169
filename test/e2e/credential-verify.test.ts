// Stored logins are checked with each catalog's "who am I" probe: when saved, on
// POST /credentials/verify and in the background. Against the GitHub (token) and Amazon
// (browser session) stand-ins, over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  type AmazonSite,
  amazonStorageState,
  startAmazonSite,
} from '../fixtures/sites/amazon/site.js';
import { type GitHubSite, MONA, startGitHubSite } from '../fixtures/sites/github/site.js';
import { linkedInStorageState, SLUGS, startLinkedInSite } from '../fixtures/sites/linkedin/site.js';
import { call, startTestServer, type TestServer, waitForJob } from '../support/taskwire.js';

let github: GitHubSite;
let amazon: AmazonSite;
let server: TestServer;

const PASSWORD = 'Pw-amazon-verify-9911';

beforeAll(async () => {
  github = await startGitHubSite();
  amazon = await startAmazonSite();
  amazon.accounts.set('ruth@example.com', { password: PASSWORD, name: 'Ruth' });
  server = await startTestServer({
    env: {
      TASKWIRE_ORIGIN_GITHUB: github.origin,
      TASKWIRE_ORIGIN_AMAZON: amazon.origin,
      TASKWIRE_LOGIN_TIMEOUT_MS: '20000',
    },
  });
});
afterAll(async () => {
  await server?.close();
  await github?.close();
  await amazon?.close();
});

let serial = 0;
async function saveToken(key: string, token: string, extra: Record<string, unknown> = {}) {
  serial += 1;
  return call(server, 'POST', '/v1/wire/identities', {
    key,
    body: {
      catalog_id: 'github',
      name: `GitHub ${serial}`,
      credential: { type: 'token', data: { token }, ...extra },
    },
  });
}

const verify = (key: string, identityId: string) =>
  call(server, 'POST', '/v1/wire/credentials/verify', { key, body: { identity_id: identityId } });

describe('checking a login when it is saved', () => {
  it('stores a token the site accepts as active, with last_verified_at set', async () => {
    github.tokens.set('ghp_verify_live_0001', MONA.login);
    const res = await saveToken(server.key, 'ghp_verify_live_0001');
    expect(res.status).toBe(201);
    const [credential] = res.body.identity.credentials;
    expect(credential.status).toBe('active');
    expect(credential.last_verified_at).toMatch(/Z$/);
    expect(credential.status_reason).toBeUndefined();
  });

  it('refuses a token the site rejects with 401 AUTH_EXPIRED and saves nothing', async () => {
    const account = await server.newAccount(5);
    const res = await saveToken(account.key, 'ghp_verify_dead_0002');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_EXPIRED');
    expect(res.body.error.message).toMatch(/GitHub rejected this login/);
    expect(res.text).not.toContain('ghp_verify_dead_0002');
    const list = await call(server, 'GET', '/v1/wire/identities', { key: account.key });
    expect(list.body.identities).toEqual([]);
  });

  it('keeps a rejected login as expired (probe_failed) when asked to', async () => {
    const res = await saveToken(server.key, 'ghp_verify_dead_0003', { keep_expired: true });
    expect(res.status).toBe(201);
    const [credential] = res.body.identity.credentials;
    expect(credential.status).toBe('expired');
    expect(credential.status_reason).toBe('probe_failed');
  });

  it('checks a credential added to an existing identity the same way', async () => {
    github.tokens.set('ghp_verify_live_0004', MONA.login);
    const created = await call(server, 'POST', '/v1/wire/identities', {
      key: server.key,
      body: { catalog_id: 'github', name: 'GitHub empty' },
    });
    const path = `/v1/wire/identities/${created.body.identity.id}/credentials`;
    const dead = await call(server, 'POST', path, {
      key: server.key,
      body: { credential_type: 'token', data: { token: 'ghp_verify_dead_0005' } },
    });
    expect(dead.status).toBe(401);
    expect(dead.body.error.code).toBe('AUTH_EXPIRED');
    const live = await call(server, 'POST', path, {
      key: server.key,
      body: { credential_type: 'token', data: { token: 'ghp_verify_live_0004' } },
    });
    expect(live.status).toBe(201);
    expect(live.body.credential.status).toBe('active');
    expect(live.body.credential.last_verified_at).toMatch(/Z$/);
  });
});

describe('POST /credentials/verify', () => {
  it('answers 201 verified for a live login, then AUTH_EXPIRED once the site revokes it', async () => {
    github.tokens.set('ghp_verify_live_0006', MONA.login);
    const saved = await saveToken(server.key, 'ghp_verify_live_0006');
    const identityId = saved.body.identity.id as string;

    const live = await verify(server.key, identityId);
    expect(live.status).toBe(201);
    expect(live.body).toEqual({
      status: 'verified',
      credential: expect.objectContaining({
        id: saved.body.identity.credentials[0].id,
        status: 'active',
        last_verified_at: expect.stringMatching(/Z$/),
      }),
    });

    github.tokens.delete('ghp_verify_live_0006');
    const dead = await verify(server.key, identityId);
    expect(dead.status).toBe(401);
    expect(dead.body).toEqual({
      status: 'error',
      error: { code: 'AUTH_EXPIRED', message: expect.stringMatching(/GitHub no longer accepts/) },
    });
    const after = await call(server, 'GET', `/v1/wire/identities/${identityId}`, {
      key: server.key,
    });
    expect(after.body.identity.credentials[0]).toMatchObject({
      status: 'expired',
      status_reason: 'probe_failed',
    });
    // A task with it is now refused up front, before any charge.
    const task = await call(server, 'POST', '/v1/wire/task', {
      key: server.key,
      body: {
        action_id: 'gh_repo',
        credential_id: saved.body.identity.credentials[0].id,
        params: { owner: 'octocat', repo: 'hello-world' },
      },
    });
    expect(task.status).toBe(401);
    expect(task.body.error.code).toBe('AUTH_EXPIRED');
  });

  it('answers 404 for someone else’s identity and 400 for a catalog without a probe', async () => {
    github.tokens.set('ghp_verify_live_0007', MONA.login);
    const saved = await saveToken(server.key, 'ghp_verify_live_0007');
    const other = await server.newAccount(1);
    const foreign = await verify(other.key, saved.body.identity.id);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('NOT_FOUND');

    const hn = await call(server, 'POST', '/v1/wire/identities', {
      key: server.key,
      body: {
        catalog_id: 'hackernews',
        name: 'HN',
        credential: { type: 'token', data: 'tok-hn-1' },
      },
    });
    expect(hn.status).toBe(201);
    const res = await verify(server.key, hn.body.identity.id);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
  });

  it('signs in again with a remembered password when the session died, keeping the credential id', async () => {
    const account = await server.newAccount(5);
    const login = await call(server, 'POST', '/v1/wire/login', {
      key: account.key,
      body: {
        catalog_slug: 'amazon',
        params: { username: 'ruth@example.com', password: PASSWORD },
        remember_password: true,
      },
    });
    expect(login.status).toBe(201);
    // Amazon forgets every session: the stored one is dead now.
    amazon.validSessions.clear();
    const res = await verify(account.key, login.body.identity_id);
    expect(res.status).toBe(201);
    expect(res.body.credential).toMatchObject({
      id: login.body.credential_id,
      status: 'active',
    });
    expect(amazon.validSessions.size).toBe(1);
  });
});

describe('background checks', () => {
  it('marks a dead session expired and queues credential.expired for the account', async () => {
    const account = await server.newAccount(5);
    const endpoint = await call(server, 'POST', '/v1/wire/webhooks', {
      key: account.key,
      body: { url: `${amazon.origin}/hooks/verify`, events: ['credential.expired'] },
    });
    amazon.validSessions.add('at-main-sweep-live');
    amazon.validSessions.add('at-main-sweep-dead');
    const save = (name: string, atMain: string) =>
      call(server, 'POST', '/v1/wire/identities', {
        key: account.key,
        body: {
          catalog_id: 'amazon',
          name,
          credential: { type: 'browser_state', data: amazonStorageState(atMain) },
        },
      });
    const live = await save('Amazon live', 'at-main-sweep-live');
    const dead = await save('Amazon dead', 'at-main-sweep-dead');
    expect([live.status, dead.status]).toEqual([201, 201]);
    amazon.validSessions.delete('at-main-sweep-dead');

    // Interval 0: every active login is due now.
    await server.taskwire.probes.sweep(0, 1000);

    const identities = (
      await call(server, 'GET', '/v1/wire/identities?catalog_id=amazon', {
        key: account.key,
      })
    ).body.identities as Array<{ name: string; credentials: Array<Record<string, unknown>> }>;
    const byName = new Map(identities.map((i) => [i.name, i.credentials[0]]));
    expect(byName.get('Amazon live')).toMatchObject({ status: 'active' });
    expect(byName.get('Amazon dead')).toMatchObject({
      status: 'expired',
      status_reason: 'probe_failed',
    });
    expect(endpoint.status).toBe(201);
    {
      const events = await server.taskwire.store.db
        .selectFrom('webhook_deliveries')
        .select('event')
        .where('account_id', '=', account.accountId)
        .execute();
      expect(events.map((e) => e.event)).toEqual(['credential.expired']);
    }
  });
});

describe('jobs queued with a login that has since expired', () => {
  it('fail AUTH_EXPIRED, refunded, without a request to the site', async () => {
    const site = await startLinkedInSite();
    // No in-process worker: jobs stay queued until the test starts one.
    const paused = await startTestServer({
      env: { TASKWIRE_ORIGIN_LINKEDIN: site.origin, TASKWIRE_WORKER: 'false' },
    });
    try {
      site.validSessions.add('AQEDA-queued-then-dead');
      const saved = await call(paused, 'POST', '/v1/wire/identities', {
        key: paused.key,
        body: {
          catalog_id: 'linkedin',
          name: 'LinkedIn queued',
          credential: {
            type: 'browser_state',
            data: linkedInStorageState('AQEDA-queued-then-dead'),
          },
        },
      });
      expect(saved.status).toBe(201);
      const jobs: string[] = [];
      for (const slug of [SLUGS.full, SLUGS.full, SLUGS.full]) {
        const res = await call(paused, 'POST', '/v1/wire/task', {
          key: paused.key,
          body: {
            action_id: 'li_profile_scrape',
            params: { profile_url: `https://www.linkedin.com/in/${slug}` },
          },
        });
        expect(res.status).toBe(202);
        jobs.push(res.body.job_id as string);
      }
      expect(
        (await call(paused, 'GET', '/v1/wire/credits', { key: paused.key })).body.balance,
      ).toBe(94);

      site.validSessions.delete('AQEDA-queued-then-dead');
      const dead = await call(paused, 'POST', '/v1/wire/credentials/verify', {
        key: paused.key,
        body: { identity_id: saved.body.identity.id },
      });
      expect(dead.body.error.code).toBe('AUTH_EXPIRED');
      const profileHits = () => site.hits.filter((h) => h.startsWith('/in/')).length;
      const before = profileHits();

      paused.taskwire.work();
      for (const id of jobs) {
        const done = await waitForJob(paused, paused.key, id);
        expect(done).toEqual({
          status: 'failed',
          error: {
            code: 'AUTH_EXPIRED',
            message: expect.stringMatching(/expired before this job ran/),
          },
          credits_used: 0,
        });
      }
      expect(profileHits()).toBe(before);
      expect(
        (await call(paused, 'GET', '/v1/wire/credits', { key: paused.key })).body.balance,
      ).toBe(100);
    } finally {
      await paused.close();
      await site.close();
    }
  });
});

describe('the background check loop', () => {
  it('runs on its own in a serving process and expires a session the site dropped', async () => {
    const site = await startGitHubSite();
    const node = await startTestServer({
      env: { TASKWIRE_ORIGIN_GITHUB: site.origin, TASKWIRE_VERIFY_INTERVAL_MS: '200' },
    });
    try {
      site.tokens.set('ghp_loop_live_0010', MONA.login);
      const saved = await call(node, 'POST', '/v1/wire/identities', {
        key: node.key,
        body: {
          catalog_id: 'github',
          name: 'GitHub loop',
          credential: { type: 'token', data: 'ghp_loop_live_0010' },
        },
      });
      expect(saved.body.identity.credentials[0].status).toBe('active');
      site.tokens.delete('ghp_loop_live_0010');
      const status = async () =>
        (
          await call(node, 'GET', `/v1/wire/identities/${saved.body.identity.id}`, {
            key: node.key,
          })
        ).body.identity.credentials[0];
      await expect.poll(status, { timeout: 10_000, interval: 100 }).toMatchObject({
        status: 'expired',
        status_reason: 'probe_failed',
      });
    } finally {
      await node.close();
      await site.close();
    }
  });
});
