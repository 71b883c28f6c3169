// gh_user_repos against the GitHub stand-in: Link pagination, sorting, tokens and rate limits.
import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { nextPage } from '../../src/actions/catalogs/github/github-client.js';
import {
  ghUserRepos,
  type GhUserReposResult,
} from '../../src/actions/catalogs/github/gh-user-repos.js';
import type { OpenCredential } from '../../src/actions/define.js';
import { AuthExpiredError, BlockedError, ExecutionError } from '../../src/runtime/index.js';
import { type GitHubSite, MONA, startGitHubSite } from '../fixtures/sites/github/site.js';
import { actionContext } from './action-context.js';

const TOKEN = `ghp_${'R'.repeat(36)}`;
let site: GitHubSite;
beforeAll(async () => {
  site = await startGitHubSite();
  site.tokens.set(TOKEN, MONA.login);
});
afterAll(() => site.close());

const output = Compile(ghUserRepos.output);
const token = (value: string): OpenCredential => ({ type: 'token', token: value });
const list = async (params: Record<string, unknown>, credential?: OpenCredential, on = site) =>
  (await ghUserRepos.run(
    actionContext(params, ['https://api.github.com'], on.origin, credential).ctx,
  )) as GhUserReposResult;

describe('gh_user_repos', () => {
  it("lists a user's repositories A-Z with GitHub's headers and no token", async () => {
    const result = await list({ username: 'monalisa', limit: 5 });
    expect(output.Check(result)).toBe(true);
    expect(result.repos.map((r) => r.name)).toEqual([
      'bare',
      'forked-lib',
      'hello-world',
      'no-issues',
      'old-archive',
    ]);
    expect(result.repos[2]).toEqual({
      name: 'hello-world',
      full_name: 'monalisa/hello-world',
      description: 'My first repository on GitHub!',
      html_url: 'https://github.com/monalisa/hello-world',
      language: 'TypeScript',
      stargazers_count: 1523,
      forks_count: 87,
      fork: false,
      archived: false,
      updated_at: '2024-10-27T00:00:00Z',
      pushed_at: '2024-10-26T00:00:00Z',
    });
    expect(site.requests.at(-1)).toEqual({
      method: 'GET',
      path: '/users/monalisa/repos?type=owner&per_page=5',
      accept: 'application/vnd.github+json',
      version: '2022-11-28',
    });
  });

  it('omits description, language and pushed_at where GitHub has null', async () => {
    const [bare] = (await list({ username: 'monalisa', limit: 1 })).repos;
    expect(bare).toEqual({
      name: 'bare',
      full_name: 'monalisa/bare',
      html_url: 'https://github.com/monalisa/bare',
      stargazers_count: 0,
      forks_count: 0,
      fork: false,
      archived: false,
      updated_at: '2024-01-11T00:00:00Z',
    });
  });

  it('follows rel="next" pages of 100 until the limit, never listing private repos', async () => {
    const before = site.requests.length;
    const result = await list({ username: 'monalisa', limit: 300 }, token(TOKEN));
    expect(output.Check(result)).toBe(true);
    // 230 public repositories: all of them, over three pages.
    expect(result.repos).toHaveLength(230);
    expect(result.repos.some((r) => r.name === 'secret-plans')).toBe(false);
    expect(site.requests.slice(before).map((r) => r.path)).toEqual([
      '/users/monalisa/repos?type=owner&per_page=100',
      `/user/${MONA.id}/repos?type=owner&per_page=100&page=2`,
      `/user/${MONA.id}/repos?type=owner&per_page=100&page=3`,
    ]);
    // The token goes with every page, since every page stays on api.github.com.
    expect(site.requests.slice(before).every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(
      true,
    );
  });

  it('stops paging once the limit is reached and keeps the sort order across pages', async () => {
    const before = site.requests.length;
    const result = await list({ username: 'monalisa', sort: 'created', limit: 150 }, token(TOKEN));
    expect(result.repos).toHaveLength(150);
    expect(site.requests.length - before).toBe(2);
    const created = result.repos.map((r) => r.name);
    expect(created[0]).toBe('project-224');
    expect(created[149]).toBe('project-075');
  });

  it('returns an empty list for a user without repositories', async () => {
    await expect(list({ username: 'new-user' })).resolves.toEqual({
      username: 'new-user',
      repos: [],
    });
  });

  it('fails without retry for a user GitHub does not know', async () => {
    const run = list({ username: 'nobody-here' });
    await expect(run).rejects.toThrow(ExecutionError);
    await expect(run).rejects.toThrow("GitHub has no user 'nobody-here'.");
  });

  it('reports a token GitHub rejects as an expired credential', async () => {
    const failure = await list({ username: 'monalisa' }, token('ghp_revoked')).catch(
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(AuthExpiredError);
    expect(String(failure)).toContain('Bad credentials');
  });

  it('reports a spent rate limit as a block until x-ratelimit-reset', async () => {
    const limited = await startGitHubSite({ anonymousLimit: 1 });
    try {
      await list({ username: 'monalisa', limit: 1 }, undefined, limited);
      const failure = await list({ username: 'monalisa' }, undefined, limited).catch(
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(BlockedError);
      expect(String(failure)).toContain('API rate limit exceeded');
      const wait = (failure as BlockedError).retryAfterMs ?? 0;
      expect(wait).toBeGreaterThan(3_500_000);
      expect(wait).toBeLessThanOrEqual(3_600_000);
    } finally {
      await limited.close();
    }
  });
});

describe('GitHub Link header', () => {
  it('finds rel="next" among the other relations', () => {
    expect(
      nextPage(
        '<https://api.github.com/user/1/repos?page=1>; rel="prev", <https://api.github.com/user/1/repos?page=3>; rel="next", <https://api.github.com/user/1/repos?page=9>; rel="last"',
      ),
    ).toBe('https://api.github.com/user/1/repos?page=3');
    expect(nextPage('<https://api.github.com/user/1/repos?page=1>; rel="first"')).toBeUndefined();
    expect(nextPage(undefined)).toBeUndefined();
  });

  it('refuses a next page on another origin, where the token would leak', () => {
    expect(nextPage('<https://evil.example/steal?page=2>; rel="next"')).toBeUndefined();
  });
});

describe('gh_user_repos params', () => {
  const params = Compile(ghUserRepos.params);

  it.each(['octocat', 'mona-lisa', 'a', 'A1-b2-C3', 'x'.repeat(39)])('accepts %s', (username) => {
    expect(params.Check({ username })).toBe(true);
  });

  it.each([
    { username: '-mona' },
    { username: 'mona-' },
    { username: 'mo--na' },
    { username: 'x'.repeat(40) },
    { username: 'mona/../x' },
    { username: 'mona', limit: 301 },
    { username: 'mona', limit: 0 },
    { username: 'mona', sort: 'stars' },
    { username: 'mona', page: 2 },
  ])('rejects %j', (value) => {
    expect(params.Check(value)).toBe(false);
  });
});
