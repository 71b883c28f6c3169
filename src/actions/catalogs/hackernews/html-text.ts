// Turns the small HTML dialect Hacker News stores in `text` fields into plain text.

/**
 * HN text uses only <p> (a paragraph break, with no closing tag and none before the first
 * paragraph), <a href> (auto-links, whose text HN shortens with "..."), <i>, <pre><code> and
 * entities, so a tokenizer over that subset is enough; anything else keeps just its text.
 */
const TOKEN = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>|<!--[\s\S]*?-->|([^<]+|<)/g;
const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;

const NAMED: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/** Decodes the entities HN emits: numeric ones (&#x27; &#x2F; &#62;) and the basic named set. */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code =
        ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff
        ? String.fromCodePoint(code)
        : whole;
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}

/** What a link reads as: the full URL when the text is HN's shortened copy of it. */
function linkText(href: string, text: string): string {
  const shown = text.trim();
  if (!href || shown === href) return href || shown;
  if (shown.endsWith('...') && href.startsWith(shown.slice(0, -3))) return href;
  return shown ? `${shown} (${href})` : href;
}

/** Plain text with paragraphs separated by blank lines; code blocks keep their layout. */
export function hnTextToPlain(html: string): string {
  const paragraphs: string[] = [];
  let current = '';
  let pre = 0;
  let link: { href: string; text: string } | undefined;

  const flush = (): void => {
    const text = pre > 0 ? current.replace(/^\n+|\s+$/g, '') : current.replace(/\s+/g, ' ').trim();
    if (text) paragraphs.push(text);
    current = '';
  };

  for (const [, closing, tagName, attrs, text] of html.matchAll(TOKEN)) {
    if (text !== undefined) {
      const decoded = decodeEntities(text);
      if (link) link.text += decoded;
      else current += decoded;
      continue;
    }
    const tag = tagName?.toLowerCase();
    if (tag === 'p') flush();
    else if (tag === 'pre') {
      flush();
      pre = Math.max(0, pre + (closing ? -1 : 1));
    } else if (tag === 'br') current += '\n';
    else if (tag === 'a' && !closing) {
      const m = HREF.exec(attrs ?? '');
      link = { href: decodeEntities(m?.[1] ?? m?.[2] ?? m?.[3] ?? ''), text: '' };
    } else if (tag === 'a' && link) {
      current += linkText(link.href, link.text);
      link = undefined;
    }
  }
  if (link) current += linkText(link.href, link.text);
  flush();
  return paragraphs.join('\n\n');
}

/** `hnTextToPlain` for an optional field: empty results become undefined (omitted). */
export function optionalText(html: unknown): string | undefined {
  if (typeof html !== 'string') return undefined;
  return hnTextToPlain(html) || undefined;
}
