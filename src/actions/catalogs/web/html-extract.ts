// Pure extraction of a web page's metadata, structure and readable text from its HTML.
import { Readability } from '@mozilla/readability';
import { load, type CheerioAPI } from 'cheerio';
import { parseHTML } from 'linkedom';

export interface ExtractedLink {
  url: string;
  text: string;
}

export interface ExtractedPage {
  title?: string;
  description?: string;
  canonical_url?: string;
  language?: string;
  headings: Array<{ level: number; text: string }>;
  text: string;
  links: ExtractedLink[];
  open_graph: Record<string, string>;
  json_ld: Array<Record<string, unknown>>;
  word_count: number;
}

export interface ExtractOptions {
  /** Links kept, in document order after de-duplication. Default 100. */
  maxLinks?: number;
}

/** Readability's `Document` (the DOM lib's type, absent here; linkedom's is compatible). */
type ReadabilityInput = ConstructorParameters<typeof Readability>[0];

/** Upper bounds so a hostile page cannot inflate the result past the result-size cap. */
const MAX_HEADINGS = 200;
const MAX_FIELD_CHARS = 2_000;

/** Elements that break text into separate lines when flattened. */
const BLOCK_SELECTOR =
  'address, article, aside, blockquote, br, dd, div, dl, dt, figcaption, figure, footer, ' +
  'h1, h2, h3, h4, h5, h6, header, hr, li, main, nav, ol, p, pre, section, table, td, th, tr, ul';

/** Not matched by \s, so whitespace collapsing leaves it in place. */
const BLOCK_MARK = '\uE000';

/** Extracts everything `web_scrape` reports; `baseUrl` is the page's final (real) URL. */
export function extractPage(
  html: string,
  baseUrl: string,
  options: ExtractOptions = {},
): ExtractedPage {
  const $ = load(html);
  const base = documentBase($, baseUrl);
  const text = mainText(html) ?? fallbackText($);

  const page: ExtractedPage = {
    headings: headings($),
    text,
    links: links($, base, options.maxLinks ?? 100),
    open_graph: openGraph($),
    json_ld: jsonLd($),
    word_count: countWords(text),
  };
  // Optional fields are set only when present: the wire contract omits, never nulls.
  const title = clean($('head > title').first().text()) || clean($('title').first().text());
  const ogTitle = page.open_graph.title;
  const h1 = page.headings.find((h) => h.level === 1)?.text;
  assignIfPresent(page, 'title', title || ogTitle || h1);
  assignIfPresent(
    page,
    'description',
    attr($, 'meta[name="description" i]', 'content') ?? page.open_graph.description,
  );
  const canonical = attr($, 'link[rel~="canonical" i]', 'href');
  assignIfPresent(page, 'canonical_url', canonical && absoluteHttpUrl(canonical, base));
  assignIfPresent(
    page,
    'language',
    attr($, 'html', 'lang') ?? attr($, 'meta[http-equiv="content-language" i]', 'content'),
  );
  return page;
}

function assignIfPresent<K extends 'title' | 'description' | 'canonical_url' | 'language'>(
  page: ExtractedPage,
  key: K,
  value: string | undefined,
): void {
  const cleaned = value === undefined ? '' : clean(value).slice(0, MAX_FIELD_CHARS);
  if (cleaned !== '') page[key] = cleaned;
}

/** Trimmed attribute of the first match, or undefined when missing or blank. */
function attr($: CheerioAPI, selector: string, name: string): string | undefined {
  const value = $(selector).first().attr(name)?.trim();
  return value ? value : undefined;
}

/** Collapses whitespace runs (including newlines) into single spaces. */
function clean(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

/** The URL relative links resolve against: <base href> if valid, else the page URL. */
export function documentBase($: CheerioAPI, pageUrl: string): string {
  const href = attr($, 'base[href]', 'href');
  return (href && absoluteHttpUrl(href, pageUrl)) ?? pageUrl;
}

/** Absolute http(s) URL without the fragment, or undefined for mailto:, javascript: etc. */
function absoluteHttpUrl(href: string, base: string): string | undefined {
  try {
    const url = new URL(href, base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    url.hash = '';
    return url.href;
  } catch {
    return undefined;
  }
}

function headings($: CheerioAPI): Array<{ level: number; text: string }> {
  const found: Array<{ level: number; text: string }> = [];
  $('h1, h2, h3, h4, h5, h6').each((_i, el) => {
    const text = clean($(el).text()).slice(0, MAX_FIELD_CHARS);
    if (text && found.length < MAX_HEADINGS) {
      found.push({ level: Number(el.tagName.slice(1)), text });
    }
  });
  return found;
}

function links($: CheerioAPI, base: string, max: number): ExtractedLink[] {
  const byUrl = new Map<string, ExtractedLink>();
  if (max <= 0) return [];
  for (const el of $('a[href]').toArray()) {
    const url = absoluteHttpUrl($(el).attr('href') ?? '', base);
    if (!url) continue;
    const a = $(el);
    const text = clean(a.text() || a.attr('aria-label') || a.attr('title') || '').slice(0, 500);
    const seen = byUrl.get(url);
    // The first anchor wins, except that a labelled one replaces an unlabelled icon link.
    if (seen) {
      if (!seen.text && text) seen.text = text;
      continue;
    }
    if (byUrl.size >= max) continue;
    byUrl.set(url, { url, text });
  }
  return [...byUrl.values()];
}

function openGraph($: CheerioAPI): Record<string, string> {
  const og: Record<string, string> = {};
  $('meta[property^="og:" i], meta[name^="og:" i]').each((_i, el) => {
    const meta = $(el);
    const key = (meta.attr('property') ?? meta.attr('name') ?? '').trim().slice(3).toLowerCase();
    const content = meta.attr('content')?.trim();
    // The first og:image is the primary one; later duplicates are alternates.
    if (key && content && !(key in og)) og[key] = content.slice(0, MAX_FIELD_CHARS);
  });
  return og;
}

/** Every top-level JSON-LD object of the page, arrays flattened; malformed blocks skipped. */
export function jsonLd($: CheerioAPI): Array<Record<string, unknown>> {
  const blocks: Array<Record<string, unknown>> = [];
  $('script[type="application/ld+json" i]').each((_i, el) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse($(el).text());
    } catch {
      return; // Malformed blocks are common in the wild; skip them, keep the rest.
    }
    for (const item of Array.isArray(parsed) ? parsed : [parsed]) {
      if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
        blocks.push(item as Record<string, unknown>);
      }
    }
  });
  return blocks;
}

/** The article text per Readability, or undefined when it finds no main content. */
function mainText(html: string): string | undefined {
  try {
    // Readability mutates the DOM it reads, so it gets its own parse.
    // linkedom's types lean on the DOM lib, which this Node project does not load.
    const window: unknown = parseHTML(html);
    const { document } = window as { document: object };
    const article = new Readability(document as ReadabilityInput).parse();
    if (!article?.content) return undefined;
    const text = blockText(load(article.content));
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}

/** Whole-body text without scripts and page chrome, for pages Readability gives up on. */
function fallbackText($: CheerioAPI): string {
  const body = load($.html());
  body('script, style, noscript, template, svg, iframe, nav, footer').remove();
  return blockText(body);
}

/** Body text, one paragraph per block element, paragraphs separated by blank lines. */
function blockText($: CheerioAPI): string {
  // A private-use marker around every block keeps "</p><p>" from gluing sentences together,
  // while newlines inside a paragraph's source stay plain whitespace.
  $(BLOCK_SELECTOR).each((_i, el) => {
    $(el).prepend(BLOCK_MARK).append(BLOCK_MARK);
  });
  return $('body')
    .text()
    .split(BLOCK_MARK)
    .map((line) => clean(line))
    .filter((line) => line !== '')
    .join('\n\n');
}

/** Words as runs of letters or digits, so punctuation and symbols do not count. */
function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu)?.length ?? 0;
}
