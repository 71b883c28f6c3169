// amz_product against the Amazon stand-in: the retail, book and legacy page layouts, an
// unavailable item, the 404 dog page, the robot check and the 503 throttle page.
import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { amzProduct, requestedAsin } from '../../src/actions/catalogs/amazon/amz-product.js';
import type { AmzProductResult } from '../../src/actions/catalogs/amazon/amz-product.js';
import { BlockedError, ExecutionError } from '../../src/runtime/index.js';
import { type AmazonSite, ASINS, startAmazonSite } from '../fixtures/sites/amazon/site.js';
import { actionContext } from './action-context.js';

const AMAZON = ['https://www.amazon.com'];
const image = (id: string): string => `https://m.media-amazon.com/images/I/${id}.jpg`;

let site: AmazonSite;
beforeAll(async () => {
  site = await startAmazonSite();
});
afterAll(() => site.close());

const output = Compile(amzProduct.output);
const params = Compile(amzProduct.params);
const product = async (p: { asin?: string; url?: string }) =>
  (await amzProduct.run(actionContext(p, AMAZON, site.origin).ctx)) as AmzProductResult;

describe('amz_product', () => {
  it('reads every field of a full retail product page', async () => {
    const result = await product({ asin: ASINS.jacket });
    expect(output.Check(result)).toBe(true);
    expect(result).toStrictEqual({
      asin: ASINS.jacket,
      title:
        "Lumora Women's Ultralight Packable Down Jacket, Water-Resistant Puffer Coat with Stuff Sack",
      url: `https://www.amazon.com/dp/${ASINS.jacket}`,
      price: 89.99,
      currency: 'USD',
      list_price: 129.99,
      availability: 'In Stock',
      in_stock: true,
      rating: 4.5,
      review_count: 12847,
      // hiRes where Amazon has a zoom image, else the large rendition.
      images: [
        image('71rXk2bQ1dL._AC_SL1500_'),
        image('81aTf0yLxNL._AC_SL1500_'),
        image('61Zp9VwQ7cL._AC_'),
        image('71mGq3ZkQxL._AC_SL1500_'),
      ],
      bullet_points: [
        '650-fill-power responsibly sourced down keeps you warm down to 20°F',
        'Water-resistant ripstop shell sheds light rain & snow',
        'Packs into its own stuff sack {for travel} — weighs just 9.8 oz',
        'Two zippered hand pockets and one interior pocket',
        'Machine washable; tumble dry low with tennis balls',
      ],
      brand: 'Lumora',
      variants: [
        { asin: 'B0C7KXJ5RM', dimensions: { color: 'Black', size: 'S' } },
        { asin: 'B0C7KXJ6TN', dimensions: { color: 'Black', size: 'M' } },
        { asin: 'B0C7KXK1PQ', dimensions: { color: 'Black', size: 'L' } },
        { asin: 'B0C7KXQ1L3', dimensions: { color: 'Sage', size: 'S' } },
        { asin: 'B0C7KXQ2M4', dimensions: { color: 'Sage', size: 'M' } },
        { asin: 'B0C7KXQ3N5', dimensions: { color: 'Sage', size: 'L' } },
      ],
      categories: ['Clothing, Shoes & Jewelry', 'Women', 'Clothing', 'Coats, Jackets & Vests'],
    });
  });

  it('accepts any amazon.com product URL form and always fetches the canonical page', async () => {
    const urls = [
      `https://www.amazon.com/Lumora-Ultralight-Packable/dp/${ASINS.jacket}/ref=sr_1_2?keywords=down+jacket`,
      `https://amazon.com/gp/product/${ASINS.jacket}?th=1&psc=1`,
      `https://smile.amazon.com/dp/${ASINS.jacket}`,
    ];
    for (const url of urls) {
      expect(params.Check({ url })).toBe(true);
      const before = site.hits.length;
      await expect(product({ url })).resolves.toMatchObject({
        asin: ASINS.jacket,
        url: `https://www.amazon.com/dp/${ASINS.jacket}`,
      });
      expect(site.hits.slice(before)).toEqual([`/dp/${ASINS.jacket}`]);
    }
  });

  it("reports a child variation's own ASIN from its page", async () => {
    const result = await product({ asin: ASINS.jacketSageM });
    expect(result.asin).toBe(ASINS.jacketSageM);
    expect(result.variants).toHaveLength(6);
  });

  it('reads the book layout: #price, author byline (no brand), front cover, no variants', async () => {
    const result = await product({ asin: ASINS.book });
    expect(output.Check(result)).toBe(true);
    expect(result).toStrictEqual({
      asin: ASINS.book,
      title: 'The Quiet Compiler: Notes on Building Reliable Software',
      url: `https://www.amazon.com/dp/${ASINS.book}`,
      price: 33.49,
      currency: 'USD',
      list_price: 44.99,
      availability: 'In Stock',
      in_stock: true,
      rating: 4.7,
      review_count: 2311,
      // The largest rendition in #imgBlkFront's data-a-dynamic-image.
      images: [image('81qT7mVbJPL._SY522_')],
      bullet_points: [],
      variants: [],
      categories: ['Books', 'Computers & Technology', 'Programming'],
    });
  });

  it('reads the legacy layout: split price parts, untitled stars, asinVariationValues', async () => {
    const result = await product({ asin: ASINS.legacy });
    expect(output.Check(result)).toBe(true);
    expect(result).toMatchObject({
      price: 1024.5,
      currency: 'USD',
      availability: 'Only 3 left in stock - order soon.',
      in_stock: true,
      rating: 4.1,
      review_count: 1024,
      brand: 'Brightwave',
      variants: [
        { asin: 'B01LEGACY9', dimensions: { style: 'Black' } },
        { asin: 'B01LEGACY8', dimensions: { style: 'White' } },
      ],
    });
    expect(result).not.toHaveProperty('list_price');
  });

  it('omits what an unavailable product lacks and reports it out of stock', async () => {
    const result = await product({ asin: ASINS.unavailable });
    expect(output.Check(result)).toBe(true);
    expect(result).toMatchObject({
      availability: 'Currently unavailable.',
      in_stock: false,
      brand: 'Hearthline',
      images: [image('61hPzT0v3XL._AC_SX679_')],
      categories: [],
      variants: [],
    });
    for (const field of ['price', 'currency', 'list_price', 'rating', 'review_count'])
      expect(result).not.toHaveProperty(field);
    expect(JSON.stringify(result)).not.toContain('null');
  });

  it('fails without retrying on the 404 dog page', async () => {
    const failure = await product({ asin: ASINS.missing }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ExecutionError);
    expect(failure).toMatchObject({
      retry: 'fail',
      message: `Amazon has no product ${ASINS.missing} (404).`,
    });
  });

  it('treats the robot check (CAPTCHA) as a block worth retrying later', async () => {
    const failure = await product({ asin: ASINS.captcha }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(BlockedError);
    expect(failure).toMatchObject({ retry: 'retry', jobCode: 'UPSTREAM_BLOCKED' });
  });

  it('treats the 503 "automated access" page as a block', async () => {
    const failure = await product({ asin: ASINS.throttle }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(BlockedError);
    expect((failure as Error).message).toContain('Amazon answered 503');
  });

  it('wants exactly one of asin and url, in the schema and in run', async () => {
    expect(params.Check({})).toBe(false);
    expect(
      params.Check({ asin: ASINS.jacket, url: `https://www.amazon.com/dp/${ASINS.jacket}` }),
    ).toBe(false);
    expect(params.Check({ asin: 'b0c7kxj5rm' })).toBe(false);
    expect(params.Check({ url: `https://example.com/dp/${ASINS.jacket}` })).toBe(false);
    expect(params.Check({ url: 'https://www.amazon.com/s?k=down+jacket' })).toBe(false);
    expect(() => requestedAsin({})).toThrow('Give exactly one of asin or url.');
    await expect(
      product({ asin: ASINS.jacket, url: `https://www.amazon.com/dp/${ASINS.jacket}` }),
    ).rejects.toThrow(ExecutionError);
    await expect(product({ url: 'https://www.amazon.com/s?k=x' })).rejects.toThrow(
      "'https://www.amazon.com/s?k=x' names no Amazon product.",
    );
  });

  it('declares the canonical page as its target only when a URL is given', () => {
    expect(amzProduct.targets?.({ asin: ASINS.jacket })).toEqual([]);
    expect(amzProduct.targets?.({ url: `https://amazon.com/x/dp/${ASINS.book}/ref=y` })).toEqual([
      { path: '/url', url: `https://www.amazon.com/dp/${ASINS.book}` },
    ]);
  });
});
