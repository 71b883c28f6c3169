// robots.txt for web_crawl: fetched through the job's HTTP client (so the address guard and
// origin mapping apply), read per RFC 9309 with robots-parser.
import robotsParserModule from 'robots-parser';

import type { HttpClient } from '../../../runtime/index.js';

// The package is CommonJS (`module.exports = fn`) but types it as an ES default export, so under
// NodeNext its default import is typed as the module object; at run time it is the function.
const robotsParser = robotsParserModule as unknown as typeof robotsParserModule.default;

/** The product token matched against `User-agent:` groups (else the `*` group applies). */
export const ROBOTS_AGENT = 'Taskwire';

/**
 * Longest Crawl-delay honoured as asked. A longer one is capped here rather than ignored, so
 * the crawl stays as slow as it can while 100 pages still fit the job's time budget.
 */
export const MAX_CRAWL_DELAY_MS = 1_000;

export interface SiteRobots {
  /** False when robots.txt disallows the URL for our agent. */
  isAllowed(url: string): boolean;
  /** The Crawl-delay robots.txt asks of us, in ms, uncapped; 0 when it asks none. */
  crawlDelayMs: number;
  /** Whether the site has a robots.txt at all (a missing one allows everything). */
  found: boolean;
}

const ALLOW_ALL: SiteRobots = { isAllowed: () => true, crawlDelayMs: 0, found: false };

/**
 * Reads `origin`'s robots.txt. A 4xx means there is none, so everything is allowed (RFC 9309
 * §2.3.1.3); a 5xx or network failure is a TransientError from the client, so the job is
 * retried rather than crawling a site whose rules are unknown; a 429 is a BlockedError.
 */
export async function loadRobots(http: HttpClient, origin: string): Promise<SiteRobots> {
  const url = `${origin}/robots.txt`;
  const res = await http.get(url, { headers: { accept: 'text/plain, */*;q=0.1' } });
  if (res.status < 200 || res.status >= 300) return ALLOW_ALL;
  // Parsed as the origin's own file even when it was redirected to another host (RFC 9309).
  const robots = robotsParser(url, res.text);
  const delay = robots.getCrawlDelay(ROBOTS_AGENT);
  return {
    isAllowed: (page) => robots.isAllowed(page, ROBOTS_AGENT) !== false,
    crawlDelayMs:
      typeof delay === 'number' && Number.isFinite(delay) && delay > 0
        ? Math.round(delay * 1000)
        : 0,
    found: true,
  };
}

/** The pause kept between two requests of the crawl: the asked delay, capped. */
export function crawlPauseMs(robots: Pick<SiteRobots, 'crawlDelayMs'>): number {
  return Math.min(robots.crawlDelayMs, MAX_CRAWL_DELAY_MS);
}
