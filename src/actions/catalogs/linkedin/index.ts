// The LinkedIn catalog: actions that run with a member's stored LinkedIn browser session (and
// one that also works as a guest).
import { defineCatalog } from '../../define.js';
import { liCompanyScrape } from './li-company-scrape.js';
import { linkedinLogin, linkedinLoginFields } from './li-login.js';
import { linkedinProbe } from './li-probe.js';
import { liProfilePosts } from './li-profile-posts.js';
import { liProfileScrape } from './li-profile-scrape.js';
import { liSendConnectionRequest } from './li-send-connection-request.js';
import { LINKEDIN_ORIGIN } from './linkedin-client.js';

/** LinkedIn, reached with a `browser_state` credential holding the member's li_at session. */
export const linkedinCatalog = defineCatalog({
  slug: 'linkedin',
  name: 'LinkedIn',
  url: LINKEDIN_ORIGIN,
  domain: 'linkedin.com',
  category: 'social',
  description:
    "Read LinkedIn profiles, members' posts and company pages as your own signed-in account sees them, and send connection requests. Connect by signing in or by exporting your browser session.",
  logoUrl: '/static/logos/linkedin.svg',
  authTypes: ['browser_state'],
  loginUrl: 'https://www.linkedin.com/login',
  loginFields: linkedinLoginFields,
  login: linkedinLogin,
  probe: linkedinProbe,
  // li_profile_scrape stays first: it is the catalog's lead action in listings.
  actions: [liProfileScrape, liProfilePosts, liCompanyScrape, liSendConnectionRequest],
});

export { liCompanyScrape, liProfilePosts, liProfileScrape, liSendConnectionRequest };
