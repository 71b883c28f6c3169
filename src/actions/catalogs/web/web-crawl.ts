// web_crawl: a breadth-first crawl of one site from a start URL, honouring robots.txt, that
// returns each HTML page's title and main text.
import { setTimeout as sleep } from 'node:timers/promises';

import { type Static, Type } from 'typebox';

import {
  ActionError,
  BlockedError,
  ExecutionError,
  type HttpResponse,
} from '../../../runtime/index.js';
import { type ActionContext, defineAction } from '../../define.js';
import { boundText, isNonHtmlPath, normaliseUrl, pathFilter } from './crawl-links.js';
import { extractPage } from './html-extract.js';
import { crawlPauseMs, loadRobots, type SiteRobots } from './site-robots.js';
import { fetchHtmlPage, isHtml } from './web-fetch.js';

/** Pages fetched at once when robots.txt asks no Crawl-delay (else one at a time). */
const CONCURRENCY = 4;
/** Links read per page; more is a link farm, not a site. */
const MAX_LINKS_PER_PAGE = 1_000;
/** The whole job's budget, and the point where the crawl stops itself to keep its pages. */
const TIMEOUT_MS = 300_000;
const CRAWL_BUDGET_MS = 240_000;

const PathPrefixes = (description: string) =>
  Type.Optional(
    Type.Array(Type.String({ pattern: '^/', maxLength: 500 }), { maxItems: 20, description }),
  );

const params = Type.Object(
  {
    start_url: Type.String({
      maxLength: 2048,
      description: 'Where the crawl starts, an http or https URL, e.g. https://example.com/docs/',
    }),
    max_depth: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 5,
        default: 2,
        description: 'Links followed from the start page at most (0: only the start page).',
      }),
    ),
    max_pages: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100,
        default: 20,
        description: 'Pages fetched at most, the start page included (robots.txt not counted).',
      }),
    ),
    include: PathPrefixes(
      'Only follow links whose path starts with one of these, e.g. ["/docs/"].',
    ),
    exclude: PathPrefixes('Never follow links whose path starts with one of these.'),
    max_text_chars: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 10_000,
        default: 2_000,
        description: "Each page's main text is cut to this many characters.",
      }),
    ),
  },
  { additionalProperties: false },
);

const Count = (description: string) => Type.Integer({ minimum: 0, description });

const page = Type.Object({
  url: Type.String({ description: 'The page URL, after redirects, without fragment.' }),
  depth: Type.Integer({ description: 'Links from the start page (0 for the start page).' }),
  status: Type.Integer({ description: 'HTTP status; a non-2xx page has empty text.' }),
  title: Type.Optional(Type.String()),
  text: Type.String({ description: 'The main text, paragraphs separated by blank lines.' }),
  text_truncated: Type.Boolean({ description: 'True when the text was cut at max_text_chars.' }),
});

const output = Type.Object({
  start_url: Type.String({ description: 'The start URL as requested.' }),
  pages: Type.Array(page, { description: 'Breadth-first: every depth before the next.' }),
  skipped: Type.Object(
    {
      robots: Count('Links robots.txt disallows.'),
      off_site: Count('Links (or redirects) to another origin.'),
      non_html: Count('Links to files by extension, or answers that were not HTML.'),
      filtered: Count('Links outside include / inside exclude.'),
      failed: Count('Pages that could not be fetched (network error, 5xx, too large).'),
      unvisited: Count('Same-site links left: beyond max_depth, past max_pages, or after a stop.'),
    },
    { description: 'Distinct URLs not crawled, by reason.' },
  ),
  crawl_delay_ms: Type.Integer({
    description: "The pause kept between requests: robots.txt's Crawl-delay, capped at 1000.",
  }),
  stopped: Type.Optional(
    Type.Union([Type.Literal('max_pages'), Type.Literal('blocked'), Type.Literal('time_budget')], {
      description: 'Why the crawl ended with same-site links left; omitted when it ran out.',
    }),
  ),
});

type Page = Static<typeof page>;
type Result = Static<typeof output>;
type Skip = Exclude<keyof Result['skipped'], 'unvisited'>;
interface Queued {
  url: string;
  depth: number;
}
/** What fetching one queued URL came to. */
type Visit =
  | { kind: 'page'; finalUrl: string; page: Page; links: string[] }
  | { kind: 'skip'; finalUrl?: string; reason: Skip }
  | { kind: 'blocked'; reason: string };

/** Crawls a site anonymously, the way a polite bot would: robots.txt first, one origin. */
export const webCrawl = defineAction({
  id: 'web_crawl',
  name: 'Crawl a website',
  description:
    "Crawls a public website breadth-first from a start URL, staying on its origin and honouring robots.txt, and returns each HTML page's URL, depth, title and main text.",
  tags: ['web', 'crawl', 'spider', 'site', 'pages', 'text', 'robots.txt'],
  authMode: 'none',
  credits: 5,
  type: 'read',
  mode: 'async',
  timeoutMs: TIMEOUT_MS,
  params,
  output,
  targets: (p) => [{ path: '/start_url', url: p.start_url }],
  run: (ctx) => crawl(ctx),
});

async function crawl(ctx: ActionContext<Static<typeof params>>): Promise<Result> {
  const { start_url: startUrl, include, exclude } = ctx.params;
  const maxDepth = ctx.params.max_depth ?? 2;
  const maxPages = ctx.params.max_pages ?? 20;
  const maxChars = ctx.params.max_text_chars ?? 2_000;
  const started = Date.now();
  const start = normaliseUrl(startUrl);
  if (start === undefined) throw new ExecutionError(`'${startUrl}' is not an http(s) URL.`);

  let site = new URL(start).origin;
  ctx.log('Reading robots.txt', { origin: site });
  let robots = await readRobots(ctx, site, start);
  const pace = pacer(ctx.signal);
  pace.set(crawlPauseMs(robots));

  // The start page must be a page: its failures fail the job like web_scrape's do.
  await pace.wait();
  const first = await fetchHtmlPage(ctx.http, start);
  const firstUrl = normaliseUrl(first.url) ?? start;
  if (new URL(firstUrl).origin !== site) {
    // Redirected to another origin (http → https, a www host): that is the site crawled.
    site = new URL(firstUrl).origin;
    robots = await readRobots(ctx, site, firstUrl);
    pace.set(crawlPauseMs(robots));
  }
  if (robots.crawlDelayMs > 0) {
    ctx.log('robots.txt asks for a Crawl-delay', {
      asked_ms: robots.crawlDelayMs,
      kept_ms: crawlPauseMs(robots),
    });
  }

  const seen = new Set([start, firstUrl]);
  const listed = new Set([firstUrl]);
  const pages: Page[] = [];
  const skipped: Result['skipped'] = {
    robots: 0,
    off_site: 0,
    non_html: 0,
    filtered: 0,
    failed: 0,
    unvisited: 0,
  };
  const wanted = pathFilter(include, exclude);

  /** Files a link found at `depth` once: queued, or counted under why it is not. */
  const follow = (link: string, depth: number, queue: Queued[]): void => {
    const url = normaliseUrl(link);
    if (url === undefined || seen.has(url)) return;
    seen.add(url);
    const { origin, pathname } = new URL(url);
    if (origin !== site) skipped.off_site++;
    else if (!wanted(pathname)) skipped.filtered++;
    else if (isNonHtmlPath(pathname)) skipped.non_html++;
    else if (!robots.isAllowed(url)) skipped.robots++;
    else if (depth > maxDepth) skipped.unvisited++;
    else queue.push({ url, depth });
  };

  const visit = async ({ url, depth }: Queued): Promise<Visit> => {
    await pace.wait();
    let res: HttpResponse;
    try {
      res = await ctx.http.get(url);
    } catch (err) {
      // Cancellation, the job's timeout and our own bugs end the job; a bad page does not.
      if (ctx.signal.aborted || !(err instanceof ActionError)) throw err;
      // A 429 or a CAPTCHA wall (the client detects both) ends the crawl, keeping its pages.
      if (err instanceof BlockedError) return { kind: 'blocked', reason: err.message };
      ctx.log('Page failed', { url, error: err.message });
      return { kind: 'skip', reason: 'failed' };
    }
    const finalUrl = normaliseUrl(res.url) ?? url;
    if (new URL(finalUrl).origin !== site) return { kind: 'skip', finalUrl, reason: 'off_site' };
    if (!robots.isAllowed(finalUrl)) return { kind: 'skip', finalUrl, reason: 'robots' };
    if (res.status < 200 || res.status >= 300) {
      return { kind: 'page', finalUrl, page: errorPage(finalUrl, depth, res.status), links: [] };
    }
    if (!isHtml(res)) return { kind: 'skip', finalUrl, reason: 'non_html' };
    ctx.signal.throwIfAborted();
    return { kind: 'page', finalUrl, ...readPage(res, finalUrl, depth, maxChars) };
  };

  const firstPage = readPage(first, firstUrl, 0, maxChars);
  pages.push(firstPage.page);
  let frontier: Queued[] = [];
  for (const link of firstPage.links) follow(link, 1, frontier);

  let fetched = 1;
  let stopped: Result['stopped'];
  while (frontier.length > 0 && stopped === undefined) {
    const next: Queued[] = [];
    // A redirect may have reached a queued URL already; it is not fetched twice.
    const todo = frontier.filter((q) => !listed.has(q.url));
    let done = 0;
    while (done < todo.length) {
      ctx.signal.throwIfAborted();
      if (fetched >= maxPages) stopped = 'max_pages';
      else if (Date.now() - started > CRAWL_BUDGET_MS) stopped = 'time_budget';
      if (stopped) break;
      const size = Math.min(pace.pauseMs > 0 ? 1 : CONCURRENCY, maxPages - fetched);
      const batch = todo.slice(done, done + size);
      done += batch.length;
      fetched += batch.length;
      const visits = await Promise.all(batch.map(visit));

      // Final URLs first, so a sibling's link to a redirect target is not queued again.
      for (const v of visits) if (v.kind !== 'blocked' && v.finalUrl) seen.add(v.finalUrl);
      for (const v of visits) {
        if (v.kind === 'blocked') {
          ctx.log('The site blocked the crawl', { reason: v.reason });
          stopped = 'blocked';
        } else if (v.kind === 'skip') {
          skipped[v.reason]++;
        } else if (!listed.has(v.finalUrl)) {
          listed.add(v.finalUrl);
          pages.push(v.page);
          for (const link of v.links) follow(link, v.page.depth + 1, next);
        }
      }
      if (stopped) break;
    }
    if (stopped) skipped.unvisited += todo.length - done + next.length;
    frontier = next;
  }

  ctx.log('Crawl finished', { pages: pages.length, fetched, ...skipped, stopped });
  const result: Result = {
    start_url: startUrl,
    pages,
    skipped,
    crawl_delay_ms: pace.pauseMs,
  };
  if (stopped) result.stopped = stopped;
  return result;
}

/** The site's robots.txt, refusing the crawl outright when it disallows where it starts. */
async function readRobots(
  ctx: ActionContext<unknown>,
  origin: string,
  url: string,
): Promise<SiteRobots> {
  const robots = await loadRobots(ctx.http, origin);
  if (!robots.isAllowed(url)) {
    throw new ExecutionError(`${origin}/robots.txt disallows crawling ${url}.`);
  }
  ctx.log(robots.found ? 'robots.txt read' : 'No robots.txt; every path is allowed', { origin });
  return robots;
}

function readPage(
  res: HttpResponse,
  url: string,
  depth: number,
  maxChars: number,
): { page: Page; links: string[] } {
  const extracted = extractPage(res.text, res.url, { maxLinks: MAX_LINKS_PER_PAGE });
  const { text, truncated } = boundText(extracted.text, maxChars);
  const page: Page = { url, depth, status: res.status, text, text_truncated: truncated };
  // Optional fields are set only when present: the wire contract omits, never nulls.
  if (extracted.title) page.title = extracted.title;
  return { page, links: extracted.links.map((link) => link.url) };
}

function errorPage(url: string, depth: number, status: number): Page {
  return { url, depth, status, text: '', text_truncated: false };
}

/** Keeps `pauseMs` between the starts of consecutive requests; the wait ends on cancel. */
function pacer(signal: AbortSignal) {
  let nextAt = 0;
  let pauseMs = 0;
  return {
    get pauseMs() {
      return pauseMs;
    },
    set(ms: number): void {
      // robots.txt itself was a request, so the next one already waits.
      nextAt = Date.now() + ms;
      pauseMs = ms;
    },
    async wait(): Promise<void> {
      const now = Date.now();
      const waitMs = nextAt - now;
      nextAt = Math.max(now, nextAt) + pauseMs;
      if (waitMs <= 0) return;
      try {
        await sleep(waitMs, undefined, { signal });
      } catch (err) {
        signal.throwIfAborted();
        throw err;
      }
    },
  };
}
