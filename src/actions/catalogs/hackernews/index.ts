// The Hacker News catalog: public stories, search and threads, no login needed.
import { defineCatalog } from '../../define.js';
import { ALGOLIA_ORIGIN, FIREBASE_ORIGIN, HN_ORIGIN } from './hn-client.js';
import { hnItem } from './hn-item.js';
import { hnSearch } from './hn-search.js';
import { hnStories } from './hn-stories.js';

/** Hacker News through its two public JSON APIs; TASKWIRE_ORIGIN_HACKERNEWS maps all three origins. */
export const hackernewsCatalog = defineCatalog({
  slug: 'hackernews',
  name: 'Hacker News',
  url: HN_ORIGIN,
  extraOrigins: [FIREBASE_ORIGIN, ALGOLIA_ORIGIN],
  domain: 'news.ycombinator.com',
  category: 'news',
  description:
    'Read Hacker News: the top, new and best stories, full-text search over stories and comments, and any item with its comment tree.',
  logoUrl: '/static/logos/hackernews.svg',
  authTypes: [],
  actions: [hnStories, hnSearch, hnItem],
});

export { hnItem, hnSearch, hnStories };
