// The GitHub token's "who am I" check: GET /user answers the token's owner, or 401 when GitHub
// no longer accepts the token (revoked, expired, deleted).
import type { CredentialProbe } from '../../../runtime/index.js';
import { GITHUB_API, githubFailure, githubRequest } from './github-client.js';

export const githubProbe: CredentialProbe = async ({ http, credential }) => {
  const call = { http, credential };
  const res = await githubRequest(call, `${GITHUB_API}/user`);
  if (res.status !== 200) githubFailure(res, call, 'GitHub has no user for this token.');
  const login = (res.body as { login?: unknown } | undefined)?.login;
  return typeof login === 'string' ? { account: login } : {};
};
