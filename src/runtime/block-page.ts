// Generic detection of block walls served in place of the page: bot-protection challenges,
// CAPTCHA interstitials, "unusual traffic" and "Access Denied" pages. Conservative on purpose:
// a false positive fails a good page, so only markers that real content does not carry count.
// Site-specific walls stay with their catalogs (Amazon's robot check, LinkedIn's checkpoint).

/** The answers a wall is served with: 200 (in place), 403 (refused), 503 (challenge). */
const WALL_STATUSES = new Set([200, 403, 503]);
/** Walls are small; a marker past this point is part of a real page. */
const SCAN_CHARS = 512 * 1024;
/** A CAPTCHA widget on a page with more visible text than this is a form on a real page. */
const INTERSTITIAL_TEXT_CHARS = 2_000;

/** Markers only a block page carries, whatever else is on it. */
const WALLS: ReadonlyArray<readonly [RegExp, string]> = [
  // Cloudflare's "Just a moment..." managed / JS challenge and its block page.
  [
    /window\._cf_chl_opt\b|\b__cf_chl_(?:tk|rt_tk|f_tk)=|\bcf-chl-widget-/,
    'a Cloudflare challenge',
  ],
  [/<title>\s*Attention Required! \| Cloudflare\s*<\/title>/i, 'a Cloudflare block page'],
  // DataDome and PerimeterX (HUMAN) serve their CAPTCHA from these.
  [/\b(?:geo\.)?captcha-delivery\.com\//, 'a DataDome CAPTCHA'],
  [/\bid=["']px-captcha["']/, 'a PerimeterX CAPTCHA'],
  // Google's /sorry page, and the same sentence on sites that copied it.
  [
    /Our systems have detected unusual traffic from your computer network/i,
    'an unusual-traffic page',
  ],
];

/** Akamai's and similar edge "Access Denied" pages: the title and its permission sentence. */
const ACCESS_DENIED_TITLE = /<title>\s*Access Denied\s*<\/title>/i;
const ACCESS_DENIED_TEXT = /You don(?:'|&#39;|&rsquo;|’)t have permission to access/i;

/** Third-party CAPTCHA widgets; on their own they also sit on ordinary login and contact forms. */
const CAPTCHA_WIDGET =
  /class=["'][^"']*\b(?:g-recaptcha|h-captcha|cf-turnstile)\b|(?:google\.com\/recaptcha\/api\.js|hcaptcha\.com\/1\/api\.js|challenges\.cloudflare\.com\/turnstile\/)/i;
/** What an interstitial asks of the visitor. */
const HUMAN_CHECK =
  /verify (?:that )?you(?:'re| are) (?:a )?human|are you a (?:robot|human)|not a robot|unusual (?:traffic|activity)|automated (?:access|requests|queries)|security check/i;

export interface BlockPageInput {
  status: number;
  contentType: string | undefined;
  text: string;
}

/**
 * What kind of wall `page` is ("a Cloudflare challenge"), or undefined for a normal page.
 * Only HTML answered 200, 403 or 503 is judged. A CAPTCHA widget counts only with an error
 * status, or on a near-empty page that asks the visitor to prove they are human.
 */
export function detectBlockPage(page: BlockPageInput): string | undefined {
  if (!WALL_STATUSES.has(page.status) || !isHtml(page.contentType, page.text)) return undefined;
  const html = page.text.length > SCAN_CHARS ? page.text.slice(0, SCAN_CHARS) : page.text;
  for (const [marker, what] of WALLS) if (marker.test(html)) return what;
  if (ACCESS_DENIED_TITLE.test(html) && ACCESS_DENIED_TEXT.test(html)) {
    return 'an "Access Denied" page';
  }
  if (CAPTCHA_WIDGET.test(html)) {
    if (page.status !== 200) return 'a CAPTCHA page';
    const text = visibleText(html);
    if (text.length <= INTERSTITIAL_TEXT_CHARS && HUMAN_CHECK.test(text)) return 'a CAPTCHA page';
  }
  return undefined;
}

function isHtml(contentType: string | undefined, text: string): boolean {
  if (contentType !== undefined)
    return /\b(?:text\/html|application\/xhtml\+xml)\b/i.test(contentType);
  return /^\s*</.test(text);
}

/** The page's text as a reader sees it: no scripts, styles, tags or runs of whitespace. */
function visibleText(html: string): string {
  return html
    .replace(/<(script|style|noscript|template)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;|&#160;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
