// The Amazon catalog's readers on their own: money, ratings, dates, product URLs, embedded
// script JSON, block-page detection, and page shapes the stand-in does not serve.
import { describe, expect, it } from 'vitest';

import { isRobotCheck } from '../../src/actions/catalogs/amazon/amazon-client.js';
import {
  asinFromProductUrl,
  parseCount,
  parseDate,
  parseMoney,
  parseRating,
} from '../../src/actions/catalogs/amazon/amazon-values.js';
import { jsonAfterKey } from '../../src/actions/catalogs/amazon/embedded-json.js';
import { parseOrders } from '../../src/actions/catalogs/amazon/orders-parse.js';
import { parseProduct } from '../../src/actions/catalogs/amazon/product-parse.js';
import { ExecutionError } from '../../src/runtime/index.js';
import {
  renderCaptcha,
  renderNotFound,
  renderServiceUnavailable,
} from '../fixtures/sites/amazon/pages.render.js';

describe('Amazon value readers', () => {
  it('reads prices in the forms Amazon prints them', () => {
    expect(parseMoney('$1,299.99')).toEqual({ amount: 1299.99, currency: 'USD' });
    expect(parseMoney('  $29.99 ')).toEqual({ amount: 29.99, currency: 'USD' });
    expect(parseMoney('USD 29.99')).toEqual({ amount: 29.99, currency: 'USD' });
    expect(parseMoney('€1.299,99')).toEqual({ amount: 1299.99, currency: 'EUR' });
    expect(parseMoney('£8.50')).toEqual({ amount: 8.5, currency: 'GBP' });
    expect(parseMoney('CA$12.00')).toEqual({ amount: 12, currency: 'CAD' });
    expect(parseMoney('$19.99 - $29.99')).toEqual({ amount: 19.99, currency: 'USD' });
    expect(parseMoney('$1,024')).toEqual({ amount: 1024, currency: 'USD' });
    expect(parseMoney('12.50')).toEqual({ amount: 12.5 });
    expect(parseMoney('')).toBeUndefined();
    expect(parseMoney('See price in cart')).toBeUndefined();
  });

  it('reads star ratings and counts', () => {
    expect(parseRating('4.5 out of 5 stars')).toBe(4.5);
    expect(parseRating('5.0 out of 5 stars')).toBe(5);
    expect(parseRating('7 out of 5 stars')).toBeUndefined();
    expect(parseCount('12,847 ratings')).toBe(12847);
    expect(parseCount('(1,024)')).toBe(1024);
    expect(parseCount('1 rating')).toBe(1);
    expect(parseCount('no ratings')).toBeUndefined();
  });

  it('reads order dates as ISO dates', () => {
    expect(parseDate('March 3, 2025')).toBe('2025-03-03');
    expect(parseDate('Dec 24, 2024')).toBe('2024-12-24');
    expect(parseDate('3 March 2025')).toBe('2025-03-03');
    expect(parseDate('Yesterday')).toBeUndefined();
  });

  it('finds the ASIN in every amazon.com product URL form, and only there', () => {
    const asin = 'B0C7KXJ5RM';
    expect(asinFromProductUrl(`https://www.amazon.com/dp/${asin}`)).toBe(asin);
    expect(asinFromProductUrl(`https://www.amazon.com/Some-Name/dp/${asin}/ref=x?th=1`)).toBe(asin);
    expect(asinFromProductUrl(`https://amazon.com/gp/product/${asin}`)).toBe(asin);
    expect(asinFromProductUrl(`https://www.amazon.com/gp/aw/d/${asin}`)).toBe(asin);
    expect(asinFromProductUrl(`https://www.amazon.com.evil.test/dp/${asin}`)).toBeUndefined();
    expect(asinFromProductUrl(`https://notamazon.com/dp/${asin}`)).toBeUndefined();
    expect(asinFromProductUrl(`https://www.amazon.com/dp/${asin}X`)).toBeUndefined();
    expect(asinFromProductUrl('not a url')).toBeUndefined();
  });
});

describe('jsonAfterKey', () => {
  it("reads JSON inside JavaScript, past braces in strings and keys that don't match", () => {
    const script = `var data = { 'colorToAsin': {'initial': {}},
      "contextMetaData" : {"dimensions": {"count": 2}},
      "dimensions" : ["color_name", "size_name"],
      "labels" : {"B0X": ["Red {bright}", "it's \\"M\\""]} };`;
    expect(jsonAfterKey(script, 'dimensions', Array.isArray)).toEqual(['color_name', 'size_name']);
    expect(jsonAfterKey(script, 'labels')).toEqual({ B0X: ['Red {bright}', 'it\'s "M"'] });
    expect(jsonAfterKey(script, 'initial')).toEqual({});
    expect(jsonAfterKey(script, 'missing')).toBeUndefined();
    expect(jsonAfterKey('"broken" : {"a": [1, 2}', 'broken')).toBeUndefined();
  });
});

describe('block pages', () => {
  it('recognises the robot check and the 503 page, but not the 404 dog page', () => {
    expect(isRobotCheck(renderCaptcha('/dp/B0CAPTCHA1'))).toBe(true);
    expect(isRobotCheck(renderServiceUnavailable())).toBe(true);
    expect(isRobotCheck(renderNotFound())).toBe(false);
  });
});

describe('page shapes the stand-in does not serve', () => {
  it('takes the price and its currency from JSON-LD when the markup has none', () => {
    const html = `<html><head><script type="application/ld+json">{"@type":"Product","offers":{"@type":"Offer","price":"19.99","priceCurrency":"EUR"}}</script></head>
      <body><span id="productTitle"> Thing </span><input type="hidden" id="ASIN" value="B0000THING"></body></html>`;
    expect(parseProduct(html, 'B0000THING')).toStrictEqual({
      asin: 'B0000THING',
      title: 'Thing',
      url: 'https://www.amazon.com/dp/B0000THING',
      price: 19.99,
      currency: 'EUR',
      in_stock: false,
      images: [],
      bullet_points: [],
      variants: [],
      categories: [],
    });
  });

  it('refuses a page that is not a product page', () => {
    expect(() => parseProduct(renderNotFound(), 'B0NOTHERE0')).toThrow(ExecutionError);
  });

  it('reads the older order-info layout of Your Orders', () => {
    const html = `<div id="ordersContainer"><div class="a-box-group a-spacing-base order js-order-card">
      <div class="a-box a-color-offset-background order-info"><div class="a-box-inner">
        <div class="a-column a-span3"><div class="a-row a-size-mini"><span class="a-color-secondary label">Order placed</span></div>
          <div class="a-row a-size-base"><span class="a-color-secondary value">November 28, 2023</span></div></div>
        <div class="a-column a-span2"><div class="a-row a-size-mini"><span class="a-color-secondary label">Total</span></div>
          <div class="a-row a-size-base"><span class="a-color-secondary value">$31.47</span></div></div>
        <div class="a-row a-size-mini yohtmlc-order-id"><span class="a-color-secondary label">Order #</span><bdi dir="ltr">112-9876543-2109876</bdi></div>
      </div></div>
      <div class="a-box shipment"><div class="a-box-inner"><div class="js-shipment-info-container"><span class="a-size-medium a-color-base a-text-bold">Delivered Dec 1, 2023</span></div>
        <div class="a-fixed-left-grid a-spacing-none"><div class="a-fixed-left-grid-inner">
          <div class="a-fixed-left-grid-col a-col-left"><div class="item-view-left-col-inner"><a class="a-link-normal" href="/gp/product/B00TESTAB1/ref=ppx_yo_dt_b_asin_image_o00_s00?ie=UTF8&psc=1"><img alt=""></a><span class="item-view-qty">3</span></div></div>
          <div class="a-fixed-left-grid-col yohtmlc-item a-col-right"><div class="a-row"><a class="a-link-normal" href="/gp/product/B00TESTAB1/ref=ppx_yo_dt_b_asin_title_o00_s00?ie=UTF8&psc=1"> AA Batteries, 48 Count </a></div></div>
        </div></div></div></div>
      </div>
      <ul class="a-pagination"><li class="a-last"><a href="/gp/your-account/order-history/ref=ppx_yo_dt_b_pagination_1_2?ie=UTF8&orderFilter=year-2023&search=&startIndex=10">Next→</a></li></ul></div>`;
    expect(parseOrders(html, 'https://www.amazon.com/gp/your-account/order-history')).toStrictEqual(
      {
        orders: [
          {
            order_id: '112-9876543-2109876',
            date: '2023-11-28',
            total: 31.47,
            currency: 'USD',
            status: 'Delivered Dec 1, 2023',
            items: [
              {
                title: 'AA Batteries, 48 Count',
                asin: 'B00TESTAB1',
                quantity: 3,
                url: 'https://www.amazon.com/dp/B00TESTAB1',
              },
            ],
          },
        ],
        skipped: 0,
        next: 'https://www.amazon.com/gp/your-account/order-history/ref=ppx_yo_dt_b_pagination_1_2?ie=UTF8&orderFilter=year-2023&search=&startIndex=10',
      },
    );
  });

  it('refuses a page that is not the order history', () => {
    expect(() =>
      parseOrders(renderNotFound(), 'https://www.amazon.com/your-orders/orders'),
    ).toThrow('The Amazon page was not the order history (no orders list).');
  });
});
