// amz_product: one amazon.com product by ASIN or product URL — price, availability, rating,
// images, bullet points, brand, variants and breadcrumb.
import { type Static, Type } from 'typebox';

import { ExecutionError } from '../../../runtime/index.js';
import { defineAction } from '../../define.js';
import { fetchPage } from './amazon-client.js';
import { ASIN, asinFromProductUrl, productUrl } from './amazon-values.js';
import { parseProduct } from './product-parse.js';

/** amazon.com product URLs: /dp/ASIN, /gp/product/ASIN, /<slug>/dp/ASIN, with any suffix. */
const PRODUCT_URL =
  '^https?://([a-z0-9-]+\\.)?amazon\\.com/([^/?#]+/)?(dp|gp/product|gp/aw/d)/[A-Z0-9]{10}([/?#].*)?$';

const output = Type.Object({
  asin: Type.String(),
  title: Type.String(),
  url: Type.String({ description: 'Canonical https://www.amazon.com/dp/ASIN.' }),
  price: Type.Optional(Type.Number({ description: 'The price to pay now, e.g. 29.99.' })),
  currency: Type.Optional(Type.String({ description: 'ISO 4217 code, e.g. USD.' })),
  list_price: Type.Optional(
    Type.Number({ description: 'The struck-through list / typical price.' }),
  ),
  availability: Type.Optional(
    Type.String({ description: 'As shown, e.g. "In Stock" or "Currently unavailable."' }),
  ),
  in_stock: Type.Boolean(),
  rating: Type.Optional(Type.Number({ minimum: 0, maximum: 5 })),
  review_count: Type.Optional(Type.Integer({ description: 'Customer ratings counted.' })),
  images: Type.Array(Type.String(), { description: 'Hi-res image URLs, main image first.' }),
  bullet_points: Type.Array(Type.String()),
  brand: Type.Optional(Type.String()),
  variants: Type.Array(
    Type.Object({
      asin: Type.String(),
      dimensions: Type.Record(Type.String(), Type.String(), {
        description: 'e.g. {"color": "Red", "size": "M"}.',
      }),
    }),
  ),
  categories: Type.Array(Type.String(), { description: 'The breadcrumb, widest first.' }),
});

/** The result of amz_product. */
export type AmzProductResult = Static<typeof output>;

/** The ASIN a job's params name, or why they do not name exactly one. */
export function requestedAsin(params: { asin?: string; url?: string }): string {
  const { asin, url } = params;
  if ((asin === undefined) === (url === undefined)) {
    throw new ExecutionError('Give exactly one of asin or url.');
  }
  const found = asin ?? asinFromProductUrl(url ?? '');
  if (!found || !ASIN.test(found)) {
    throw new ExecutionError(`'${(asin ?? url ?? '').slice(0, 200)}' names no Amazon product.`);
  }
  return found;
}

/** Reads one product page, signed in when a login is connected (prices can differ). */
export const amzProduct = defineAction({
  id: 'amz_product',
  name: 'Amazon product',
  description:
    'Fetches an amazon.com product by ASIN or URL: title, price and currency, list price, availability, rating and review count, images, bullet points, brand, variants and categories.',
  tags: ['amazon', 'shopping', 'product', 'price', 'ecommerce'],
  authMode: 'optional',
  credits: 1,
  params: Type.Object(
    {
      asin: Type.Optional(
        Type.String({
          pattern: '^[A-Z0-9]{10}$',
          description: 'The product ASIN, e.g. B0C1234567. Give either asin or url, not both.',
        }),
      ),
      url: Type.Optional(
        Type.String({
          pattern: PRODUCT_URL,
          maxLength: 2048,
          description:
            'An amazon.com product URL (/dp/ASIN, /gp/product/ASIN or /<name>/dp/ASIN). Give either asin or url, not both.',
        }),
      ),
    },
    { additionalProperties: false, minProperties: 1, maxProperties: 1 },
  ),
  output,
  // Whatever URL was given, the page fetched is the canonical one.
  targets: (params) => {
    if (params.url === undefined) return [];
    const asin = asinFromProductUrl(params.url);
    return [{ path: '/url', url: asin ? productUrl(asin) : params.url }];
  },
  async run(ctx) {
    const asin = requestedAsin(ctx.params);
    const url = productUrl(asin);
    ctx.log('Fetching Amazon product', { asin });
    const res = await fetchPage(ctx.http, url, { what: `the product page for ${asin}` });
    if (res.status === 404) throw new ExecutionError(`Amazon has no product ${asin} (404).`);
    if (res.status !== 200)
      throw new ExecutionError(`Amazon answered HTTP ${res.status} for ${url}`);
    const product = parseProduct(res.text, asin);
    ctx.log('Parsed Amazon product', {
      asin: product.asin,
      images: product.images.length,
      variants: product.variants.length,
    });
    return product;
  },
});
