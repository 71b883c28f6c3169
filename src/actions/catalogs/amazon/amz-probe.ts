// The Amazon session's "who am I" check: "Your Account" opens only for a signed-in customer and
// greets them by first name; a dead at-main session is sent to /ap/signin instead.
import { load } from 'cheerio';

import { type CredentialProbe, ExecutionError } from '../../../runtime/index.js';
import { AMAZON_ORIGIN } from './amazon-values.js';
import { fetchPage } from './amazon-client.js';

export const amazonProbe: CredentialProbe = async ({ http }) => {
  const res = await fetchPage(http, `${AMAZON_ORIGIN}/gp/css/homepage.html`, {
    what: 'Your Account',
    signedIn: true,
  });
  if (res.status !== 200) {
    throw new ExecutionError(`Amazon answered HTTP ${res.status} for Your Account.`);
  }
  const greeting = load(res.text)('#nav-link-accountList-nav-line-1').text().trim();
  const name = /^Hello, (.+)$/.exec(greeting)?.[1];
  return name && name !== 'sign in' ? { account: name } : {};
};
