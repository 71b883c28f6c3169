// POST /login over real HTTP against the LinkedIn and Amazon stand-ins, in real Chromium:
// a sign-in becomes a working credential, and every way a sign-in can fail has its own code.
// The password and TOTP secret never come back in a response, a log line or a stored row.
import { TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type AmazonSite, startAmazonSite } from '../fixtures/sites/amazon/site.js';
import { type LinkedInSite, SLUGS, startLinkedInSite } from '../fixtures/sites/linkedin/site.js';
import { call, startTestServer, type TestServer, waitForJob } from '../support/taskwire.js';

const PASSWORD = 'Pw-correct-horse-5150';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DP';

let linkedin: LinkedInSite;
let amazon: AmazonSite;
let server: TestServer;

beforeAll(async () => {
  linkedin = await startLinkedInSite();
  amazon = await startAmazonSite();
  linkedin.accounts.set('ada@example.com', { password: PASSWORD, name: 'Ada Lovelace' });
  linkedin.accounts.set('flagged@example.com', {
    password: PASSWORD,
    name: 'Flagged Member',
    challenge: true,
  });
  amazon.accounts.set('grace@example.com', {
    password: PASSWORD,
    name: 'Grace',
    totpSecret: TOTP_SECRET,
  });
  server = await startTestServer({
    env: {
      TASKWIRE_ORIGIN_LINKEDIN: linkedin.origin,
      TASKWIRE_ORIGIN_AMAZON: amazon.origin,
      TASKWIRE_LOGIN_TIMEOUT_MS: '20000',
    },
  });
});
afterAll(async () => {
  await server?.close();
  await linkedin?.close();
  await amazon?.close();
});

const login = (body: unknown, key = server.key) =>
  call(server, 'POST', '/v1/wire/login', { key, body });

const identities = async (key: string, catalog: string) =>
  (await call(server, 'GET', `/v1/wire/identities?catalog_id=${catalog}`, { key })).body
    .identities as Array<{ id: string; name: string; credentials: Array<Record<string, unknown>> }>;

describe('POST /login', () => {
  it('signs in to LinkedIn, stores the session as a credential, and a job runs with it', async () => {
    const account = await server.newAccount(20);
    const res = await login(
      {
        catalog_slug: 'linkedin',
        params: { username: 'ada@example.com', password: PASSWORD },
        identity_name: 'Work LinkedIn',
      },
      account.key,
    );
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      status: 'verified',
      identity_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      identity_name: 'Work LinkedIn',
      credential_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      catalog_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      catalog_slug: 'linkedin',
      // li_at's own expiry, a year out on the stand-in as on LinkedIn.
      expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/),
    });
    const [identity] = await identities(account.key, 'linkedin');
    expect(identity?.name).toBe('Work LinkedIn');
    // Without remember_password only the session is kept: no `credentials` row.
    expect(identity?.credentials.map((c) => [c.credential_type, c.status])).toEqual([
      ['browser_state', 'active'],
    ]);

    const task = await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: {
        action_id: 'li_profile_scrape',
        credential_id: res.body.credential_id,
        params: { profile_url: `https://www.linkedin.com/in/${SLUGS.full}` },
      },
    });
    expect(task.status).toBe(202);
    const done = await waitForJob(server, account.key, task.body.job_id);
    expect(done.status).toBe('completed');
    expect(done.data.name).toEqual(expect.any(String));
  });

  it('keeps the password sealed as a second credential only when remember_password is set', async () => {
    const account = await server.newAccount(5);
    const res = await login(
      {
        catalog_slug: 'linkedin',
        params: { username: 'ada@example.com', password: PASSWORD },
        remember_password: true,
      },
      account.key,
    );
    expect(res.status).toBe(201);
    expect(res.body.identity_name).toBe('LinkedIn (ada@example.com)');
    const [identity] = await identities(account.key, 'linkedin');
    expect(identity?.credentials.map((c) => c.credential_type).sort()).toEqual([
      'browser_state',
      'credentials',
    ]);
    const rows = await server.taskwire.store.db
      .selectFrom('credentials')
      .selectAll()
      .where('identity_id', '=', res.body.identity_id)
      .execute();
    expect(JSON.stringify(rows)).not.toContain(PASSWORD);
  });

  it('answers 401 BAD_PASSWORD for a wrong password and stores nothing', async () => {
    const account = await server.newAccount(5);
    const res = await login(
      {
        catalog_slug: 'linkedin',
        params: { username: 'ada@example.com', password: 'Pw-wrong-guess-4242' },
      },
      account.key,
    );
    expect(res.status).toBe(401);
    expect(res.body.status).toBe('error');
    expect(res.body.error.code).toBe('BAD_PASSWORD');
    expect(res.body.error.message).toMatch(/LinkedIn said/);
    expect(res.text).not.toContain('Pw-wrong-guess-4242');
    expect(await identities(account.key, 'linkedin')).toEqual([]);
  });

  it('answers 403 CAPTCHA_REQUIRED with the connect page when the site wants a security check', async () => {
    const res = await login({
      catalog_slug: 'linkedin',
      params: { username: 'flagged@example.com', password: PASSWORD },
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({
      code: 'CAPTCHA_REQUIRED',
      message: expect.stringMatching(/security verification/),
      connect_url: '/products/holocron/linkedin/connect',
    });
  });

  it('answers 400 INVALID_PARAMS naming the missing login fields', async () => {
    const res = await login({ catalog_slug: 'linkedin', params: { username: 'ada@example.com' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_PARAMS');
    expect(res.body.error.missing_fields).toEqual(['password']);
    expect(res.body.error.issues).toEqual([
      { path: '/params/password', message: "'password' is required" },
    ]);
  });

  it('refuses catalogs without a login form (400) and unknown ones (404)', async () => {
    const web = await login({ catalog_slug: 'hackernews', params: {} });
    expect(web.status).toBe(400);
    expect(web.body.error.code).toBe('BAD_REQUEST');
    const unknown = await login({ catalog_slug: 'myspace', params: {} });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
  });

  it('answers 401 MFA_REQUIRED naming totp_secret when Amazon asks for a code', async () => {
    const res = await login({
      catalog_slug: 'amazon',
      params: { username: 'grace@example.com', password: PASSWORD },
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('MFA_REQUIRED');
    expect(res.body.error.missing_fields).toEqual(['totp_secret']);
  });

  it('signs in to Amazon with a TOTP secret, generating the one-time code itself', async () => {
    // The secret is what an authenticator app holds; Taskwire computes the current code.
    expect(new TOTP({ secret: TOTP_SECRET }).generate()).toMatch(/^\d{6}$/);
    const account = await server.newAccount(5);
    const res = await login(
      {
        catalog_slug: 'amazon',
        params: { username: 'grace@example.com', password: PASSWORD, totp_secret: TOTP_SECRET },
      },
      account.key,
    );
    expect(res.status).toBe(201);
    expect(res.body.catalog_slug).toBe('amazon');
    const [identity] = await identities(account.key, 'amazon');
    expect(identity?.credentials[0]?.status).toBe('active');
  });

  it('needs an API key', async () => {
    const res = await call(server, 'POST', '/v1/wire/login', {
      body: { catalog_slug: 'linkedin', params: {} },
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });

  it('never writes a password or TOTP secret to the log', () => {
    const logs = server.logs.join('\n');
    expect(logs).not.toContain(PASSWORD);
    expect(logs).not.toContain(TOTP_SECRET);
    expect(logs).not.toContain('Pw-wrong-guess-4242');
  });
});
