// hn_search against the stand-in's Algolia HN search API, through the real HTTP client.
import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { HnSearchResult } from '../../src/actions/catalogs/hackernews/hn-search.js';
import { hnSearch } from '../../src/actions/catalogs/hackernews/index.js';
import { BlockedError, ExecutionError } from '../../src/runtime/index.js';
import {
  HN_ORIGINS,
  type HackerNewsSite,
  IDS,
  startHackerNewsSite,
} from '../fixtures/sites/hackernews/site.js';
import { actionContext } from './action-context.js';

let site: HackerNewsSite;
beforeAll(async () => {
  site = await startHackerNewsSite();
});
afterAll(() => site.close());

const output = Compile(hnSearch.output);
const searchFor = async (params: Record<string, unknown>) =>
  (await hnSearch.run(actionContext(params, HN_ORIGINS, site.origin).ctx)) as HnSearchResult;

describe('hn_search', () => {
  it('returns story hits with the total match count', async () => {
    const result = await searchFor({ query: 'sqlite', tags: 'story', limit: 5 });
    expect(output.Check(result)).toBe(true);
    expect(result.hits).toHaveLength(5);
    // The Show HN story plus the 24 filler stories about SQLite.
    expect(result.total).toBe(25);
    const show = (await searchFor({ query: 'tallow', tags: 'show_hn' })).hits[0];
    expect(show).toEqual({
      id: IDS.thread,
      type: 'story',
      title: 'Show HN: Tallow – a SQLite-backed job queue in 600 lines',
      url: 'https://github.com/tcook/tallow',
      author: 'tcook_dev',
      points: 412,
      comments: 23,
      created_at: '2024-09-10T20:26:40Z',
      hn_url: `https://news.ycombinator.com/item?id=${IDS.thread}`,
    });
    expect(site.hits.at(-1)).toBe('/api/v1/search?query=tallow&tags=show_hn&hitsPerPage=20');
  });

  it('omits title, url, points and comments for comment hits, which Algolia sends as null', async () => {
    const result = await searchFor({ query: 'production', tags: 'comment' });
    expect(output.Check(result)).toBe(true);
    expect(result.hits).toHaveLength(1);
    const [hit] = result.hits;
    expect(hit).toEqual({
      id: IDS.firstComment,
      type: 'comment',
      author: 'mhartl',
      created_at: expect.stringMatching(/Z$/),
      text: 'I\'ve been running this in production for a month.\n\nThe API is "boring" & fast: see https://example.com/docs/queues/sqlite-wal-mode-and-checkpoints\n\nEdit: typo.',
      story_id: IDS.thread,
      hn_url: `https://news.ycombinator.com/item?id=${IDS.firstComment}`,
    });
    expect(JSON.stringify(result)).not.toContain('null');
  });

  it('returns an Ask HN post with its text as plain text and no url', async () => {
    const { hits } = await searchFor({ query: '', tags: 'ask_hn' });
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({
      id: IDS.ask,
      text: 'We\'re 4 engineers. Is a queue in Postgres "enough"?\n\nContext: ~200 jobs/s peak.',
    });
    expect(hits[0]).not.toHaveProperty('url');
  });

  it('sorts newest first with sort: date', async () => {
    const { hits } = await searchFor({ query: 'story number', sort: 'date', limit: 10 });
    const times = hits.map((h) => h.created_at);
    expect(times).toEqual([...times].sort().reverse());
    expect(site.hits.at(-1)).toMatch(/^\/api\/v1\/search_by_date\?/);
  });

  it('returns no hits and a zero total when nothing matches', async () => {
    await expect(searchFor({ query: 'zzzz-no-such-words' })).resolves.toEqual({
      query: 'zzzz-no-such-words',
      total: 0,
      hits: [],
    });
  });

  it("fails with Algolia's own message when it refuses the query", async () => {
    // The params schema admits only known tags; this reaches the API to check the mapping.
    const run = searchFor({ query: 'x', tags: 'story,,comment' });
    await expect(run).rejects.toThrow(ExecutionError);
    await expect(run).rejects.toThrow(
      'hn.algolia.com answered HTTP 400: invalid tags: story,,comment.',
    );
  });

  it('reports a 429 as a block', async () => {
    site.rateLimited = true;
    try {
      await expect(searchFor({ query: 'rust' })).rejects.toThrow(BlockedError);
    } finally {
      site.rateLimited = false;
    }
  });
});

describe('hn_search params', () => {
  const params = Compile(hnSearch.params);

  it('requires a query and accepts only known tags and bounds', () => {
    expect(params.Check({ query: 'rust', tags: 'comment', sort: 'date', limit: 100 })).toBe(true);
    expect(params.Check({})).toBe(false);
    expect(params.Check({ query: 'rust', tags: 'author_pg' })).toBe(false);
    expect(params.Check({ query: 'rust', limit: 101 })).toBe(false);
    expect(params.Check({ query: 'x'.repeat(501) })).toBe(false);
    expect(params.Check({ query: 'rust', page: 2 })).toBe(false);
  });
});
