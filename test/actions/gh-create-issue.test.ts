// gh_create_issue against the GitHub stand-in: the write itself, and every way GitHub refuses it.
import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  ghCreateIssue,
  type GhCreateIssueResult,
} from '../../src/actions/catalogs/github/gh-create-issue.js';
import type { OpenCredential } from '../../src/actions/define.js';
import { AuthExpiredError, BlockedError, ExecutionError } from '../../src/runtime/index.js';
import { type GitHubSite, MONA, REPOS, startGitHubSite } from '../fixtures/sites/github/site.js';
import { actionContext } from './action-context.js';

const TOKEN = `ghp_${'W'.repeat(36)}`;
const READ_ONLY = `github_pat_${'r'.repeat(40)}`;
let site: GitHubSite;
beforeAll(async () => {
  site = await startGitHubSite();
  site.tokens.set(TOKEN, MONA.login);
  site.tokens.set(READ_ONLY, MONA.login);
  site.readOnlyTokens.add(READ_ONLY);
});
afterAll(() => site.close());

const output = Compile(ghCreateIssue.output);
const token = (value: string): OpenCredential => ({ type: 'token', token: value });
const create = async (
  params: Record<string, unknown>,
  credential: OpenCredential | undefined = token(TOKEN),
  on = site,
) =>
  (await ghCreateIssue.run(
    actionContext(
      { owner: 'monalisa', ...params },
      ['https://api.github.com'],
      on.origin,
      credential,
    ).ctx,
  )) as GhCreateIssueResult;

/** Runs `params` and expects an ExecutionError saying `message`, with nothing created. */
async function expectRefusal(
  params: Record<string, unknown>,
  message: string,
  credential?: OpenCredential,
) {
  const before = site.issues.length;
  const failure = await create(params, credential ?? token(TOKEN)).catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(ExecutionError);
  expect(String(failure)).toContain(message);
  expect(site.issues).toHaveLength(before);
}

describe('gh_create_issue', () => {
  it('is a write that requires a token and is never retried', () => {
    expect(ghCreateIssue).toMatchObject({
      type: 'write',
      authMode: 'required',
      maxAttempts: 1,
      credits: 2,
    });
  });

  it('creates the issue with its body and labels, and returns its number and URL', async () => {
    const result = await create({
      repo: REPOS.full,
      title: 'Crash when the queue is empty',
      body: 'Steps:\n\n1. Start\n2. Wait',
      labels: ['bug', 'triage'],
    });
    expect(output.Check(result)).toBe(true);
    expect(result).toEqual({
      number: 1348,
      html_url: 'https://github.com/monalisa/hello-world/issues/1348',
      state: 'open',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    expect(site.issues.at(-1)).toEqual({
      owner: 'monalisa',
      repo: 'hello-world',
      number: 1348,
      title: 'Crash when the queue is empty',
      body: 'Steps:\n\n1. Start\n2. Wait',
      labels: ['bug', 'triage'],
      user: 'monalisa',
    });
    expect(site.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/repos/monalisa/hello-world/issues',
      authorization: `Bearer ${TOKEN}`,
      accept: 'application/vnd.github+json',
      version: '2022-11-28',
    });
  });

  it('sends only the title when body and labels are omitted', async () => {
    const result = await create({ repo: REPOS.full, title: 'Just a title' });
    expect(result.number).toBe(1349);
    expect(site.issues.at(-1)).toEqual({
      owner: 'monalisa',
      repo: 'hello-world',
      number: 1349,
      title: 'Just a title',
      labels: [],
      user: 'monalisa',
    });
  });

  it("opens an issue on the token owner's private repository", async () => {
    const result = await create({ repo: REPOS.private, title: 'Private follow-up' });
    expect(result.html_url).toBe('https://github.com/monalisa/secret-plans/issues/5');
  });

  it('reports a token GitHub rejects as an expired credential, creating nothing', async () => {
    const before = site.issues.length;
    const failure = await create({ repo: REPOS.full, title: 'x' }, token('ghp_revoked')).catch(
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(AuthExpiredError);
    expect(failure).toMatchObject({ jobCode: 'AUTH_EXPIRED', retry: 'fail' });
    expect(String(failure)).toContain('Bad credentials');
    expect(site.issues).toHaveLength(before);
  });

  it('reports a spent rate limit as a block with the time until reset', async () => {
    const limited = await startGitHubSite({ tokenLimit: 1 });
    limited.tokens.set(TOKEN, MONA.login);
    try {
      await create({ repo: REPOS.full, title: 'first' }, token(TOKEN), limited);
      const failure = await create(
        { repo: REPOS.full, title: 'second' },
        token(TOKEN),
        limited,
      ).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(BlockedError);
      expect((failure as BlockedError).retryAfterMs).toBeGreaterThan(0);
      expect(limited.issues.map((i) => i.title)).toEqual(['first']);
    } finally {
      await limited.close();
    }
  });

  it('fails when the token may not write issues', async () => {
    await expectRefusal(
      { repo: REPOS.full, title: 'x' },
      'GitHub refused the request: Resource not accessible by personal access token.',
      token(READ_ONLY),
    );
  });

  it('fails on an archived repository', async () => {
    await expectRefusal(
      { repo: REPOS.archived, title: 'x' },
      'Repository was archived so is read-only.',
    );
  });

  it('fails when the repository does not exist', async () => {
    await expectRefusal(
      { repo: 'no-such-repo', title: 'x' },
      'GitHub repository monalisa/no-such-repo was not found, or the token cannot see it.',
    );
  });

  it('fails when the repository has issues turned off (410)', async () => {
    await expectRefusal(
      { repo: REPOS.noIssues, title: 'x' },
      'GitHub answered 410 Gone: Issues are disabled for this repo.',
    );
  });

  it("quotes GitHub's validation message for a blank title (422)", async () => {
    await expectRefusal(
      { repo: REPOS.full, title: '   ' },
      'GitHub rejected the request: Validation Failed (title missing_field).',
    );
  });

  it('refuses to run without a token credential', async () => {
    const failure = await create(
      { repo: REPOS.full, title: 'x' },
      { type: 'api_key', key: 'k' },
    ).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ExecutionError);
  });
});

describe('gh_create_issue params', () => {
  const params = Compile(ghCreateIssue.params);

  it('needs owner, repo and a title within GitHub limits', () => {
    const ok = { owner: 'monalisa', repo: 'hello-world', title: 'Bug' };
    expect(params.Check({ ...ok, body: 'text', labels: ['bug'] })).toBe(true);
    expect(params.Check({ ...ok, title: '' })).toBe(false);
    expect(params.Check({ ...ok, title: 'x'.repeat(257) })).toBe(false);
    expect(params.Check({ ...ok, labels: [''] })).toBe(false);
    expect(params.Check({ ...ok, labels: 'bug' })).toBe(false);
    expect(params.Check({ ...ok, assignees: ['me'] })).toBe(false);
    expect(params.Check({ owner: 'monalisa', repo: 'hello-world' })).toBe(false);
  });
});
