// Secrets never leak. Credentials with recognisable values are stored, used, rejected,
// verified and signed in with through every route, job path, error path and log path; then
// every response body and header, every log line, and every row of every table but the
// sealed credentials is searched for those values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type AmazonSite, startAmazonSite } from '../fixtures/sites/amazon/site.js';
import { type GitHubSite, MONA, REPOS, startGitHubSite } from '../fixtures/sites/github/site.js';
import {
  type LinkedInSite,
  linkedInStorageState,
  SLUGS,
  startLinkedInSite,
} from '../fixtures/sites/linkedin/site.js';
import { call, startTestServer, type TestServer, waitForJob } from '../support/taskwire.js';

const SECRETS = {
  liAt: 'AQEDA-LEAKCANARY-li-0001',
  liAtDead: 'AQEDA-LEAKCANARY-li-dead-0002',
  token: 'ghp_LEAKCANARY_token_0003',
  tokenRevoked: 'ghp_LEAKCANARY_revoked_0004',
  apiKey: 'sk-LEAKCANARY-apikey-0005',
  password: 'Pw-LEAKCANARY-pass-0006',
  wrongPassword: 'Pw-LEAKCANARY-wrong-0007',
  totp: 'JBSWY3DPEHPK3PXPLEAKCANARY',
};
const CANARY = /LEAKCANARY/;

let linkedin: LinkedInSite;
let amazon: AmazonSite;
let github: GitHubSite;
let server: TestServer;
/** Every response the test received: status line, headers and body. */
const seen: string[] = [];

beforeAll(async () => {
  linkedin = await startLinkedInSite();
  amazon = await startAmazonSite();
  github = await startGitHubSite();
  linkedin.accounts.set('leak@example.com', { password: SECRETS.password, name: 'Lee K' });
  amazon.accounts.set('leak@example.com', {
    password: SECRETS.password,
    name: 'Lee',
    totpSecret: SECRETS.totp,
  });
  server = await startTestServer({
    env: {
      TASKWIRE_ORIGIN_LINKEDIN: linkedin.origin,
      TASKWIRE_ORIGIN_AMAZON: amazon.origin,
      TASKWIRE_ORIGIN_GITHUB: github.origin,
      TASKWIRE_LOGIN_TIMEOUT_MS: '20000',
    },
  });
});
afterAll(async () => {
  await server?.close();
  await linkedin?.close();
  await amazon?.close();
  await github?.close();
});

async function api(method: string, path: string, body?: unknown) {
  const res = await call(server, method, `/v1/wire${path}`, {
    key: server.key,
    ...(body !== undefined ? { body } : {}),
  });
  seen.push(`${res.status} ${JSON.stringify([...res.headers])}\n${res.text}`);
  return res;
}

async function identity(catalog: string, name: string, type: string, data: unknown) {
  const res = await api('POST', '/identities', {
    catalog_id: catalog,
    name,
    credential: { type, data, keep_expired: true },
  });
  expect(res.status).toBe(201);
  return res.body.identity as { id: string; credentials: Array<{ id: string }> };
}

async function run(action_id: string, params: unknown, credential_id?: string) {
  const res = await api('POST', '/task', {
    action_id,
    params,
    ...(credential_id ? { credential_id } : {}),
  });
  if (res.status !== 202) return res.body;
  const done = await waitForJob(server, server.key, res.body.job_id);
  await api('GET', `/jobs/${res.body.job_id}`);
  await api('GET', `/jobs/${res.body.job_id}/events`);
  return done;
}

describe('secrets never leak', () => {
  it('goes through every path that touches a credential', async () => {
    await api('POST', '/webhooks', {
      url: `${github.origin}/hooks/leak`,
      events: ['job.completed', 'job.failed', 'credential.expired'],
    });

    // Saved: live, dead (kept as expired), each credential type.
    linkedin.validSessions.add(SECRETS.liAt);
    const li = await identity(
      'linkedin',
      'Leak LinkedIn',
      'browser_state',
      linkedInStorageState(SECRETS.liAt),
    );
    const liDead = await identity(
      'linkedin',
      'Leak LinkedIn dead',
      'browser_state',
      linkedInStorageState(SECRETS.liAtDead),
    );
    github.tokens.set(SECRETS.token, MONA.login);
    github.tokens.set(SECRETS.tokenRevoked, MONA.login);
    const gh = await identity('github', 'Leak GitHub', 'token', { token: SECRETS.token });
    const ghRevoked = await identity('github', 'Leak GitHub 2', 'token', SECRETS.tokenRevoked);
    await identity('web', 'Leak web', 'api_key', { api_key: SECRETS.apiKey });
    await identity('web', 'Leak web creds', 'credentials', {
      username: 'leak@example.com',
      password: SECRETS.password,
      totp_secret: SECRETS.totp,
    });
    // Malformed data that quotes a secret: the 400 must not echo it.
    await api('POST', '/identities', {
      catalog_id: 'linkedin',
      name: 'Leak malformed',
      credential: {
        type: 'browser_state',
        data: { cookies: [{ name: 'li_at', value: SECRETS.liAt }] },
      },
    });
    // Dead on save without keep_expired: refused.
    await api('POST', '/identities', {
      catalog_id: 'linkedin',
      name: 'Leak refused',
      credential: { type: 'browser_state', data: linkedInStorageState(SECRETS.liAtDead) },
    });

    // Read back every way.
    await api('GET', '/identities');
    await api('GET', `/identities/${li.id}`);
    await api('GET', `/identities/${li.id}/credentials`);
    await api('GET', '/identities?catalog_id=github');

    // Jobs: success, the login rejected mid-life, a token revoked, an expired credential named.
    expect(
      (
        await run(
          'li_profile_scrape',
          { profile_url: `https://www.linkedin.com/in/${SLUGS.full}` },
          li.credentials[0]!.id,
        )
      ).status,
    ).toBe('completed');
    const repo = { owner: MONA.login, name: REPOS.full };
    expect(
      (await run('gh_repo', { owner: repo.owner, repo: repo.name }, gh.credentials[0]!.id)).status,
    ).toBe('completed');
    github.tokens.delete(SECRETS.tokenRevoked);
    const revoked = await run(
      'gh_repo',
      { owner: repo.owner, repo: repo.name },
      ghRevoked.credentials[0]!.id,
    );
    expect(revoked.error.code).toBe('AUTH_EXPIRED');
    linkedin.validSessions.delete(SECRETS.liAt);
    const rejected = await run(
      'li_profile_scrape',
      { profile_url: `https://www.linkedin.com/in/${SLUGS.full}` },
      li.credentials[0]!.id,
    );
    expect(rejected.error.code).toBe('AUTH_EXPIRED');
    const named = await run(
      'li_profile_scrape',
      { profile_url: `https://www.linkedin.com/in/${SLUGS.full}` },
      liDead.credentials[0]!.id,
    );
    expect(named.error.code).toBe('AUTH_EXPIRED');

    // Verify, live and dead.
    github.tokens.set(SECRETS.token, MONA.login);
    await api('POST', '/credentials/verify', { identity_id: gh.id });
    github.tokens.delete(SECRETS.token);
    await api('POST', '/credentials/verify', { identity_id: gh.id });

    // Sign-ins: a wrong password, MFA missing, success with a remembered password and TOTP.
    await api('POST', '/login', {
      catalog_slug: 'linkedin',
      params: { username: 'leak@example.com', password: SECRETS.wrongPassword },
    });
    await api('POST', '/login', {
      catalog_slug: 'amazon',
      params: { username: 'leak@example.com', password: SECRETS.password },
    });
    await api('POST', '/login', {
      catalog_slug: 'amazon',
      params: {
        username: 'leak@example.com',
        password: SECRETS.password,
        totp_secret: SECRETS.totp,
      },
      remember_password: true,
    });
    await api('POST', '/login', {
      catalog_slug: 'linkedin',
      params: {
        username: 'leak@example.com',
        password: SECRETS.password,
        bogus: SECRETS.wrongPassword,
      },
    });

    // Lists, credits, webhooks and deliveries (with the credential.expired events).
    await api('GET', '/jobs?limit=100');
    await api('GET', '/credits');
    await api('GET', '/webhooks');
    await api('GET', '/webhooks/deliveries');
    await server.taskwire.probes.sweep(0, 100);
  });

  it('appears in no response, no log line and no stored row but the sealed credentials', async () => {
    const responses = seen.join('\n');
    for (const value of Object.values(SECRETS)) expect(responses).not.toContain(value);
    expect(responses).not.toMatch(CANARY);

    const logs = server.logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toMatch(CANARY);

    const db = server.taskwire.store.db;
    const tables = [
      'jobs',
      'job_log',
      'job_files',
      'ledger_entries',
      'identities',
      'idempotency_keys',
      'webhook_endpoints',
      'webhook_deliveries',
      'webhook_attempts',
      'accounts',
      'api_keys',
    ] as const;
    for (const table of tables) {
      const rows = await db.selectFrom(table).selectAll().execute();
      expect(JSON.stringify(rows), `table ${table}`).not.toMatch(CANARY);
    }
    // Credentials: only the sealed blobs hold secrets, never in the clear.
    const credentials = await db.selectFrom('credentials').selectAll().execute();
    expect(credentials.length).toBeGreaterThan(5);
    expect(JSON.stringify(credentials)).not.toMatch(CANARY);
  });
});
