// The LinkedIn session's "who am I" check: the feed opens only for a live li_at session (and
// names the member in its identity module); a dead one is sent to /login or the authwall.
import { load } from 'cheerio';

import { type CredentialProbe, ExecutionError } from '../../../runtime/index.js';
import { checkAnswer, LINKEDIN_ORIGIN } from './linkedin-client.js';

export const linkedinProbe: CredentialProbe = async ({ http }) => {
  const res = await http.get(`${LINKEDIN_ORIGIN}/feed/`);
  checkAnswer(res, { what: 'the feed', signedIn: true });
  if (res.status !== 200) {
    throw new ExecutionError(`LinkedIn answered HTTP ${res.status} for the feed.`);
  }
  const name = load(res.text)('.feed-identity-module .t-bold').first().text().trim();
  return name ? { account: name } : {};
};
