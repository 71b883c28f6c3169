// amz_order_history against the Amazon stand-in: paging through "Your Orders" with a stored
// session, Amazon's default period, sparse order cards, a dead session and the robot check.
import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  amzOrderHistory,
  type AmzOrderHistoryResult,
} from '../../src/actions/catalogs/amazon/amz-order-history.js';
import { AuthExpiredError, BlockedError, jarFromStorageState } from '../../src/runtime/index.js';
import {
  type AmazonSite,
  amazonStorageState,
  startAmazonSite,
} from '../fixtures/sites/amazon/site.js';
import { actionContext } from './action-context.js';

const GOOD = 'Atza|IwEBIGood0Session0Value';
const EXPIRED = 'Atza|IwEBIExpired0Session00';
const AMAZON = 'https://www.amazon.com';

let site: AmazonSite;
beforeAll(async () => {
  site = await startAmazonSite();
  site.validSessions.add(GOOD);
});
afterAll(() => site.close());

const output = Compile(amzOrderHistory.output);

/** A job context whose jar holds `atMain`'s stored cookies, as the engine seeds it. */
async function signedIn(params: { year?: number; limit?: number }, atMain: string | null = GOOD) {
  const state = atMain ? amazonStorageState(atMain) : undefined;
  const test = actionContext(
    params,
    [AMAZON],
    site.origin,
    state ? { type: 'browser_state', state } : undefined,
  );
  const stored = await jarFromStorageState(state);
  for (const cookie of await stored.getCookies(`${AMAZON}/`)) {
    await test.ctx.http.jar.setCookie(cookie, `${AMAZON}/`);
  }
  return test;
}

const history = async (params: { year?: number; limit?: number }, atMain: string | null = GOOD) =>
  (await amzOrderHistory.run((await signedIn(params, atMain)).ctx)) as AmzOrderHistoryResult;

describe('amz_order_history', () => {
  it("reads both pages of a year's orders, newest first", async () => {
    const before = site.hits.length;
    const result = await history({ year: 2025, limit: 100 });
    expect(output.Check(result)).toBe(true);
    expect(result.orders).toHaveLength(13);
    expect(result.orders.map((o) => o.date)).toEqual(
      [...result.orders.map((o) => o.date)].sort().reverse(),
    );
    expect(result.orders[1]).toStrictEqual({
      order_id: '112-7730125-0093846',
      date: '2025-06-02',
      total: 2049,
      currency: 'USD',
      status: 'Delivered June 5',
      items: [
        {
          title: 'Brightwave LED Desk Lamp with USB Charging Port',
          asin: 'B01LEGACY9',
          quantity: 2,
          url: 'https://www.amazon.com/dp/B01LEGACY9',
        },
      ],
    });
    // The classic address forwards to /your-orders/orders; page 2 comes from a-pagination.
    expect(site.hits.slice(before)).toEqual([
      '/gp/your-account/order-history?timeFilter=year-2025',
      '/your-orders/orders?timeFilter=year-2025',
      '/your-orders/orders?timeFilter=year-2025&startIndex=10&ref_=ppx_yo2ov_dt_b_pagination_1_2',
    ]);
  });

  it('stops at the limit without fetching pages it does not need', async () => {
    const before = site.hits.length;
    const result = await history({ year: 2025, limit: 4 });
    expect(result.orders.map((o) => o.order_id)).toEqual([
      '113-4829104-5521067',
      '112-7730125-0093846',
      '111-2093847-6610432',
      'D01-5541203-9987124',
    ]);
    expect(site.hits.slice(before).filter((h) => h.includes('startIndex'))).toEqual([]);
  });

  it("defaults to Amazon's past-three-months view and 20 orders", async () => {
    const before = site.hits.length;
    const result = await history({});
    expect(site.hits[before]).toBe('/gp/your-account/order-history?timeFilter=months-3');
    expect(result.orders).toHaveLength(7);
    expect(result.orders.at(-1)?.date).toBe('2025-03-25');
  });

  it('omits the total, status, ASIN and URL that an order card does not show', async () => {
    const { orders } = await history({ year: 2025, limit: 100 });
    const byId = (id: string) => orders.find((o) => o.order_id === id);
    expect(byId('111-7788990-0011223')).toMatchObject({ status: 'Cancelled' });
    expect(byId('111-7788990-0011223')).not.toHaveProperty('total');
    expect(byId('111-7788990-0011223')).not.toHaveProperty('currency');
    expect(byId('D01-5541203-9987124')).not.toHaveProperty('status');
    expect(byId('111-2093847-6610432')?.items[1]).toStrictEqual({
      title: 'Amazon.com eGift Card',
      quantity: 1,
    });
    expect(JSON.stringify(orders)).not.toContain('null');
  });

  it('returns no orders for a year without any', async () => {
    const result = await history({ year: 2019 });
    expect(result).toStrictEqual({ orders: [] });
  });

  it('reports a session Amazon no longer accepts as expired', async () => {
    const before = site.hits.length;
    const failure = await history({ year: 2025 }, EXPIRED).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(AuthExpiredError);
    expect(failure).toMatchObject({ jobCode: 'AUTH_EXPIRED', retry: 'fail' });
    const signIn = site.hits.slice(before).find((h) => h.startsWith('/ap/signin?'));
    expect(new URLSearchParams(signIn?.split('?')[1]).get('openid.return_to')).toBe(
      'https://www.amazon.com/your-orders/orders?timeFilter=year-2025',
    );
  });

  it('reports a jar without any Amazon cookie as expired too', async () => {
    await expect(history({}, null)).rejects.toThrow(AuthExpiredError);
  });

  it('treats the robot check as a block, not as a dead login', async () => {
    site.robotCheck = true;
    try {
      const failure = await history({}).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(BlockedError);
    } finally {
      site.robotCheck = false;
    }
  });

  it('never writes the session cookie into the job log', async () => {
    const { ctx, lines } = await signedIn({ year: 2025, limit: 100 });
    await amzOrderHistory.run(ctx);
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).not.toContain('Atza|');
  });
});
