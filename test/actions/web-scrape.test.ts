// web_scrape end to end against the loopback stand-in, reached through its real origin.
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ActionContext } from '../../src/actions/define.js';
import { webCatalog, webScrape } from '../../src/actions/catalogs/web/index.js';
import {
  createHttpClient,
  createJobBrowser,
  createJobFiles,
  ExecutionError,
  InvalidTargetError,
} from '../../src/runtime/index.js';
import { startWebSite, type WebSite } from '../fixtures/sites/web/site.js';

const REAL = 'https://www.example.org';

let site: WebSite;

beforeAll(async () => {
  site = await startWebSite({ host: '127.0.0.2' });
});
afterAll(() => site.close());

/** Runs the action the way the engine does: params in, plain JSON out. */
async function scrape(params: Record<string, unknown>) {
  const logs: string[] = [];
  const controller = new AbortController();
  const ctx: ActionContext<Record<string, unknown>> = {
    params,
    http: createHttpClient({
      originMap: new Map([[REAL, site.origin]]),
      guard: { allowPrivate: false, allowCidrs: [] },
      maxBytes: 2_000_000,
      timeoutMs: 5_000,
      signal: controller.signal,
    }),
    browser: createJobBrowser(undefined, {}).browser,
    files: createJobFiles().files,
    credential: undefined,
    signal: controller.signal,
    log: (message) => logs.push(message),
    attempt: 1,
  };
  const data = (await webScrape.run(ctx)) as Record<string, unknown>;
  return { data, logs };
}

describe('web_scrape', () => {
  it('is declared as an anonymous, one-credit read in the web catalog', () => {
    expect(webScrape).toMatchObject({
      id: 'web_scrape',
      authMode: 'none',
      credits: 1,
      type: 'read',
      mode: 'async',
    });
    expect(webCatalog).toMatchObject({ slug: 'web', domain: '*', authTypes: [] });
    expect(webCatalog.actions).toContain(webScrape);
    expect(Value.Check(webScrape.params, { url: `${REAL}/x`, max_links: 5 })).toBe(true);
    expect(Value.Check(webScrape.params, { url: `${REAL}/x`, extra: 1 })).toBe(false);
  });

  it('extracts metadata, structure and the article text from a redirected page', async () => {
    const { data, logs } = await scrape({ url: `${REAL}/old` });

    expect(Value.Check(webScrape.output, data)).toBe(true);
    expect(data).toMatchObject({
      url: `${REAL}/article`,
      status_code: 200,
      title: 'Vector clocks, explained | The Example Journal',
      description: 'How vector clocks order events in distributed systems.',
      canonical_url: `${REAL}/articles/vector-clocks`,
      language: 'en-GB',
      open_graph: {
        title: 'Vector clocks, explained',
        type: 'article',
        image: 'https://cdn.example.org/img/clocks.png',
        site_name: 'The Example Journal',
      },
    });
    expect(data.headings).toEqual([
      { level: 1, text: 'Vector clocks, explained' },
      { level: 2, text: 'Why wall clocks are not enough' },
      { level: 3, text: 'A worked example' },
      { level: 2, text: 'When to use them' },
    ]);
    // The malformed JSON-LD block is skipped; the valid one is kept whole.
    expect(data.json_ld).toEqual([
      expect.objectContaining({ '@type': 'NewsArticle', headline: 'Vector clocks, explained' }),
    ]);
    expect(logs).toContain('Fetching page');
  });

  it('returns the main text without scripts, navigation or footer', async () => {
    const { data } = await scrape({ url: `${REAL}/article` });
    const text = data.text as string;
    expect(text).toContain('Vector clocks give every replica a counter per peer');
    expect(text).toContain('only then reach for causal metadata like this.');
    // Paragraphs stay separate, and a paragraph's own line breaks do not split it.
    expect(text).toMatch(/neither did\.\n\nUnlike wall clocks/);
    expect(text).toContain('Read the encyclopedia entry or the history section.');
    for (const chrome of ['All rights reserved', 'About us', 'analytics', 'font-family']) {
      expect(text).not.toContain(chrome);
    }
    const words = text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
    expect(data.word_count).toBe(words);
    expect(data.word_count).toBeGreaterThan(100);
  });

  it('returns absolute, de-duplicated http(s) links with their text, capped by max_links', async () => {
    const { data } = await scrape({ url: `${REAL}/article` });
    expect(data.links).toEqual([
      { url: `${REAL}/`, text: 'Home' },
      { url: `${REAL}/topics/distributed-systems`, text: 'Distributed systems' },
      { url: `${REAL}/about`, text: 'About us' },
      // The relative link and the absolute #history one are the same page.
      { url: `${REAL}/articles/lamport-clocks`, text: 'Lamport clocks' },
      { url: 'https://en.wikipedia.org/wiki/Vector_clock', text: 'encyclopedia entry' },
      { url: `${REAL}/privacy`, text: 'Privacy' },
    ]);
    const capped = await scrape({ url: `${REAL}/article`, max_links: 2 });
    expect(capped.data.links).toHaveLength(2);
    const none = await scrape({ url: `${REAL}/article`, max_links: 0 });
    expect(none.data.links).toEqual([]);
  });

  it('decodes a gzip-encoded page', async () => {
    const { data } = await scrape({ url: `${REAL}/gzip` });
    expect(data.title).toBe('Vector clocks, explained | The Example Journal');
  });

  it('omits optional fields a page does not have, never null', async () => {
    const { data } = await scrape({ url: `${REAL}/bare` });
    for (const key of ['title', 'description', 'canonical_url', 'language']) {
      expect(data, key).not.toHaveProperty(key);
    }
    expect(Object.values(data)).not.toContain(null);
    expect(data).toMatchObject({
      text: 'Just a line of text.',
      word_count: 5,
      headings: [],
      links: [],
      open_graph: {},
      json_ld: [],
    });
    expect(Value.Check(webScrape.output, data)).toBe(true);
  });

  it('fails with the status on a 404', async () => {
    const err = await scrape({ url: `${REAL}/no-such-page` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExecutionError);
    expect((err as Error).message).toBe(`${REAL}/no-such-page answered 404 Not Found.`);
  });

  it('refuses a page that is not HTML', async () => {
    await expect(scrape({ url: `${REAL}/api/data.json` })).rejects.toThrow(
      new ExecutionError(
        `${REAL}/api/data.json is not an HTML page (content-type application/json).`,
      ),
    );
  });

  it('refuses private targets outside the configured origins', async () => {
    await expect(scrape({ url: `${site.origin}/article` })).rejects.toBeInstanceOf(
      InvalidTargetError,
    );
  });
});
