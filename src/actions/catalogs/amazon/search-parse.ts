// Reads an amazon.com search results page (/s?k=...) into result cards, the result count and
// the next page number.
import { type CheerioAPI, load } from 'cheerio';

import {
  AMAZON_ORIGIN,
  ASIN,
  clean,
  defined,
  parseCount,
  parseMoney,
  parseRating,
  productUrl,
} from './amazon-values.js';

/** One organic or sponsored result card; optional fields are omitted when the card lacks them. */
export interface SearchResult {
  asin: string;
  title: string;
  url: string;
  price?: number;
  currency?: string;
  rating?: number;
  review_count?: number;
  image?: string;
  sponsored: boolean;
  prime: boolean;
}

export interface SearchPage {
  /** "1-48 of over 3,000 results" → 3000: Amazon's own (often rounded) count. */
  total_results?: number;
  results: SearchResult[];
  next_page?: number;
}

type Node = ReturnType<CheerioAPI>;

/** The ways Amazon has marked an ad card: the card class, the label, the click-tracking URL. */
function isSponsored($: CheerioAPI, card: Node): boolean {
  if (card.hasClass('AdHolder')) return true;
  if (card.find('.puis-sponsored-label-text, .s-sponsored-label-text').length) return true;
  if (card.find('h2 a[href^="/sspa/click"], a.a-link-normal[href^="/sspa/click"]').length)
    return true;
  return card
    .find('.a-color-secondary')
    .toArray()
    .some((el) => clean($(el).text()) === 'Sponsored');
}

function title(card: Node): string | undefined {
  const heading = card.find('h2').last();
  return (
    clean(heading.find('a span').first().text()) ??
    clean(heading.find('span').first().text()) ??
    clean(heading.text())
  );
}

function reviewCount($: CheerioAPI, card: Node): number | undefined {
  const labelled = card
    .find('[aria-label]')
    .toArray()
    .map((el) => $(el).attr('aria-label') ?? '')
    .find((label) => /^\d[\d,.]*\s+ratings?$/i.test(label.trim()));
  return parseCount(
    labelled ?? card.find('a[href*="customerReviews"] .s-underline-text').first().text(),
  );
}

function parseCard($: CheerioAPI, card: Node): SearchResult | undefined {
  const asin = card.attr('data-asin')?.trim() ?? '';
  const name = title(card);
  if (!ASIN.test(asin) || !name) return undefined;
  // The struck-through "List:" price is an .a-price too.
  const price = parseMoney(
    card.find('.a-price:not([data-a-strike="true"]) .a-offscreen').first().text(),
  );
  const stars = card.find('i.a-icon-star-small, i.a-icon-star-mini, i.a-icon-star').first();
  const image = card.find('img.s-image').first().attr('src');
  return defined({
    asin,
    title: name,
    url: productUrl(asin),
    price: price?.amount,
    currency: price?.currency,
    rating: parseRating(
      stars.find('.a-icon-alt').text() || stars.closest('[aria-label]').attr('aria-label'),
    ),
    review_count: reviewCount($, card),
    image: image?.startsWith('https://') ? image : undefined,
    sponsored: isSponsored($, card),
    prime: card.find('i.a-icon-prime, [aria-label="Amazon Prime"]').length > 0,
  });
}

/** "1-48 of over 3,000 results for", "1-16 of 245 results for" or "7 results for". */
function totalResults($: CheerioAPI): number | undefined {
  const bar = clean(
    $('[data-component-type="s-result-info-bar"] h1, [data-component-type="s-result-info-bar"]')
      .first()
      .text(),
  );
  const m =
    /of\s+(?:over\s+)?([\d,.]+)\s+results?/i.exec(bar ?? '') ??
    /^([\d,.]+)\s+results?/i.exec(bar ?? '');
  return m ? parseCount(m[1]) : undefined;
}

function nextPage($: CheerioAPI, current: number): number | undefined {
  const next = $('a.s-pagination-next').first();
  if (!next.length || next.attr('aria-disabled') === 'true') return undefined;
  try {
    const page = Number(new URL(next.attr('href') ?? '', AMAZON_ORIGIN).searchParams.get('page'));
    return Number.isInteger(page) && page > current ? page : current + 1;
  } catch {
    return current + 1;
  }
}

/** Parses one results page; a page with no result cards (no matches) has `results: []`. */
export function parseSearch(html: string, page: number): SearchPage {
  const $ = load(html);
  const seen = new Set<string>();
  const results = $('div[data-component-type="s-search-result"][data-asin]')
    .toArray()
    .flatMap((el) => {
      const result = parseCard($, $(el));
      // The same product can appear as an ad and organically; keep the first card.
      if (!result || seen.has(result.asin)) return [];
      seen.add(result.asin);
      return [result];
    });
  return defined({ total_results: totalResults($), results, next_page: nextPage($, page) });
}
