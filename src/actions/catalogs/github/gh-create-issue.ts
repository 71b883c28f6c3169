// gh_create_issue: opens an issue with the connected token. A write: tried once, never blindly again.
import { type Static, Type } from 'typebox';

import { ExecutionError } from '../../../runtime/index.js';
import { defineAction } from '../../define.js';
import { enc, GITHUB_API, githubFailure, githubRequest, tokenOf } from './github-client.js';
import { repoParams } from './gh-repo.js';
import { parseCreatedIssue } from './repo-parse.js';

const output = Type.Object({
  number: Type.Integer(),
  html_url: Type.String(),
  state: Type.String({ description: 'open for a new issue.' }),
  created_at: Type.String({ description: 'ISO-8601 UTC.' }),
});

/** The result of gh_create_issue. */
export type GhCreateIssueResult = Static<typeof output>;

/** Opens an issue on a repository as the token's owner. */
export const ghCreateIssue = defineAction({
  id: 'gh_create_issue',
  name: 'Create a GitHub issue',
  description:
    'Opens an issue on a GitHub repository as the owner of your connected token, with an optional Markdown body and labels.',
  tags: ['github', 'issue', 'developer', 'write'],
  type: 'write',
  authMode: 'required',
  credits: 2,
  // A request that times out may still have created the issue; a retry could open it twice.
  maxAttempts: 1,
  params: Type.Object(
    {
      ...repoParams,
      title: Type.String({ minLength: 1, maxLength: 256, description: 'The issue title.' }),
      body: Type.Optional(
        Type.String({ maxLength: 65_536, description: 'The issue text, in GitHub Markdown.' }),
      ),
      labels: Type.Optional(
        Type.Array(Type.String({ minLength: 1, maxLength: 50 }), {
          maxItems: 100,
          description:
            'Label names to add; GitHub applies them only if the token may push to the repository.',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  output,
  async run(ctx) {
    const { owner, repo, title, body, labels } = ctx.params;
    // authMode 'required' and authTypes ['token'] mean the engine always hands over a token.
    if (!tokenOf(ctx.credential)) {
      throw new ExecutionError('Creating a GitHub issue needs a connected GitHub token.');
    }
    const res = await githubRequest(ctx, `${GITHUB_API}/repos/${enc(owner)}/${enc(repo)}/issues`, {
      method: 'POST',
      json: { title, ...(body !== undefined ? { body } : {}), ...(labels ? { labels } : {}) },
    });
    if (res.status !== 201) {
      githubFailure(
        res,
        ctx,
        `GitHub repository ${owner}/${repo} was not found, or the token cannot see it.`,
      );
    }
    const issue = parseCreatedIssue(res.body);
    ctx.log('Created GitHub issue', { repository: `${owner}/${repo}`, number: issue.number });
    return issue;
  },
});
