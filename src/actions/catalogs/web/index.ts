// The `web` catalog: actions that work on any public website, without a login.
import { defineCatalog } from '../../define.js';
import { webCrawl } from './web-crawl.js';
import { webExtract } from './web-extract.js';
import { webScrape } from './web-scrape.js';
import { webScreenshot } from './web-screenshot.js';
import { webPdf } from './web-pdf.js';

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
  actions: [webScrape, webScreenshot, webPdf, webExtract, webCrawl],
});

export { webScrape };
export { webCrawl, webExtract };
export { webPdf, webScreenshot };
export { extractPage, type ExtractedPage } from './html-extract.js';
