// web_extract against the web stand-in, reached through its real origin: CSS-selected fields,
// JSON-LD by type, markup variants, bot checks, and selectors refused before any request.
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { webCatalog, webExtract } from '../../src/actions/catalogs/web/index.js';
import { compileCheck } from '../../src/actions/index.js';
import { BlockedError, ExecutionError } from '../../src/runtime/index.js';
import { PUBLIC_ORIGIN, startWebSite, type WebSite } from '../fixtures/sites/web/site.js';
import { actionContext } from './action-context.js';

const REAL = PUBLIC_ORIGIN;

let site: WebSite;

beforeAll(async () => {
  site = await startWebSite();
});
afterAll(() => site.close());

async function extract(params: Record<string, unknown>) {
  const { ctx, lines } = actionContext(params, [REAL], site.origin);
  const data = (await webExtract.run(ctx)) as Record<string, any>;
  expect(Value.Check(webExtract.output, data)).toBe(true);
  return { data, lines };
}

const failure = (params: Record<string, unknown>) =>
  extract(params).then(
    () => undefined,
    (err: unknown) => err,
  );

/** Selectors that find the product on the classic page and on its redesign alike. */
const PRODUCT_FIELDS = {
  title: 'h1.product-title, [data-testid="product-name"]',
  price: '.price, .price-now',
  features: { selector: '.features li, .highlights p', all: true },
  image: { selector: '.gallery img, [data-testid="hero"]', attribute: 'src' },
};

describe('web_extract', () => {
  it('is declared as an anonymous, one-credit read in the web catalog', () => {
    expect(webExtract).toMatchObject({
      id: 'web_extract',
      authMode: 'none',
      credits: 1,
      type: 'read',
      mode: 'async',
    });
    expect(webCatalog.actions).toContain(webExtract);
    expect(webExtract.targets?.({ url: `${REAL}/x`, json_ld_type: 'Product' })).toEqual([
      { path: '/url', url: `${REAL}/x` },
    ]);
  });

  it('checks params at submit: shorthand and full fields, one of fields or json_ld_type', () => {
    const params = compileCheck(webExtract.params);
    expect(
      params.check({
        url: `${REAL}/p`,
        fields: { a: 'h1', b: { selector: 'img', attribute: 'src', all: true } },
      }).ok,
    ).toBe(true);
    expect(params.check({ url: `${REAL}/p`, json_ld_type: 'Product' }).ok).toBe(true);
    expect(params.check({ url: `${REAL}/p` })).toEqual({
      ok: false,
      issues: [{ path: '', message: 'give fields, json_ld_type, or both' }],
    });
    expect(params.check({ url: `${REAL}/p`, fields: {} }).ok).toBe(false);
    expect(
      params.check({ url: `${REAL}/p`, fields: { a: { selector: 'h1', text: true } } }).ok,
    ).toBe(false);
    expect(params.check({ url: `${REAL}/p`, fields: { a: '   ' } }).ok).toBe(false);
  });

  it('refuses an invalid CSS selector at submit, naming the field', () => {
    const params = compileCheck(webExtract.params);
    const short = params.check({ url: `${REAL}/p`, fields: { title: 'h1', price: 'span[' } });
    expect(short.ok).toBe(false);
    expect(!short.ok && short.issues[0]).toEqual({
      path: '/fields/price',
      message: expect.stringMatching(/^'span\[' is not a valid CSS selector \(.+\)$/),
    });
    const full = params.check({
      url: `${REAL}/p`,
      fields: { before: { selector: 'p::before', attribute: 'class' } },
    });
    expect(!full.ok && full.issues.find((i) => i.path === '/fields/before')?.message).toContain(
      "'p::before' is not a valid CSS selector",
    );
  });

  it('extracts text, attributes and lists from a product page, with its JSON-LD Product', async () => {
    const { data, lines } = await extract({
      url: `${REAL}/products/anvil-pro`,
      fields: {
        title: 'h1.product-title',
        price: { selector: '.price' },
        sku: { selector: '.price', attribute: 'data-sku' },
        features: { selector: '.features li', all: true },
        images: { selector: '.gallery img', attribute: 'src', all: true },
        brand_url: { selector: 'a.brand', attribute: 'href' },
        og_price: { selector: 'meta[property="og:price:amount"]', attribute: 'content' },
      },
      json_ld_type: 'Product',
    });
    expect(data).toEqual({
      url: `${REAL}/products/anvil-pro`,
      final_url: `${REAL}/products/anvil-pro`,
      fields: {
        title: 'Acme Anvil Pro',
        price: '$149.00',
        sku: 'ANV-PRO-50',
        // Whitespace collapsed; the blank item is skipped rather than reported as "".
        features: ['Forged steel, 50 kg', 'Hardened face', 'Lifetime warranty'],
        // src made absolute against the page; the image without one is skipped.
        images: [`${REAL}/img/anvil-front.jpg`, `${REAL}/products/img/anvil-side.jpg`],
        brand_url: `${REAL}/brands/acme`,
        og_price: '149.00',
      },
      json_ld: [
        expect.objectContaining({
          '@type': 'Product',
          name: 'Acme Anvil Pro',
          offers: expect.objectContaining({ price: '149.00', priceCurrency: 'USD' }),
        }),
      ],
    });
    expect(lines[0]).toContain('Fetching page');
  });

  it('reports the URL after redirects as final_url', async () => {
    const { data } = await extract({ url: `${REAL}/old`, fields: { headline: 'article h1' } });
    expect(data).toEqual({
      url: `${REAL}/old`,
      final_url: `${REAL}/article`,
      fields: { headline: 'Vector clocks, explained' },
    });
  });

  it('returns null for a selector that matches nothing, [] for an empty list', async () => {
    const { data } = await extract({
      url: `${REAL}/products/anvil-pro`,
      fields: {
        discount: '.discount',
        badges: { selector: '.badge', all: true },
        no_attribute: { selector: 'h1', attribute: 'data-nope' },
        empty_item: '.features li:last-child',
        stock: '.stock',
      },
      json_ld_type: 'Recipe',
    });
    expect(data.fields).toEqual({
      discount: null,
      badges: [],
      no_attribute: null,
      empty_item: null,
      stock: 'In stock',
    });
    expect(data.json_ld).toEqual([]);
  });

  it('reads the redesigned page with the same selector lists, and finds its nested JSON-LD', async () => {
    const classic = await extract({ url: `${REAL}/products/anvil-pro`, fields: PRODUCT_FIELDS });
    const redesign = await extract({
      url: `${REAL}/products/anvil-pro-v2`,
      fields: PRODUCT_FIELDS,
      json_ld_type: 'product',
    });
    expect(classic.data.fields).toMatchObject({
      title: 'Acme Anvil Pro',
      price: '$149.00',
      image: `${REAL}/img/anvil-front.jpg`,
    });
    expect(redesign.data.fields).toEqual({
      title: 'Acme Anvil Pro',
      price: '$139.00',
      features: ['Forged steel, 50 kg', 'Hardened face'],
      // The redesign has <base href> on its CDN; relative URLs resolve against it.
      image: 'https://cdn.example.org/shop/anvil-pro/hero.webp',
    });
    // The Product sits in an @graph, inside the WebPage's mainEntity, typed as a list.
    expect(redesign.data.json_ld).toEqual([
      expect.objectContaining({ '@type': ['Product', 'IndividualProduct'], sku: 'ANV-PRO-50' }),
    ]);
  });

  it('matches JSON-LD types by local name, at any depth', async () => {
    const offers = await extract({ url: `${REAL}/products/anvil-pro-v2`, json_ld_type: 'Offer' });
    expect(offers.data).not.toHaveProperty('fields');
    expect(offers.data.json_ld.map((o: { price: string }) => o.price)).toEqual([
      '139.00',
      '149.00',
    ]);
    const crumbs = await extract({
      url: `${REAL}/products/anvil-pro-v2`,
      json_ld_type: 'https://schema.org/BreadcrumbList',
    });
    expect(crumbs.data.json_ld).toHaveLength(1);
    // On the classic page the list sits in a top-level JSON-LD array.
    const org = await extract({ url: `${REAL}/products/anvil-pro`, json_ld_type: 'Organization' });
    expect(org.data.json_ld).toEqual([expect.objectContaining({ name: 'Acme Tools' })]);
  });

  it('treats an "unusual traffic" CAPTCHA page as a block, retried later', async () => {
    const err = await failure({ url: `${REAL}/blocked/captcha`, fields: { title: 'h1' } });
    expect(err).toBeInstanceOf(BlockedError);
    expect(err).toMatchObject({ jobCode: 'UPSTREAM_BLOCKED', retry: 'retry' });
    // The runtime's client recognises the wall; its wording is the client's.
    expect((err as Error).message).toMatch(
      /^www\.example\.org answered with .+ instead of the page/,
    );
  });

  it('treats a Cloudflare challenge and a 429 as blocks, keeping Retry-After', async () => {
    const challenge = await failure({ url: `${REAL}/blocked/challenge`, fields: { t: 'title' } });
    expect(challenge).toBeInstanceOf(BlockedError);
    expect(challenge).toMatchObject({ retryAfterMs: 30_000 });
    const limited = await failure({ url: `${REAL}/rate-limited`, fields: { t: 'title' } });
    expect(limited).toBeInstanceOf(BlockedError);
    expect(limited).toMatchObject({ jobCode: 'UPSTREAM_BLOCKED', retryAfterMs: 7_000 });
  });

  it('fails on a missing page or a non-HTML answer', async () => {
    expect(await failure({ url: `${REAL}/no-such-page`, fields: { t: 'h1' } })).toEqual(
      new ExecutionError(`${REAL}/no-such-page answered 404 Not Found.`),
    );
    expect(await failure({ url: `${REAL}/api/data.json`, json_ld_type: 'Product' })).toEqual(
      new ExecutionError(
        `${REAL}/api/data.json is not an HTML page (content-type application/json).`,
      ),
    );
  });

  it('fails an invalid selector that slipped past the schema without fetching, naming the field', async () => {
    const before = site.hits.get('/products/anvil-pro') ?? 0;
    const err = await failure({
      url: `${REAL}/products/anvil-pro`,
      fields: { title: 'h1', price: { selector: 'span[' } },
    });
    expect(err).toBeInstanceOf(ExecutionError);
    expect((err as Error).message).toMatch(/^Field 'price': 'span\[' is not a valid CSS selector/);
    expect(site.hits.get('/products/anvil-pro') ?? 0).toBe(before);
  });
});
