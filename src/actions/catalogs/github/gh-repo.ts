// gh_repo: one repository's details; a token also reaches the private ones it may read.
import { type Static, Type } from 'typebox';

import { defineAction } from '../../define.js';
import { enc, GITHUB_API, githubFailure, githubRequest } from './github-client.js';
import { LOGIN_PATTERN } from './gh-user-repos.js';
import { parseRepoDetail } from './repo-parse.js';

/** Repository names: letters, digits, '.', '-' and '_', at most 100, and never '.' or '..'. */
export const REPO_PATTERN = '^(?!\\.\\.?$)[A-Za-z0-9._-]{1,100}$';

/** The owner/repo pair both repository actions take. */
export const repoParams = {
  owner: Type.String({ pattern: LOGIN_PATTERN, description: 'User or organisation, e.g. nodejs.' }),
  repo: Type.String({ pattern: REPO_PATTERN, description: 'Repository name, e.g. node.' }),
};

const output = Type.Object({
  full_name: Type.String({ description: 'owner/name' }),
  description: Type.Optional(Type.String()),
  html_url: Type.String(),
  default_branch: Type.String(),
  stars: Type.Integer(),
  forks: Type.Integer(),
  open_issues: Type.Integer({
    description: 'Open issues plus open pull requests, as GitHub counts.',
  }),
  watchers: Type.Integer({ description: 'People watching the repository (subscribers).' }),
  language: Type.Optional(Type.String()),
  topics: Type.Array(Type.String()),
  license: Type.Optional(
    Type.String({ description: 'SPDX id such as MIT, else the license name.' }),
  ),
  created_at: Type.String({ description: 'ISO-8601 UTC.' }),
  updated_at: Type.String(),
  pushed_at: Type.Optional(
    Type.String({ description: 'Omitted for a repository never pushed to.' }),
  ),
  private: Type.Boolean(),
  archived: Type.Boolean(),
});

/** The result of gh_repo. */
export type GhRepoResult = Static<typeof output>;

/** Reads one repository. */
export const ghRepo = defineAction({
  id: 'gh_repo',
  name: 'GitHub repository',
  description:
    "Fetches a GitHub repository's details: description, default branch, stars, forks, open issues, watchers, language, topics, license and dates. Connect a token to read private repositories.",
  tags: ['github', 'repository', 'developer', 'open source'],
  authMode: 'optional',
  credits: 1,
  params: Type.Object(repoParams, { additionalProperties: false }),
  output,
  async run(ctx) {
    const { owner, repo } = ctx.params;
    const res = await githubRequest(ctx, `${GITHUB_API}/repos/${enc(owner)}/${enc(repo)}`);
    if (res.status !== 200) {
      githubFailure(
        res,
        ctx,
        `GitHub repository ${owner}/${repo} was not found or is private (connect a token to read private repos).`,
      );
    }
    const detail = parseRepoDetail(res.body);
    ctx.log('Fetched GitHub repository', { full_name: detail.full_name, private: detail.private });
    return detail;
  },
});
