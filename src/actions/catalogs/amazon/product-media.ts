// The two parts of a product page that live in embedded JSON rather than markup: the image
// gallery (ImageBlockATF's colorImages, the main image's data-a-dynamic-image) and the twister
// (the variation picker's dimensionValuesDisplayData / asinVariationValues).
import type { CheerioAPI } from 'cheerio';

import { ASIN } from './amazon-values.js';
import { isRecord, jsonAfterKey, str } from './embedded-json.js';

/** One purchasable variation of a product and the dimension values that pick it. */
export interface Variant {
  asin: string;
  /** Dimension → value as Amazon shows it, e.g. {color: "Red", size: "M"}. */
  dimensions: Record<string, string>;
}

const scripts = ($: CheerioAPI): string[] =>
  $('script:not([src])')
    .toArray()
    .map((el) => $(el).text());

const httpsUrl = (v: unknown): string | undefined => {
  const s = str(v);
  return s?.startsWith('https://') ? s : undefined;
};

/** colorImages.initial of the ImageBlockATF script: one entry per gallery image. */
function galleryImages($: CheerioAPI): string[] {
  for (const script of scripts($)) {
    const at = script.indexOf('colorImages');
    if (at < 0) continue;
    const initial = jsonAfterKey(script.slice(at), 'initial', Array.isArray);
    if (!Array.isArray(initial)) continue;
    // hiRes is null for images Amazon has no zoom for; large is then the biggest there is.
    return initial.filter(isRecord).flatMap((img) => {
      const url = httpsUrl(img.hiRes) ?? httpsUrl(img.large);
      return url ? [url] : [];
    });
  }
  return [];
}

/** The largest rendition named in a data-a-dynamic-image map ({url: [width, height]}). */
function largestDynamic(raw: string | undefined): string | undefined {
  let sizes: unknown;
  try {
    sizes = JSON.parse(raw ?? '');
  } catch {
    return undefined;
  }
  if (!isRecord(sizes)) return undefined;
  const area = (v: unknown): number =>
    Array.isArray(v) ? Number(v[0] ?? 0) * Number(v[1] ?? 0) || 0 : 0;
  return Object.entries(sizes)
    .filter(([url]) => httpsUrl(url))
    .sort(([, a], [, b]) => area(b) - area(a))[0]?.[0];
}

/**
 * Hi-res image URLs: the whole gallery when the page carries colorImages, else the main image
 * (#landingImage, or a book's #imgBlkFront / #ebooksImgBlkFront) at its largest rendition.
 */
export function parseImages($: CheerioAPI): string[] {
  const gallery = galleryImages($);
  if (gallery.length) return [...new Set(gallery)];
  const main = $('#landingImage, #imgBlkFront, #ebooksImgBlkFront').first();
  const url =
    httpsUrl(main.attr('data-old-hires')) ??
    largestDynamic(main.attr('data-a-dynamic-image')) ??
    httpsUrl(main.attr('src'));
  return url ? [url] : [];
}

/** "color_name" → "color", "Style Name" → "style_name"; the key a dimension is reported under. */
const dimensionKey = (raw: string): string =>
  raw
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '_')
    .replace(/_name$/, '');

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => str(x) ?? '') : []);

/**
 * Variants from the twister data. dimensionValuesDisplayData (ASIN → display values in the
 * order of dimensionsDisplay) is preferred; older pages carry only asinVariationValues (ASIN →
 * {dimension: index into variationValues}). A product without variations returns [].
 */
export function parseVariants($: CheerioAPI): Variant[] {
  const twister = scripts($).find(
    (s) => s.includes('dimensionValuesDisplayData') || s.includes('asinVariationValues'),
  );
  if (!twister) return [];
  const dims = strings(jsonAfterKey(twister, 'dimensions', Array.isArray));
  const display = strings(jsonAfterKey(twister, 'dimensionsDisplay', Array.isArray));
  // The machine names (color_name) are steadier keys than the labels shown (Colour, Color).
  const keys = (dims.length === display.length ? dims : display).map(dimensionKey);

  const shown = jsonAfterKey(twister, 'dimensionValuesDisplayData', isRecord);
  if (isRecord(shown)) {
    return Object.entries(shown).flatMap(([asin, values]): Variant[] => {
      const vals = strings(values);
      if (!ASIN.test(asin) || vals.length !== keys.length) return [];
      return [{ asin, dimensions: Object.fromEntries(keys.map((k, i) => [k, vals[i] ?? ''])) }];
    });
  }
  const byAsin = jsonAfterKey(twister, 'asinVariationValues', isRecord);
  const values = jsonAfterKey(twister, 'variationValues', isRecord);
  if (!isRecord(byAsin) || !isRecord(values)) return [];
  return Object.entries(byAsin).flatMap(([asin, picks]): Variant[] => {
    if (!ASIN.test(asin) || !isRecord(picks)) return [];
    const dimensions: Record<string, string> = {};
    for (const [dim, index] of Object.entries(picks)) {
      const value = strings(values[dim])[Number(index)];
      if (dim !== 'ASIN' && value) dimensions[dimensionKey(dim)] = value;
    }
    return Object.keys(dimensions).length ? [{ asin, dimensions }] : [];
  });
}
