// amz_search: one page of amazon.com search results for a query, ads marked as sponsored.
import { type Static, Type } from 'typebox';

import { ExecutionError } from '../../../runtime/index.js';
import { defineAction } from '../../define.js';
import { fetchPage } from './amazon-client.js';
import { AMAZON_ORIGIN } from './amazon-values.js';
import { parseSearch } from './search-parse.js';

const result = Type.Object({
  asin: Type.String(),
  title: Type.String(),
  url: Type.String({ description: 'Canonical https://www.amazon.com/dp/ASIN.' }),
  price: Type.Optional(Type.Number()),
  currency: Type.Optional(Type.String({ description: 'ISO 4217 code, e.g. USD.' })),
  rating: Type.Optional(Type.Number({ minimum: 0, maximum: 5 })),
  review_count: Type.Optional(Type.Integer()),
  image: Type.Optional(Type.String()),
  sponsored: Type.Boolean({ description: 'True for ads ("Sponsored").' }),
  prime: Type.Boolean(),
});

const output = Type.Object({
  query: Type.String(),
  page: Type.Integer(),
  total_results: Type.Optional(
    Type.Integer({ description: 'Amazon\'s count; "over 3,000" is reported as 3000.' }),
  ),
  results: Type.Array(result),
  next_page: Type.Optional(Type.Integer({ description: 'Omitted on the last page.' })),
});

/** The result of amz_search. */
export type AmzSearchResult = Static<typeof output>;

/** The search URL Amazon's own search box submits to. */
export function searchUrl(query: string, page: number): string {
  const params = new URLSearchParams({ k: query });
  if (page > 1) params.set('page', String(page));
  return `${AMAZON_ORIGIN}/s?${params.toString()}`;
}

/** Searches amazon.com and returns one results page. */
export const amzSearch = defineAction({
  id: 'amz_search',
  name: 'Amazon search',
  description:
    'Searches amazon.com and returns one page of results: ASIN, title, price, rating, review count, image, and whether each is sponsored or Prime, with the next page number.',
  tags: ['amazon', 'shopping', 'search', 'products', 'ecommerce'],
  authMode: 'none',
  credits: 1,
  params: Type.Object(
    {
      query: Type.String({
        minLength: 1,
        maxLength: 500,
        pattern: '\\S',
        description: 'What to search for, as typed into the Amazon search box.',
      }),
      page: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: 20,
          default: 1,
          description: 'Results page (1-20; Amazon shows at most 20 pages).',
        }),
      ),
      limit: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: 60,
          description: "Return at most this many of the page's results (default: all of them).",
        }),
      ),
    },
    { additionalProperties: false },
  ),
  output,
  async run(ctx) {
    const query = ctx.params.query.trim();
    if (!query) throw new ExecutionError('The search query is empty.');
    const page = ctx.params.page ?? 1;
    const url = searchUrl(query, page);
    ctx.log('Searching Amazon', { query, page });
    const res = await fetchPage(ctx.http, url, { what: `the search results for '${query}'` });
    if (res.status !== 200)
      throw new ExecutionError(`Amazon answered HTTP ${res.status} for ${url}`);
    const found = parseSearch(res.text, page);
    const results = found.results.slice(0, ctx.params.limit ?? found.results.length);
    ctx.log('Parsed Amazon search results', {
      on_page: found.results.length,
      returned: results.length,
    });
    return { query, page, ...found, results };
  },
});
