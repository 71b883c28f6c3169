// gh_user_repos: a user's public repositories, following GitHub's Link pagination.
import { type Static, Type } from 'typebox';

import { ExecutionError } from '../../../runtime/index.js';
import { defineAction } from '../../define.js';
import { enc, GITHUB_API, githubFailure, githubRequest, nextPage } from './github-client.js';
import { parseRepoSummary, type RepoSummary } from './repo-parse.js';

/** GitHub's largest page; fewer pages means fewer requests against the hourly quota. */
const PER_PAGE = 100;

/** GitHub login names: letters, digits and single inner hyphens, at most 39 characters. */
export const LOGIN_PATTERN = '^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$';

const repo = Type.Object({
  name: Type.String(),
  full_name: Type.String({ description: 'owner/name' }),
  description: Type.Optional(Type.String()),
  html_url: Type.String(),
  language: Type.Optional(Type.String({ description: "GitHub's main language guess." })),
  stargazers_count: Type.Integer(),
  forks_count: Type.Integer(),
  fork: Type.Boolean(),
  archived: Type.Boolean(),
  updated_at: Type.String({ description: 'ISO-8601 UTC.' }),
  pushed_at: Type.Optional(
    Type.String({ description: 'Omitted for a repository never pushed to.' }),
  ),
});

const output = Type.Object({
  username: Type.String(),
  repos: Type.Array(repo),
});

/** The result of gh_user_repos. */
export type GhUserReposResult = Static<typeof output>;

/** Lists a GitHub user's (or organisation's) public repositories. */
export const ghUserRepos = defineAction({
  id: 'gh_user_repos',
  name: 'GitHub user repositories',
  description:
    "Lists a GitHub user's public repositories with description, language, stars, forks and dates, sorted as you choose.",
  tags: ['github', 'repositories', 'developer', 'open source'],
  authMode: 'optional',
  credits: 1,
  params: Type.Object(
    {
      username: Type.String({
        pattern: LOGIN_PATTERN,
        description: 'The GitHub login, e.g. octocat.',
      }),
      sort: Type.Optional(
        Type.Union(
          [
            Type.Literal('updated'),
            Type.Literal('pushed'),
            Type.Literal('full_name'),
            Type.Literal('created'),
          ],
          {
            description:
              "Order: full_name (A-Z, GitHub's default), or updated, pushed or created (newest first).",
          },
        ),
      ),
      limit: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: 300,
          default: 30,
          description: 'How many repositories to return (1-300).',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  output,
  async run(ctx) {
    const { username, sort } = ctx.params;
    const limit = ctx.params.limit ?? 30;
    const query = new URLSearchParams({ type: 'owner' });
    if (sort) query.set('sort', sort);
    query.set('per_page', String(Math.min(PER_PAGE, limit)));
    let url: string | undefined = `${GITHUB_API}/users/${enc(username)}/repos?${query.toString()}`;

    const repos: RepoSummary[] = [];
    let pages = 0;
    // The page count is bounded by the limit; the extra check guards against a Link loop.
    while (url && repos.length < limit && pages <= Math.ceil(limit / PER_PAGE) + 1) {
      const res = await githubRequest(ctx, url);
      pages += 1;
      if (res.status !== 200) githubFailure(res, ctx, `GitHub has no user '${username}'.`);
      if (!Array.isArray(res.body)) {
        throw new ExecutionError(
          `GitHub answered the repository list of '${username}' with no list.`,
        );
      }
      for (const raw of res.body) {
        const found = parseRepoSummary(raw);
        if (found) repos.push(found);
      }
      url = nextPage(res.headers.link);
    }
    ctx.log('Listed GitHub repositories', {
      username,
      pages,
      returned: Math.min(limit, repos.length),
    });
    return { username, repos: repos.slice(0, limit) };
  },
});
