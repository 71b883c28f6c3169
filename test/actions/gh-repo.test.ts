// gh_repo against the GitHub stand-in: public and private repositories, tokens, rate limits.
import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ghRepo, type GhRepoResult } from '../../src/actions/catalogs/github/gh-repo.js';
import type { OpenCredential } from '../../src/actions/define.js';
import { AuthExpiredError, BlockedError, ExecutionError } from '../../src/runtime/index.js';
import { type GitHubSite, MONA, REPOS, startGitHubSite } from '../fixtures/sites/github/site.js';
import { actionContext } from './action-context.js';

const TOKEN = `ghp_${'M'.repeat(36)}`;
const STRANGER = `ghp_${'S'.repeat(36)}`;
let site: GitHubSite;
beforeAll(async () => {
  site = await startGitHubSite();
  site.tokens.set(TOKEN, MONA.login);
  site.tokens.set(STRANGER, 'someone-else');
});
afterAll(() => site.close());

const output = Compile(ghRepo.output);
const token = (value: string): OpenCredential => ({ type: 'token', token: value });
const repo = async (name: string, credential?: OpenCredential, on = site) =>
  (await ghRepo.run(
    actionContext(
      { owner: 'monalisa', repo: name },
      ['https://api.github.com'],
      on.origin,
      credential,
    ).ctx,
  )) as GhRepoResult;

describe('gh_repo', () => {
  it('returns a public repository without a token', async () => {
    const result = await repo(REPOS.full);
    expect(output.Check(result)).toBe(true);
    expect(result).toEqual({
      full_name: 'monalisa/hello-world',
      description: 'My first repository on GitHub!',
      html_url: 'https://github.com/monalisa/hello-world',
      default_branch: 'main',
      stars: 1523,
      forks: 87,
      open_issues: 12,
      watchers: 41,
      language: 'TypeScript',
      topics: ['queue', 'sqlite', 'jobs'],
      license: 'MIT',
      created_at: '2022-11-27T00:00:00Z',
      updated_at: '2024-10-27T00:00:00Z',
      pushed_at: '2024-10-26T00:00:00Z',
      private: false,
      archived: false,
    });
    expect(site.requests.at(-1)).not.toHaveProperty('authorization');
  });

  it('omits description, language, license and pushed_at where GitHub has null', async () => {
    const result = await repo(REPOS.bare);
    expect(output.Check(result)).toBe(true);
    for (const field of ['description', 'language', 'license', 'pushed_at'])
      expect(result).not.toHaveProperty(field);
    expect(result.topics).toEqual([]);
    expect(JSON.stringify(result)).not.toContain('null');
  });

  it('names a license GitHub cannot identify by its name, and flags archives', async () => {
    expect((await repo(REPOS.other)).license).toBe('Other');
    expect((await repo(REPOS.archived)).archived).toBe(true);
  });

  it("reads a private repository with its owner's token", async () => {
    const result = await repo(REPOS.private, token(TOKEN));
    expect(result).toMatchObject({ full_name: 'monalisa/secret-plans', private: true });
    expect(site.requests.at(-1)?.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it.each([
    ['no token', undefined],
    ["another user's token", token(STRANGER)],
  ])('says a private repository is not found or private with %s', async (_what, credential) => {
    const run = repo(REPOS.private, credential);
    await expect(run).rejects.toThrow(ExecutionError);
    await expect(run).rejects.toThrow(
      'GitHub repository monalisa/secret-plans was not found or is private (connect a token to read private repos).',
    );
  });

  it('reports a token GitHub rejects as an expired credential', async () => {
    await expect(repo(REPOS.full, token('ghp_revoked'))).rejects.toThrow(AuthExpiredError);
  });

  it('reports a spent rate limit as a block', async () => {
    const limited = await startGitHubSite({ anonymousLimit: 1 });
    try {
      await repo(REPOS.full, undefined, limited);
      const failure = await repo(REPOS.full, undefined, limited).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(BlockedError);
      expect(failure).toMatchObject({ retry: 'retry', jobCode: 'UPSTREAM_BLOCKED' });
    } finally {
      await limited.close();
    }
  });
});

describe('gh_repo params', () => {
  const params = Compile(ghRepo.params);

  it('accepts real owner/repo names and refuses path tricks', () => {
    for (const name of ['node', 'hello-world', 'my.repo_2', '.github'])
      expect(params.Check({ owner: 'nodejs', repo: name })).toBe(true);
    for (const name of ['..', '.', 'a/b', 'x'.repeat(101), ''])
      expect(params.Check({ owner: 'nodejs', repo: name })).toBe(false);
    expect(params.Check({ owner: 'nodejs' })).toBe(false);
    expect(params.Check({ owner: 'nodejs', repo: 'node', token: 'x' })).toBe(false);
  });
});
