// The GitHub catalog: repositories and issues through GitHub's REST API, with an optional token.
import { defineCatalog } from '../../define.js';
import { ghCreateIssue } from './gh-create-issue.js';
import { githubProbe } from './gh-probe.js';
import { ghRepo } from './gh-repo.js';
import { ghUserRepos } from './gh-user-repos.js';
import { GITHUB_API } from './github-client.js';

/** GitHub's REST API; a `token` credential (personal access token) lifts limits and allows writes. */
export const githubCatalog = defineCatalog({
  slug: 'github',
  name: 'GitHub',
  url: GITHUB_API,
  domain: 'github.com',
  category: 'developer',
  description:
    'Read GitHub repositories and open issues through the REST API. Reads work without a login; connect a personal access token for private repositories, higher rate limits and creating issues.',
  logoUrl: '/static/logos/github.svg',
  authTypes: ['token'],
  probe: githubProbe,
  actions: [ghUserRepos, ghRepo, ghCreateIssue],
});

export { ghCreateIssue, ghRepo, ghUserRepos };
