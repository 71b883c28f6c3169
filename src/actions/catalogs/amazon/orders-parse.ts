// Reads one page of "Your Orders" (/gp/your-account/order-history, /your-orders/orders) into
// orders with their items, in both the current order-card layout and the older order-info one.
import { type CheerioAPI, load } from 'cheerio';

import { ExecutionError } from '../../../runtime/index.js';
import {
  AMAZON_ORIGIN,
  asinFromPath,
  clean,
  defined,
  parseDate,
  parseMoney,
  productUrl,
} from './amazon-values.js';

export interface OrderItem {
  title: string;
  asin?: string;
  /** Amazon badges the quantity only when it is above one. */
  quantity: number;
  url?: string;
}

/** One order; optional fields are omitted when the card does not show them. */
export interface Order {
  order_id: string;
  /** ISO date the order was placed, YYYY-MM-DD. */
  date: string;
  total?: number;
  currency?: string;
  status?: string;
  items: OrderItem[];
}

export interface OrdersPage {
  orders: Order[];
  /** Cards that named no order id or date, left out. */
  skipped: number;
  /** The real URL of the next page, when there is one. */
  next?: string;
}

type Node = ReturnType<CheerioAPI>;

/** 112-1234567-1234567 for goods, D01-1234567-1234567 for digital orders. */
const ORDER_ID = /\b([A-Z0-9]{3}-\d{7}-\d{7})\b/;
/** Markers of the order history page itself, so an empty history is told from another page. */
const HISTORY_PAGE =
  '#ordersContainer, .your-orders-content-container, #yourOrders, select[name="timeFilter"], #time-filter';

/** The header's label → value pairs: "Order placed" → "March 3, 2025", "Total" → "$45.98". */
function headerFields($: CheerioAPI, card: Node): Map<string, string> {
  const fields = new Map<string, string>();
  for (const el of card.find('.order-header__header-list-item, .order-info .a-column').toArray()) {
    const cell = $(el);
    const label = clean(cell.find('.a-text-caps, .label').first().text())?.toLowerCase();
    const value = clean(cell.find('.a-size-base, .value').first().text());
    if (label && value) fields.set(label, value);
  }
  return fields;
}

function item($: CheerioAPI, box: Node): OrderItem | undefined {
  const named = box.find('.yohtmlc-product-title').first();
  const link = named.length
    ? named.is('a')
      ? named
      : named.find('a').first()
    : box.find('.yohtmlc-item a.a-link-normal').first();
  const title = clean(link.text()) ?? clean(named.text());
  if (!title) return undefined;
  const asin = asinFromPath(link.attr('href'));
  const qty = Number.parseInt(
    clean(box.find('.product-image__qty, .item-view-qty').text()) ?? '',
    10,
  );
  return defined({
    title,
    asin,
    quantity: Number.isInteger(qty) && qty > 0 ? qty : 1,
    url: asin ? productUrl(asin) : undefined,
  });
}

function items($: CheerioAPI, card: Node): OrderItem[] {
  // Current layout: one .item-box per item. Older: the grid row holding each .yohtmlc-item.
  const boxes = card.find('.item-box').length
    ? card.find('.item-box').toArray()
    : card
        .find('.yohtmlc-item')
        .toArray()
        .map((el) => $(el).closest('.a-fixed-left-grid').get(0) ?? el);
  return boxes.flatMap((el) => item($, $(el)) ?? []);
}

function order($: CheerioAPI, card: Node): Order | undefined {
  const id = ORDER_ID.exec(clean(card.find('.yohtmlc-order-id').text()) ?? '')?.[1];
  const fields = headerFields($, card);
  const date = parseDate(fields.get('order placed'));
  if (!id || !date) return undefined;
  const total = parseMoney(fields.get('total'));
  const status = clean(
    card
      .find(
        '.yohtmlc-shipment-status-primaryText, .delivery-box__primary-text, .js-shipment-info-container .a-text-bold',
      )
      .first()
      .text(),
  );
  return defined({
    order_id: id,
    date,
    total: total?.amount,
    currency: total?.currency,
    status,
    items: items($, card),
  });
}

/**
 * Parses one page of the order history fetched from `pageUrl` (a real amazon.com URL).
 * Throws ExecutionError when the page is not the order history at all.
 */
export function parseOrders(html: string, pageUrl: string): OrdersPage {
  const $ = load(html);
  let cards = $('.js-order-card');
  if (!cards.length) cards = $('.order-card');
  if (!cards.length && !$(HISTORY_PAGE).length) {
    throw new ExecutionError('The Amazon page was not the order history (no orders list).');
  }
  const orders: Order[] = [];
  let skipped = 0;
  for (const el of cards.toArray()) {
    const found = order($, $(el));
    if (found) orders.push(found);
    else skipped += 1;
  }
  const href = $('.a-pagination li.a-last:not(.a-disabled) a').first().attr('href');
  let next: string | undefined;
  try {
    next = href ? new URL(href, new URL(pageUrl, AMAZON_ORIGIN)).href : undefined;
  } catch {
    next = undefined;
  }
  return defined({ orders, skipped, next });
}
