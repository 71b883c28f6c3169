// The pure parts of web_crawl's link handling: URL normalisation for de-duplication, the
// non-HTML guess by extension, path-prefix filters and text bounding.

/** File extensions that are never an HTML page, so links to them are not even fetched. */
const NON_HTML_EXTENSION =
  /\.(7z|apk|atom|avi|avif|bin|bmp|bz2|css|csv|deb|dmg|docx?|eot|exe|flac|gif|gz|ico|iso|jpe?g|js|json|m4a|m4v|mjs|mkv|mov|mp3|mp4|msi|odp|ods|odt|oga|ogg|otf|pdf|pkg|png|pptx?|rar|rpm|rss|svg|tar|tgz|tiff?|tsv|ttf|txt|wasm|wav|webm|webp|woff2?|xlsx?|xml|xz|zip)$/i;

/**
 * The form URLs are compared in: absolute http(s), no fragment, no empty query. `/a#top`,
 * `/a#` and `/a?` are all `/a`; the URL parser already lower-cases the host and drops
 * default ports. Anything else (mailto:, javascript:, unparsable) gives undefined.
 */
export function normaliseUrl(href: string, base?: string): string | undefined {
  let url: URL;
  try {
    url = new URL(href, base);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.hash = '';
  // `search` reads '' for a lone '?', and assigning '' drops it from the href.
  if (url.search === '') url.search = '';
  return url.href;
}

/** True when the path names a file type that is not HTML (PDF, image, archive, feed...). */
export function isNonHtmlPath(pathname: string): boolean {
  return NON_HTML_EXTENSION.test(pathname);
}

/** A test of `include` / `exclude` path prefixes; no include list means every path. */
export function pathFilter(
  include: readonly string[] | undefined,
  exclude: readonly string[] | undefined,
): (pathname: string) => boolean {
  return (pathname) =>
    (!include?.length || include.some((prefix) => pathname.startsWith(prefix))) &&
    !exclude?.some((prefix) => pathname.startsWith(prefix));
}

/** At most `max` characters, cut at a word boundary when one is near the end. */
export function boundText(text: string, max: number): { text: string; truncated: boolean } {
  if (text.length <= max) return { text, truncated: false };
  const cut = text.slice(0, max);
  const lastSpace = cut.search(/\s\S*$/);
  const kept = lastSpace >= max * 0.8 ? cut.slice(0, lastSpace) : cut;
  return { text: kept.trimEnd(), truncated: true };
}
