// web_crawl against the web stand-in's /crawl/ site, reached through its real origin: order,
// de-duplication, robots.txt, limits, filters, Crawl-delay, blocks and cancellation.
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { boundText, normaliseUrl } from '../../src/actions/catalogs/web/crawl-links.js';
import { webCatalog, webCrawl } from '../../src/actions/catalogs/web/index.js';
import { crawlPauseMs } from '../../src/actions/catalogs/web/site-robots.js';
import { compileCheck } from '../../src/actions/index.js';
import { BlockedError, CancelledError, ExecutionError } from '../../src/runtime/index.js';
import { CRAWL_ROBOTS_TXT, crawlSentence } from '../fixtures/sites/web/crawl-pages.js';
import { PUBLIC_ORIGIN, startWebSite, type WebSite } from '../fixtures/sites/web/site.js';
import { actionContext } from './action-context.js';

const REAL = PUBLIC_ORIGIN;
const START = `${REAL}/crawl/`;

/** One stand-in per robots.txt: the crawl site's own, none, a delay, a total ban. */
let site: WebSite;
let noRobots: WebSite;
let slow: WebSite;
let slowest: WebSite;
let banned: WebSite;

beforeAll(async () => {
  [site, noRobots, slow, slowest, banned] = await Promise.all([
    startWebSite({ robotsTxt: CRAWL_ROBOTS_TXT }),
    startWebSite(),
    startWebSite({ robotsTxt: 'User-agent: *\nCrawl-delay: 0.3\n' }),
    startWebSite({ robotsTxt: 'User-agent: *\nCrawl-delay: 60\n' }),
    startWebSite({ robotsTxt: 'User-agent: *\nDisallow: /\n' }),
  ]);
});
afterAll(async () => {
  await Promise.all([site, noRobots, slow, slowest, banned].map((s) => s?.close()));
});

async function crawl(params: Record<string, unknown>, on: WebSite = site) {
  const { ctx, lines } = actionContext(params, [REAL], on.origin);
  const data = (await webCrawl.run(ctx)) as Record<string, any>;
  expect(Value.Check(webCrawl.output, data)).toBe(true);
  return { data, lines };
}

const summary = (pages: Array<{ url: string; depth: number; status: number; title?: string }>) =>
  pages.map((p) => [p.url.slice(REAL.length), p.depth, p.status, p.title]);

describe('web_crawl', () => {
  it('is declared as an anonymous five-credit read with a five-minute budget', () => {
    expect(webCrawl).toMatchObject({
      id: 'web_crawl',
      authMode: 'none',
      credits: 5,
      type: 'read',
      mode: 'async',
      timeoutMs: 300_000,
    });
    expect(webCatalog.actions).toContain(webCrawl);
    expect(webCrawl.targets?.({ start_url: START })).toEqual([{ path: '/start_url', url: START }]);
  });

  it('applies defaults and refuses out-of-range limits and bad prefixes at submit', () => {
    const params = compileCheck(webCrawl.params);
    expect(params.check({ start_url: START })).toEqual({
      ok: true,
      value: { start_url: START, max_depth: 2, max_pages: 20, max_text_chars: 2000 },
    });
    for (const bad of [
      { max_depth: 6 },
      { max_pages: 0 },
      { max_pages: 101 },
      { include: ['docs/'] },
      { exclude: ['/a', 7] },
      { max_text_chars: 10_001 },
      { follow_external: true },
    ]) {
      expect(params.check({ start_url: START, ...bad }).ok, JSON.stringify(bad)).toBe(false);
    }
  });

  it('crawls breadth-first within max_depth, once per page, and counts what it skipped', async () => {
    const { data, lines } = await crawl({ start_url: START });
    expect(data.start_url).toBe(START);
    expect(summary(data.pages)).toEqual([
      ['/crawl/', 0, 200, 'Field Notes'],
      ['/crawl/alpha', 1, 200, 'Alpha'],
      ['/crawl/beta', 1, 200, 'Beta'],
      // A broken link is reported with its status, its text left empty.
      ['/crawl/missing', 1, 404, undefined],
      ['/crawl/alpha/one', 2, 200, 'Alpha one'],
      ['/crawl/beta/two', 2, 200, 'Beta two'],
      // Reached through /crawl/moved (301), listed under the URL it lives at.
      ['/crawl/gamma', 2, 200, 'Gamma'],
    ]);
    expect(data.skipped).toEqual({
      robots: 1, // /crawl/private/notes
      off_site: 2, // elsewhere.example.net, and the protocol-relative cdn link
      non_html: 2, // report.pdf by its extension, the feed by its content type
      filtered: 0,
      failed: 1, // /crawl/down answers 503
      unvisited: 1, // /crawl/alpha/one/deep, at depth 3
    });
    expect(data).not.toHaveProperty('stopped');
    expect(data.crawl_delay_ms).toBe(0);
    // The fragment link and the nav on every page cost no second request.
    for (const path of ['/robots.txt', '/crawl/', '/crawl/alpha', '/crawl/beta', '/crawl/feed']) {
      expect(site.hits.get(path), path).toBe(1);
    }
    for (const path of [
      '/crawl/private/notes',
      '/crawl/files/report.pdf',
      '/crawl/alpha/one/deep',
    ]) {
      expect(site.hits.get(path), path).toBeUndefined();
    }
    expect(lines.some((l) => l.startsWith('robots.txt read'))).toBe(true);
  });

  it("returns each page's main text without its chrome, cut at max_text_chars", async () => {
    const { data } = await crawl({ start_url: START, max_depth: 1, max_text_chars: 1_000 });
    const [home, alpha] = data.pages;
    expect(home.text).toContain(crawlSentence('/crawl/'));
    expect(home.text).not.toContain('Field Notes, a stand-in site.');
    expect(home.text_truncated).toBe(false);
    expect(alpha.text.startsWith(crawlSentence('/crawl/alpha'))).toBe(true);
    expect(alpha.text.length).toBeLessThanOrEqual(1_000);
    expect(alpha.text.length).toBeGreaterThan(800);
    expect(alpha.text_truncated).toBe(true);
    const missing = data.pages.find((p: { status: number }) => p.status === 404);
    expect(missing).toEqual({
      url: `${REAL}/crawl/missing`,
      depth: 1,
      status: 404,
      text: '',
      text_truncated: false,
    });
  });

  it('stops at max_pages and reports the links it left', async () => {
    const { data } = await crawl({ start_url: START, max_pages: 3 });
    expect(summary(data.pages).map(([url]) => url)).toEqual([
      '/crawl/',
      '/crawl/alpha',
      '/crawl/beta',
    ]);
    expect(data.stopped).toBe('max_pages');
    // feed and missing at depth 1, and four links found on alpha and beta.
    expect(data.skipped.unvisited).toBe(6);
  });

  it('goes as deep as max_depth allows, and no deeper', async () => {
    const only = await crawl({ start_url: START, max_depth: 0 });
    expect(summary(only.data.pages)).toEqual([['/crawl/', 0, 200, 'Field Notes']]);
    expect(only.data.skipped.unvisited).toBe(4);
    expect(only.data).not.toHaveProperty('stopped');

    const deep = await crawl({ start_url: START, max_depth: 5 });
    expect(
      deep.data.pages.slice(-3).map((p: { url: string; depth: number }) => [p.url, p.depth]),
    ).toEqual([
      [`${REAL}/crawl/alpha/one/deep`, 3],
      // Linked relatively ("deep/deeper") from the page above.
      [`${REAL}/crawl/alpha/one/deep/deeper`, 4],
      [`${REAL}/crawl/alpha/one/deep/deeper/deepest`, 5],
    ]);
    expect(deep.data.skipped.unvisited).toBe(0);
  });

  it('follows only included path prefixes, minus excluded ones', async () => {
    const { data } = await crawl({
      start_url: START,
      include: ['/crawl/alpha', '/crawl/beta'],
      exclude: ['/crawl/beta/'],
    });
    expect(summary(data.pages).map(([url]) => url)).toEqual([
      '/crawl/',
      '/crawl/alpha',
      '/crawl/beta',
      '/crawl/alpha/one',
    ]);
    // private, report.pdf, feed, missing; then beta/two, moved and down.
    expect(data.skipped).toMatchObject({ filtered: 7, robots: 0, non_html: 0 });
  });

  it('crawls everything when the site has no robots.txt', async () => {
    const { data } = await crawl({ start_url: START, max_depth: 1 }, noRobots);
    expect(summary(data.pages).map(([url]) => url)).toContain('/crawl/private/notes');
    expect(data.skipped.robots).toBe(0);
    expect(noRobots.hits.get('/robots.txt')).toBe(1);
  });

  it('refuses a crawl robots.txt disallows, before fetching the start page', async () => {
    const { ctx } = actionContext({ start_url: START }, [REAL], banned.origin);
    await expect(webCrawl.run(ctx)).rejects.toThrow(
      new ExecutionError(`${REAL}/robots.txt disallows crawling ${START}.`),
    );
    expect(banned.hits.get('/crawl/')).toBeUndefined();
  });

  it("keeps robots.txt's Crawl-delay between requests, one at a time", async () => {
    const started = Date.now();
    const { data } = await crawl({ start_url: START, max_pages: 3 }, slow);
    // robots.txt → start → alpha → beta: three pauses of 300 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(data.crawl_delay_ms).toBe(300);
    expect(data.pages).toHaveLength(3);
  });

  it('caps a long Crawl-delay at one second', async () => {
    expect(crawlPauseMs({ crawlDelayMs: 250 })).toBe(250);
    expect(crawlPauseMs({ crawlDelayMs: 60_000 })).toBe(1_000);
    const started = Date.now();
    const { data } = await crawl({ start_url: START, max_depth: 0 }, slowest);
    expect(data.crawl_delay_ms).toBe(1_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('stops when the job is cancelled, even while waiting out a Crawl-delay', async () => {
    const { ctx } = actionContext({ start_url: START }, [REAL], slow.origin);
    const controller = new AbortController();
    ctx.signal = controller.signal;
    setTimeout(() => controller.abort(new CancelledError()), 150);
    const started = Date.now();
    await expect(webCrawl.run(ctx)).rejects.toBeInstanceOf(CancelledError);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('reads a start page that redirects, and omits the title of a page without one', async () => {
    const moved = await crawl({ start_url: `${REAL}/old`, max_depth: 0 });
    expect(moved.data.start_url).toBe(`${REAL}/old`);
    expect(summary(moved.data.pages)).toEqual([
      ['/article', 0, 200, 'Vector clocks, explained | The Example Journal'],
    ]);
    // Home, topics, about, Lamport clocks and privacy; Wikipedia is off-site.
    expect(moved.data.skipped).toMatchObject({ unvisited: 5, off_site: 1 });

    const bare = await crawl({ start_url: `${REAL}/bare` });
    expect(bare.data.pages).toEqual([
      {
        url: `${REAL}/bare`,
        depth: 0,
        status: 200,
        text: 'Just a line of text.',
        text_truncated: false,
      },
    ]);
  });

  it('fails with BlockedError when the start page is a CAPTCHA or a 429', async () => {
    const { ctx } = actionContext({ start_url: `${REAL}/blocked/captcha` }, [REAL], site.origin);
    const err = await webCrawl.run(ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlockedError);
    expect(err).toMatchObject({ jobCode: 'UPSTREAM_BLOCKED', retry: 'retry' });
    const limited = actionContext({ start_url: `${REAL}/rate-limited` }, [REAL], site.origin);
    await expect(webCrawl.run(limited.ctx)).rejects.toMatchObject({
      jobCode: 'UPSTREAM_BLOCKED',
      retryAfterMs: 7_000,
    });
  });

  it('keeps the pages it has when the site starts blocking mid-crawl', async () => {
    const { data, lines } = await crawl({ start_url: `${REAL}/products/`, max_depth: 1 });
    expect(summary(data.pages).map(([url]) => url)).toEqual([
      '/products/',
      '/products/anvil-pro',
      '/products/anvil-pro-v2',
    ]);
    expect(data.stopped).toBe('blocked');
    expect(lines.some((l) => l.startsWith('The site blocked the crawl'))).toBe(true);
  });

  it('fails a start page that is missing or not HTML', async () => {
    const missing = actionContext({ start_url: `${REAL}/crawl/missing` }, [REAL], site.origin);
    await expect(webCrawl.run(missing.ctx)).rejects.toThrow(
      new ExecutionError(`${REAL}/crawl/missing answered 404 Not Found.`),
    );
    const feed = actionContext({ start_url: `${REAL}/crawl/feed` }, [REAL], site.origin);
    await expect(webCrawl.run(feed.ctx)).rejects.toBeInstanceOf(ExecutionError);
  });
});

describe('crawl links', () => {
  it('normalises URLs for de-duplication', () => {
    expect(normaliseUrl('/a#top', 'https://Example.ORG:443/x')).toBe('https://example.org/a');
    expect(normaliseUrl('https://example.org/a?')).toBe('https://example.org/a');
    expect(normaliseUrl('https://example.org/a?b=1#c')).toBe('https://example.org/a?b=1');
    expect(normaliseUrl('mailto:x@example.org')).toBeUndefined();
    expect(normaliseUrl('http://[')).toBeUndefined();
  });

  it('bounds text at a word boundary near the limit', () => {
    expect(boundText('short', 10)).toEqual({ text: 'short', truncated: false });
    expect(boundText('alphabet soup is hot', 15)).toEqual({
      text: 'alphabet soup',
      truncated: true,
    });
    expect(boundText('abcdefghijklmnop', 5)).toEqual({ text: 'abcde', truncated: true });
  });
});
