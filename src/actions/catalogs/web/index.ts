// The `web` catalog: actions that work on any public website, without a login.
import { defineCatalog } from '../../define.js';
import { webScrape } from './web-scrape.js';

/** Generic web actions; `domain: '*'` because they accept any public URL. */
export const webCatalog = defineCatalog({
  slug: 'web',
  name: 'Web',
  url: 'https://www.example.com',
  domain: '*',
  category: 'web',
  description:
    'Read any public web page: metadata, headings, main text, links and structured data.',
  logoUrl: '/static/logos/web.svg',
  authTypes: [],
  actions: [webScrape],
});

export { webScrape };
export { extractPage, type ExtractedPage } from './html-extract.js';
