// amz_order_history: the signed-in customer's orders (date, total, status, items), read page
// by page from "Your Orders" with the stored Amazon session.
import { type Static, Type } from 'typebox';

import { ExecutionError } from '../../../runtime/index.js';
import { defineAction } from '../../define.js';
import { fetchPage } from './amazon-client.js';
import { AMAZON_ORIGIN } from './amazon-values.js';
import { type Order, parseOrders } from './orders-parse.js';

/** Amazon shows 10 orders a page; 100 orders at most means 10 pages, plus slack. */
const MAX_PAGES = 12;
/** Amazon's own default view: orders placed in the past three months. */
const DEFAULT_FILTER = 'months-3';

const item = Type.Object({
  title: Type.String(),
  asin: Type.Optional(Type.String({ description: 'Omitted for items with no product page.' })),
  quantity: Type.Integer({ minimum: 1 }),
  url: Type.Optional(Type.String()),
});

const output = Type.Object({
  orders: Type.Array(
    Type.Object({
      order_id: Type.String({ description: 'e.g. 112-1234567-1234567.' }),
      date: Type.String({ description: 'Date placed, YYYY-MM-DD.' }),
      total: Type.Optional(Type.Number()),
      currency: Type.Optional(Type.String({ description: 'ISO 4217 code, e.g. USD.' })),
      status: Type.Optional(Type.String({ description: 'As shown, e.g. "Delivered March 5".' })),
      items: Type.Array(item),
    }),
  ),
});

/** The result of amz_order_history. */
export type AmzOrderHistoryResult = Static<typeof output>;

/** The first page of the order history for a year, or for Amazon's default period. */
export function orderHistoryUrl(year: number | undefined): string {
  const filter = year === undefined ? DEFAULT_FILTER : `year-${year}`;
  return `${AMAZON_ORIGIN}/gp/your-account/order-history?timeFilter=${filter}`;
}

/** Lists the connected customer's orders, newest first. */
export const amzOrderHistory = defineAction({
  id: 'amz_order_history',
  name: 'Amazon order history',
  description:
    'Lists the orders of your Amazon account, newest first: order number, date, total, delivery status and the items in each. Needs your Amazon login.',
  tags: ['amazon', 'shopping', 'orders', 'purchases', 'account'],
  authMode: 'required',
  credits: 2,
  params: Type.Object(
    {
      year: Type.Optional(
        Type.Integer({
          minimum: 1995,
          maximum: 2100,
          description: 'Orders placed in this year, e.g. 2025. Default: the past three months.',
        }),
      ),
      limit: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: 100,
          default: 20,
          description: 'How many orders to return at most (1-100).',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  output,
  async run(ctx) {
    const limit = ctx.params.limit ?? 20;
    const orders: Order[] = [];
    let url: string | undefined = orderHistoryUrl(ctx.params.year);
    const visited = new Set<string>();

    for (let page = 1; url && orders.length < limit && page <= MAX_PAGES; page++) {
      visited.add(url);
      const res = await fetchPage(ctx.http, url, {
        what: 'your order history',
        signedIn: true,
      });
      if (res.status !== 200) {
        throw new ExecutionError(`Amazon answered HTTP ${res.status} for your order history.`);
      }
      const found = parseOrders(res.text, res.url);
      orders.push(...found.orders);
      ctx.log('Read an Amazon order history page', {
        page,
        orders: found.orders.length,
        skipped: found.skipped,
      });
      // Only amazon.com itself gets the session; a page pointing back to itself ends the walk.
      const next =
        found.next && new URL(found.next).origin === AMAZON_ORIGIN ? found.next : undefined;
      url = next && !visited.has(next) ? next : undefined;
    }
    return { orders: orders.slice(0, limit) };
  },
});
