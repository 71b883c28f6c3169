// The GitHub catalog end to end: a stored token identity, POST /task, the worker, and the
// stand-in recording the issue; a token GitHub rejects fails AUTH_EXPIRED and is marked expired.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type GitHubSite, MONA, REPOS, startGitHubSite } from '../fixtures/sites/github/site.js';
import { call, startTestServer, type TestServer, waitForJob } from '../support/taskwire.js';

let site: GitHubSite;
let server: TestServer;

beforeAll(async () => {
  site = await startGitHubSite();
  server = await startTestServer({ env: { TASKWIRE_ORIGIN_GITHUB: site.origin } });
});
afterAll(async () => {
  await server?.close();
  await site?.close();
});

const balance = async (key: string) =>
  (await call(server, 'GET', '/v1/wire/credits', { key })).body.balance as number;

/** Stores a GitHub token identity for the account; the stand-in accepts the token as monalisa's. */
async function connectGitHub(key: string, token: string) {
  site.tokens.set(token, MONA.login);
  const res = await call(server, 'POST', '/v1/wire/identities', {
    key,
    body: {
      catalog_id: 'github',
      name: `GitHub ${token.slice(-6)}`,
      credential: { type: 'token', data: { token } },
    },
  });
  expect(res.status).toBe(201);
  return {
    identityId: res.body.identity.id as string,
    credentialId: res.body.identity.credentials[0].id as string,
  };
}

async function submit(key: string, body: Record<string, unknown>) {
  const res = await call(server, 'POST', '/v1/wire/task', { key, body });
  expect(res.status).toBe(202);
  return { jobId: res.body.job_id as string, done: await waitForJob(server, key, res.body.job_id) };
}

describe('github catalog end to end', () => {
  it('reads a public repository without any identity', async () => {
    const account = await server.newAccount(10);
    const { done } = await submit(account.key, {
      action_id: 'gh_repo',
      params: { owner: 'monalisa', repo: REPOS.full },
    });
    expect(done).toMatchObject({ status: 'completed', credits_used: 1 });
    expect(done.data).toMatchObject({
      full_name: 'monalisa/hello-world',
      stars: 1523,
      private: false,
    });
    expect(await balance(account.key)).toBe(9);
  });

  it('reads a private repository with the stored token', async () => {
    const account = await server.newAccount(10);
    const { credentialId } = await connectGitHub(account.key, `ghp_${'p'.repeat(36)}`);
    const { done } = await submit(account.key, {
      action_id: 'gh_repo',
      credential_id: credentialId,
      params: { owner: 'monalisa', repo: REPOS.private },
    });
    expect(done).toMatchObject({ status: 'completed', data: { private: true } });
  });

  it('creates an issue with the stored token, which the stand-in records', async () => {
    const account = await server.newAccount(10);
    const token = `ghp_${'c'.repeat(36)}`;
    const { credentialId } = await connectGitHub(account.key, token);
    const { done } = await submit(account.key, {
      action_id: 'gh_create_issue',
      credential_id: credentialId,
      params: {
        owner: 'monalisa',
        repo: REPOS.full,
        title: 'Filed through Taskwire',
        labels: ['bug'],
      },
    });
    expect(done).toMatchObject({
      status: 'completed',
      credits_used: 2,
      data: {
        state: 'open',
        html_url: expect.stringMatching(
          /^https:\/\/github\.com\/monalisa\/hello-world\/issues\/\d+$/,
        ),
      },
    });
    expect(site.issues.at(-1)).toMatchObject({
      title: 'Filed through Taskwire',
      labels: ['bug'],
      number: done.data.number,
    });
    expect(await balance(account.key)).toBe(8);
    // The token is a secret: it must not reach the server's logs.
    expect(server.logs.join('\n')).not.toContain(token);
  });

  it('fails a job whose token GitHub rejects: AUTH_EXPIRED, refunded, credential expired', async () => {
    const account = await server.newAccount(10);
    const token = `ghp_${'d'.repeat(36)}`;
    const { identityId, credentialId } = await connectGitHub(account.key, token);
    site.tokens.delete(token);
    const before = site.issues.length;
    const { jobId, done } = await submit(account.key, {
      action_id: 'gh_create_issue',
      credential_id: credentialId,
      params: { owner: 'monalisa', repo: REPOS.full, title: 'Never filed' },
    });
    expect(done).toMatchObject({
      status: 'failed',
      credits_used: 0,
      error: { code: 'AUTH_EXPIRED' },
    });
    expect(done.error.message).not.toContain(token);
    expect(site.issues).toHaveLength(before);
    expect(await balance(account.key)).toBe(10);

    const identity = await call(server, 'GET', `/v1/wire/identities/${identityId}`, {
      key: account.key,
    });
    expect(identity.body.identity.credentials[0]).toMatchObject({
      status: 'expired',
      status_reason: 'session_rejected',
    });
    const ledger = (await call(server, 'GET', '/v1/wire/credits', { key: account.key })).body
      .ledger;
    expect(
      ledger
        .filter((e: { job_id?: string }) => e.job_id === jobId)
        .map((e: { kind: string }) => e.kind)
        .sort(),
    ).toEqual(['debit', 'refund']);
  });

  it('answers 401 AUTH_REQUIRED for gh_create_issue when no GitHub token is connected', async () => {
    const account = await server.newAccount(10);
    const res = await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: {
        action_id: 'gh_create_issue',
        params: { owner: 'monalisa', repo: REPOS.full, title: 'x' },
      },
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_REQUIRED');
    expect(await balance(account.key)).toBe(10);
  });

  it('lists the catalog as token-authenticated with its write action', async () => {
    const res = await call(server, 'GET', '/v1/wire/catalog/github');
    expect(res.status).toBe(200);
    expect(res.body.catalog).toMatchObject({
      slug: 'github',
      auth_types: ['token'],
      url: 'https://api.github.com',
    });
    const create = res.body.actions.find(
      (a: { action_id: string }) => a.action_id === 'gh_create_issue',
    );
    expect(create).toMatchObject({ type: 'write', auth_mode: 'required', credits_per_call: 2 });
  });
});
