// Reads an amazon.com product detail page (/dp/ASIN) into Taskwire's product shape: the
// general-merchandise layout (corePrice, feature bullets, twister) and the book layout
// (#price / .offer-price, #imgBlkFront, author byline, no variations).
import { type CheerioAPI, load } from 'cheerio';

import { ExecutionError } from '../../../runtime/index.js';
import {
  ASIN,
  asinFromPath,
  clean,
  currencyOf,
  defined,
  type Money,
  parseCount,
  parseMoney,
  parseRating,
  productUrl,
} from './amazon-values.js';
import { isRecord, str } from './embedded-json.js';
import { parseImages, parseVariants, type Variant } from './product-media.js';

/** One product; every optional field is omitted (never null) when the page has no value. */
export interface Product {
  asin: string;
  title: string;
  url: string;
  price?: number;
  currency?: string;
  list_price?: number;
  availability?: string;
  in_stock: boolean;
  rating?: number;
  review_count?: number;
  images: string[];
  bullet_points: string[];
  brand?: string;
  variants: Variant[];
  categories: string[];
}

type Node = ReturnType<CheerioAPI>;

/** Where the price to pay sits: the current core price blocks and the older apex ones. */
const CORE_PRICE =
  '#corePriceDisplay_desktop_feature_div, #corePrice_feature_div, #corePrice_desktop, #apex_desktop';
/** The book (and media) layout's prices: format swatch header, buy box, Kindle. */
const BOOK_PRICE = '#price, .offer-price, #newBuyBoxPrice, #price_inside_buybox, #kindle-price';
/** Statuses that mean it cannot be bought now; any other availability text means it can. */
const UNAVAILABLE = /currently unavailable|out of stock|no longer available|not available/i;

/** An `.a-price`'s amount: its screen-reader text, or the visible parts when that is empty. */
function priceText(price: Node): string | undefined {
  const part = (cls: string): string => price.find(cls).first().text();
  return (
    clean(price.find('.a-offscreen').first().text()) ??
    clean(`${part('.a-price-symbol')}${part('.a-price-whole')}${part('.a-price-fraction')}`) ??
    clean(price.find('[aria-hidden="true"]').first().text())
  );
}

function corePrices($: CheerioAPI): { pay?: Money; list?: Money } {
  const block = $(CORE_PRICE);
  // The struck-through "List Price" / "Typical price" is an .a-price too; keep them apart.
  const pay = block
    .find('.a-price')
    .filter(
      (_, el) => $(el).attr('data-a-strike') !== 'true' && !$(el).closest('.basisPrice').length,
    )
    .first();
  const list = block.find('.basisPrice .a-price, .a-price[data-a-strike="true"]').first();
  return {
    pay: pay.length ? parseMoney(priceText(pay)) : undefined,
    list: list.length ? parseMoney(priceText(list)) : undefined,
  };
}

/** The JSON Amazon keeps for its buying-options widget: [{priceAmount, currencySymbol}]. */
function buyingOptionsPrice($: CheerioAPI): Money | undefined {
  const raw = $('.twister-plus-buying-options-price-data').first().text();
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const groups = isRecord(data) ? Object.values(data) : [data];
  const offer = groups.flat().find((o) => isRecord(o) && typeof o.priceAmount === 'number');
  if (!isRecord(offer)) return undefined;
  const currency = currencyOf(str(offer.currencySymbol));
  return { amount: offer.priceAmount as number, ...(currency ? { currency } : {}) };
}

/** A schema.org Product offer, which some pages (and many mirrors) also carry as JSON-LD. */
function jsonLdOffer($: CheerioAPI): Money | undefined {
  for (const el of $('script[type="application/ld+json"]').toArray()) {
    let data: unknown;
    try {
      data = JSON.parse($(el).text());
    } catch {
      continue;
    }
    const offers = isRecord(data) ? data.offers : undefined;
    const offer: unknown = Array.isArray(offers) ? offers[0] : offers;
    if (!isRecord(offer)) continue;
    // schema.org allows the price as a number or a string.
    const amount = typeof offer.price === 'number' ? offer.price : Number(str(offer.price));
    const currency = currencyOf(str(offer.priceCurrency));
    if (Number.isFinite(amount)) return { amount, ...(currency ? { currency } : {}) };
  }
  return undefined;
}

function prices($: CheerioAPI): { pay?: Money; list?: Money } {
  const core = corePrices($);
  const book = parseMoney($(BOOK_PRICE).first().text());
  const bookList = parseMoney($('#listPrice, #listPriceValue, .a-text-strike').first().text());
  const ld = jsonLdOffer($);
  const pay = core.pay ?? book ?? buyingOptionsPrice($) ?? ld;
  // A "$" price whose currency the page states elsewhere (priceCurrency) takes that code.
  if (pay && ld?.currency && !pay.currency) pay.currency = ld.currency;
  return { pay, list: core.list ?? bookList };
}

/** "Visit the Anker Store" / "Brand: Anker" → "Anker"; a book's author byline is no brand. */
function brand($: CheerioAPI): string | undefined {
  const byline = $('#bylineInfo').first();
  if (byline.length && !byline.find('.author').length) {
    const text = clean(byline.text()) ?? '';
    const named =
      /^Visit the (.+?) Store$/i.exec(text)?.[1] ?? /^Brand:\s*(.+)$/i.exec(text)?.[1] ?? text;
    if (named) return named;
  }
  return clean($('#productOverview_feature_div tr.po-brand td').last().text());
}

function availability($: CheerioAPI): string | undefined {
  const box = $('#availability, #outOfStock').first();
  const lead = box
    .find('span')
    .toArray()
    .map((s) => clean($(s).text()))
    .find(Boolean);
  return lead ?? clean(box.text());
}

/** The product's own ASIN: the form field the buy box posts, else the canonical link. */
function pageAsin($: CheerioAPI): string | undefined {
  const field = clean($('input#ASIN, input[name="ASIN"]').first().attr('value'));
  if (field && ASIN.test(field)) return field;
  return asinFromPath($('link[rel="canonical"]').attr('href'));
}

/**
 * Parses a product page. `requested` is the ASIN asked for, used when the page does not name
 * its own. Throws ExecutionError when the page is not a product page at all.
 */
export function parseProduct(html: string, requested: string): Product {
  const $ = load(html);
  const title = clean($('#productTitle, #ebooksProductTitle').first().text());
  if (!title) throw new ExecutionError('The Amazon page had no product title (#productTitle).');
  const asin = pageAsin($) ?? requested;
  const { pay, list } = prices($);
  const status = availability($);
  const inStock = status
    ? !UNAVAILABLE.test(status)
    : $('#add-to-cart-button, #buy-now-button').length > 0;
  const acr = $('#acrPopover').first();
  return defined({
    asin,
    title,
    url: productUrl(asin),
    price: pay?.amount,
    currency: pay?.currency ?? list?.currency,
    list_price: list && list.amount !== pay?.amount ? list.amount : undefined,
    availability: status,
    in_stock: inStock,
    rating: parseRating(acr.attr('title') ?? acr.find('.a-icon-alt').first().text()),
    review_count: parseCount($('#acrCustomerReviewText').first().text()),
    images: parseImages($),
    bullet_points: $('#feature-bullets li:not(.aok-hidden)')
      .toArray()
      .flatMap((li) => clean($(li).find('.a-list-item').first().text()) ?? []),
    brand: brand($),
    variants: parseVariants($),
    categories: $('#wayfinding-breadcrumbs_feature_div li:not(.a-breadcrumb-divider) a')
      .toArray()
      .flatMap((a) => clean($(a).text()) ?? []),
  });
}
