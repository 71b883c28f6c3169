// The LinkedIn catalog: actions that run with a member's stored LinkedIn browser session.
import { defineCatalog } from '../../define.js';
import { linkedinLogin, linkedinLoginFields } from './li-login.js';
import { liProfileScrape } from './li-profile-scrape.js';

/** LinkedIn, reached with a `browser_state` credential holding the member's li_at session. */
export const linkedinCatalog = defineCatalog({
  slug: 'linkedin',
  name: 'LinkedIn',
  url: 'https://www.linkedin.com',
  domain: 'linkedin.com',
  category: 'social',
  description:
    'Read LinkedIn profiles as your own signed-in account sees them. Connect by signing in or by exporting your browser session.',
  logoUrl: '/static/logos/linkedin.svg',
  authTypes: ['browser_state'],
  loginUrl: 'https://www.linkedin.com/login',
  loginFields: linkedinLoginFields,
  login: linkedinLogin,
  actions: [liProfileScrape],
});
