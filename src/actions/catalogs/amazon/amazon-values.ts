// How Amazon writes values on its pages (prices, star ratings, counts, dates, ASINs) and the
// small readers that turn them into the plain numbers and strings Taskwire reports.

/** Amazon's 10-character product id: ISBN-10 for books, B0... for everything else. */
export const ASIN = /^[A-Z0-9]{10}$/;

/** The real origin every action addresses; TASKWIRE_ORIGIN_AMAZON maps it elsewhere. */
export const AMAZON_ORIGIN = 'https://www.amazon.com';

/** The canonical product URL Taskwire reports, whatever URL the product was reached by. */
export const productUrl = (asin: string): string => `${AMAZON_ORIGIN}/dp/${asin}`;

/** Whitespace collapsed as a browser renders it; empty text counts as absent. */
export const clean = (s: string | undefined | null): string | undefined =>
  s?.replace(/\s+/g, ' ').trim() || undefined;

/** Drops keys whose value is undefined, so absent fields are omitted rather than null. */
export function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Currency symbols as Amazon prints them; "$" is USD because every page read is amazon.com. */
const SYMBOLS: ReadonlyArray<[string, string]> = [
  ['US$', 'USD'],
  ['CA$', 'CAD'],
  ['C$', 'CAD'],
  ['A$', 'AUD'],
  ['MX$', 'MXN'],
  ['R$', 'BRL'],
  ['$', 'USD'],
  ['£', 'GBP'],
  ['€', 'EUR'],
  ['¥', 'JPY'],
  ['₹', 'INR'],
];

export interface Money {
  amount: number;
  currency?: string;
}

/** The ISO code for a currency symbol or code as shown next to a price. */
export function currencyOf(symbol: string | undefined): string | undefined {
  const s = clean(symbol);
  if (!s) return undefined;
  if (/^[A-Z]{3}$/.test(s)) return s;
  return SYMBOLS.find(([sym]) => s === sym)?.[1];
}

/**
 * "$1,299.99", "USD 29.99", "€1.299,99" or "$19.99 - $29.99" (a range: its low end) → amount
 * and currency. The decimal separator is the last "." or "," followed by one or two digits.
 */
export function parseMoney(text: string | undefined): Money | undefined {
  const s = clean(text);
  const m = s && /([A-Z]{3}\s?|[A-Z]{0,2}[$£€¥₹])?\s*(\d[\d.,\s]*)/.exec(s);
  if (!m?.[2]) return undefined;
  const digits = m[2].replace(/\s/g, '').replace(/[.,]$/, '');
  const dec = /[.,](\d{1,2})$/.exec(digits);
  const whole = (dec ? digits.slice(0, dec.index) : digits).replace(/[.,]/g, '');
  const amount = Number(dec ? `${whole}.${dec[1]}` : whole);
  if (!Number.isFinite(amount)) return undefined;
  const currency = currencyOf(m[1]);
  return currency ? { amount, currency } : { amount };
}

/** "4.5 out of 5 stars" → 4.5; anything outside 0–5 is no rating. */
export function parseRating(text: string | undefined): number | undefined {
  const m = /(\d(?:[.,]\d)?)\s+(?:out\s+)?of\s+5/i.exec(text ?? '');
  const value = m?.[1] ? Number(m[1].replace(',', '.')) : NaN;
  return value >= 0 && value <= 5 ? value : undefined;
}

/** "1,234 ratings", "(1,234)" or "12 global ratings" → the whole number in it. */
export function parseCount(text: string | undefined): number | undefined {
  const m = /(\d[\d,.]*)/.exec(text ?? '');
  if (!m?.[1]) return undefined;
  const n = Number.parseInt(m[1].replace(/[,.]/g, ''), 10);
  return Number.isSafeInteger(n) ? n : undefined;
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** "March 3, 2025" (or "Mar 3, 2025", "3 March 2025") → "2025-03-03". */
export function parseDate(text: string | undefined): string | undefined {
  const s = clean(text)?.toLowerCase() ?? '';
  const us = /([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})/.exec(s);
  const eu = /(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})/.exec(s);
  const [name, day, year] = us ? [us[1], us[2], us[3]] : eu ? [eu[2], eu[1], eu[3]] : [];
  const month = name && name.length >= 3 ? MONTHS.findIndex((m) => m.startsWith(name)) + 1 : 0;
  if (!month || !day || !year || Number(day) > 31) return undefined;
  return `${year}-${String(month).padStart(2, '0')}-${day.padStart(2, '0')}`;
}

/** The ASIN in an amazon.com product path: /dp/X, /gp/product/X, /<slug>/dp/X, /gp/aw/d/X. */
export function asinFromPath(href: string | undefined): string | undefined {
  let path: string;
  try {
    path = new URL(href ?? '', AMAZON_ORIGIN).pathname;
  } catch {
    return undefined;
  }
  const m = /\/(?:dp|gp\/product|gp\/aw\/d|exec\/obidos\/ASIN)\/([A-Z0-9]{10})(?=[/?#]|$)/.exec(
    path,
  );
  return m?.[1];
}

/** The ASIN of a product URL given by a user, if it is an amazon.com product URL at all. */
export function asinFromProductUrl(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  const onAmazon = url.hostname === 'amazon.com' || url.hostname.endsWith('.amazon.com');
  return onAmazon && /^https?:$/.test(url.protocol) ? asinFromPath(url.href) : undefined;
}
