// amz_search against the Amazon stand-in: result cards (organic, ads, the 2024 card layout),
// pagination, a query with no matches and the robot check.
import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { amzSearch, type AmzSearchResult } from '../../src/actions/catalogs/amazon/amz-search.js';
import { BlockedError } from '../../src/runtime/index.js';
import { type AmazonSite, ASINS, QUERIES, startAmazonSite } from '../fixtures/sites/amazon/site.js';
import { actionContext } from './action-context.js';

let site: AmazonSite;
beforeAll(async () => {
  site = await startAmazonSite();
});
afterAll(() => site.close());

const output = Compile(amzSearch.output);
const params = Compile(amzSearch.params);
const search = async (p: { query: string; page?: number; limit?: number }) =>
  (await amzSearch.run(
    actionContext(p, ['https://www.amazon.com'], site.origin).ctx,
  )) as AmzSearchResult;

describe('amz_search', () => {
  it('reads the first results page: cards, total and the next page', async () => {
    const result = await search({ query: QUERIES.jackets });
    expect(output.Check(result)).toBe(true);
    expect(site.hits.at(-1)).toBe('/s?k=down+jacket');
    expect(result).toMatchObject({
      query: 'down jacket',
      page: 1,
      total_results: 1000,
      next_page: 2,
    });
    expect(result.results.map((r) => r.asin)).toEqual([
      'B0AD000001',
      ASINS.jacket,
      'B0C9PUFF22',
      'B0NOPRICE3',
      'B0LABEL004',
    ]);
    expect(result.results[1]).toStrictEqual({
      asin: ASINS.jacket,
      title:
        "Lumora Women's Ultralight Packable Down Jacket, Water-Resistant Puffer Coat with Stuff Sack",
      url: `https://www.amazon.com/dp/${ASINS.jacket}`,
      // The struck-through "List:" price is not the price.
      price: 89.99,
      currency: 'USD',
      rating: 4.5,
      review_count: 12847,
      image: 'https://m.media-amazon.com/images/I/KXJ5RM._AC_UL320_.jpg',
      sponsored: false,
      prime: true,
    });
  });

  it('marks ads as sponsored, whether an AdHolder card or only labelled', async () => {
    const { results } = await search({ query: QUERIES.jackets });
    const sponsored = results.filter((r) => r.sponsored).map((r) => r.asin);
    expect(sponsored).toEqual(['B0AD000001', 'B0LABEL004']);
    // An ad's link goes through /sspa/click; the reported URL is still the product's own.
    expect(results[0]?.url).toBe('https://www.amazon.com/dp/B0AD000001');
  });

  it('reads the 2024 card whose link wraps the heading', async () => {
    const { results } = await search({ query: QUERIES.jackets });
    expect(results.find((r) => r.asin === 'B0C9PUFF22')).toMatchObject({
      title: "Coldline Women's Long Puffer Coat",
      price: 1149,
      rating: 3.9,
      review_count: 87,
      prime: false,
    });
  });

  it('omits price, rating and review count on a card that shows none', async () => {
    const { results } = await search({ query: QUERIES.jackets });
    const bare = results.find((r) => r.asin === 'B0NOPRICE3');
    for (const field of ['price', 'currency', 'rating', 'review_count'])
      expect(bare).not.toHaveProperty(field);
    expect(JSON.stringify(results)).not.toContain('null');
  });

  it('reads the last page, which has no next page', async () => {
    const result = await search({ query: QUERIES.jackets, page: 2 });
    expect(output.Check(result)).toBe(true);
    expect(site.hits.at(-1)).toBe('/s?k=down+jacket&page=2');
    expect(result.results.map((r) => r.asin)).toEqual(['B0PAGE2001', 'B0PAGE2002', 'B0PAGE2003']);
    expect(result).not.toHaveProperty('next_page');
  });

  it("returns at most `limit` of the page's results", async () => {
    const result = await search({ query: QUERIES.jackets, limit: 2 });
    expect(result.results).toHaveLength(2);
    expect(result.next_page).toBe(2);
  });

  it('returns no results and no total when nothing matches', async () => {
    const result = await search({ query: QUERIES.none });
    expect(output.Check(result)).toBe(true);
    expect(result).toStrictEqual({ query: QUERIES.none, page: 1, results: [] });
  });

  it('treats the robot check as a block, for a query and for a flagged address', async () => {
    await expect(search({ query: QUERIES.captcha })).rejects.toThrow(BlockedError);
    site.robotCheck = true;
    try {
      await expect(search({ query: QUERIES.jackets })).rejects.toMatchObject({
        jobCode: 'UPSTREAM_BLOCKED',
        retry: 'retry',
      });
    } finally {
      site.robotCheck = false;
    }
  });

  it('refuses pages past 20, limits past 60 and blank queries in the schema', () => {
    expect(params.Check({ query: 'x', page: 20, limit: 60 })).toBe(true);
    expect(params.Check({ query: 'x', page: 21 })).toBe(false);
    expect(params.Check({ query: 'x', limit: 61 })).toBe(false);
    expect(params.Check({ query: '   ' })).toBe(false);
  });
});
