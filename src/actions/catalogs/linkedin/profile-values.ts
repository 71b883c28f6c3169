// How LinkedIn writes values on a profile page (dates, counts, links, multi-line text), and
// the small readers that turn them into the plain strings and numbers Taskwire reports.
import type { CheerioAPI } from 'cheerio';

export type Json = Record<string, unknown>;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
// Marks a <br> while whitespace is collapsed; a private-use character no page contains.
const BREAK = '\uE000';

/** Narrowing for JSON-LD, whose every value arrives as `unknown`. */
export const isObj = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** The first JSON-LD node of `type` on the page (top level or in an `@graph`). */
export function jsonLdNode($: CheerioAPI, type: string): Json | undefined {
  for (const el of $('script[type="application/ld+json"]').toArray()) {
    let data: unknown;
    try {
      data = JSON.parse($(el).text());
    } catch {
      continue; // a broken block is LinkedIn's problem; the HTML can still answer
    }
    const nodes = isObj(data) && data['@graph'] !== undefined ? list(data['@graph']) : list(data);
    const node = nodes.find((n) => isObj(n) && list(n['@type']).includes(type));
    if (isObj(node)) return node;
  }
  return undefined;
}
/** Whitespace collapsed as a browser renders it; empty text counts as absent. */
export const clean = (s: string | undefined): string | undefined =>
  s?.replace(/\s+/g, ' ').trim() || undefined;
export const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? clean(v) : undefined;

/** Drops keys whose value is undefined, so absent fields are omitted rather than present-but-empty. */
export function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Multi-line text (About, descriptions): spaces collapsed, line and paragraph breaks kept. */
export function block(s: string | undefined): string | undefined {
  const lines = (s ?? '').split('\n').map((l) => l.replace(/[^\S\n]+/g, ' ').trim());
  return (
    lines
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim() || undefined
  );
}

/** The text of an HTML block, with <br> as line breaks and <p> as paragraphs. */
export function blockFromHtml($: CheerioAPI, el: ReturnType<CheerioAPI>): string | undefined {
  const copy = el.clone();
  copy.find('br').replaceWith(BREAK);
  const paras = copy.find('p').length
    ? copy
        .find('p')
        .toArray()
        .map((p) => $(p).text())
    : [copy.text()];
  const text = paras.map((p) =>
    p.replace(/\s+/g, ' ').replace(new RegExp(` ?${BREAK} ?`, 'g'), '\n'),
  );
  return block(text.join('\n\n'));
}

/** "Jan 2021", "2021", 2021 or "2021-01-15" → "2021-01" / "2021"; "Present" → undefined. */
export function isoDate(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  const s = str(v);
  if (!s) return undefined;
  const iso = /^(\d{4})(?:-(\d{2}))?/.exec(s);
  if (iso) return iso[2] ? `${iso[1]}-${iso[2]}` : iso[1];
  const shown = /^([a-z]{3})[a-z]*\.?\s+(\d{4})$/i.exec(s);
  const month = shown ? MONTHS.indexOf((shown[1] ?? '').toLowerCase()) + 1 : 0;
  return shown && month ? `${shown[2]}-${String(month).padStart(2, '0')}` : undefined;
}

/** "500+ connections" → 500, "12,843 followers" → 12843, "1.2K followers" → 1200. */
export function count(text: string | undefined): number | undefined {
  const m = /(\d[\d,.]*)\s*([KM])?(?=[\s+]|$)/i.exec(text ?? '');
  if (!m?.[1]) return undefined;
  if (!m[2]) return Number.parseInt(m[1].replace(/[,.]/g, ''), 10);
  return Math.round(Number.parseFloat(m[1].replace(/,/g, '')) * (/k/i.test(m[2]) ? 1e3 : 1e6));
}

/** A link without LinkedIn's `?trk=` tracking; undefined when it is not an http(s) URL. */
export function link(
  href: string | undefined,
  base = 'https://www.linkedin.com',
): string | undefined {
  try {
    const url = new URL(href ?? '', base);
    return /^https?:$/.test(url.protocol) && href
      ? `${url.origin}${url.pathname.replace(/\/$/, '')}`
      : undefined;
  } catch {
    return undefined;
  }
}

/** A member photo; LinkedIn's grey placeholder (static.licdn.com) and data: URIs are not one. */
export function photo(url: string | undefined): string | undefined {
  return url && /^https:\/\//.test(url) && !url.startsWith('https://static.licdn.com/')
    ? url
    : undefined;
}

/** Any linkedin.com member URL (country subdomain, no slash, query) → https://www.linkedin.com/in/<slug>/. */
export function normaliseProfileUrl(raw: string | undefined): string | undefined {
  let url: URL;
  try {
    url = new URL(raw ?? '');
  } catch {
    return undefined;
  }
  const slug = /^\/in\/([^/]+)\/?$/.exec(url.pathname)?.[1];
  const onLinkedIn = url.hostname === 'linkedin.com' || url.hostname.endsWith('.linkedin.com');
  return slug && onLinkedIn ? `https://www.linkedin.com/in/${slug}/` : undefined;
}
