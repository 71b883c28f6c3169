// hn_stories against the Hacker News stand-in, through the real HTTP client.
import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { hnStories } from '../../src/actions/catalogs/hackernews/index.js';
import type { HnStoriesResult } from '../../src/actions/catalogs/hackernews/hn-stories.js';
import { BlockedError } from '../../src/runtime/index.js';
import {
  HN_ORIGINS,
  type HackerNewsSite,
  IDS,
  LISTS,
  startHackerNewsSite,
} from '../fixtures/sites/hackernews/site.js';
import { actionContext } from './action-context.js';

let site: HackerNewsSite;
beforeAll(async () => {
  site = await startHackerNewsSite();
});
afterAll(() => site.close());

const output = Compile(hnStories.output);
const stories = async (params: Record<string, unknown>, on = site) =>
  (await hnStories.run(actionContext(params, HN_ORIGINS, on.origin).ctx)) as HnStoriesResult;

describe('hn_stories', () => {
  it('returns the front page in rank order, skipping deleted and dead stories', async () => {
    const result = await stories({ list: 'top', limit: 5 });
    expect(output.Check(result)).toBe(true);
    expect(result.list).toBe('top');
    expect(result.stories.map((s) => s.id)).toEqual([
      IDS.thread,
      IDS.ask,
      IDS.job,
      IDS.quiet,
      LISTS.topstories[6],
    ]);
    expect(result.stories[0]).toEqual({
      id: IDS.thread,
      type: 'story',
      title: 'Show HN: Tallow – a SQLite-backed job queue in 600 lines',
      url: 'https://github.com/tcook/tallow',
      site: 'github.com',
      score: 412,
      by: 'tcook_dev',
      time: '2024-09-10T20:26:40.000Z',
      comments: 23,
      hn_url: `https://news.ycombinator.com/item?id=${IDS.thread}`,
    });
  });

  it('omits url and site for an Ask HN post and counts no comments on a job', async () => {
    const result = await stories({ limit: 4 });
    const ask = result.stories.find((s) => s.id === IDS.ask);
    const job = result.stories.find((s) => s.id === IDS.job);
    expect(ask).not.toHaveProperty('url');
    expect(ask).not.toHaveProperty('site');
    expect(job).toMatchObject({ type: 'job', comments: 0, site: 'acme-robotics.example' });
    expect(JSON.stringify(result)).not.toContain('null');
  });

  it('uses top and 30 when list and limit are omitted', async () => {
    const result = await stories({});
    expect(result.list).toBe('top');
    expect(result.stories).toHaveLength(30);
  });

  it('reads the new and best lists', async () => {
    const fresh = await stories({ list: 'new', limit: 3 });
    expect(fresh.stories.map((s) => s.id)).toEqual([IDS.job, IDS.ask, IDS.quiet]);
    const best = await stories({ list: 'best', limit: 100 });
    // beststories holds fewer live stories than asked for: all of them, no more.
    expect(best.stories).toHaveLength(62);
    expect(best.stories.at(-1)?.id).toBe(IDS.ask);
  });

  it('fetches only as many items as it still needs', async () => {
    const before = site.hits.length;
    await stories({ limit: 5 });
    const items = site.hits.slice(before).filter((h) => h.startsWith('/v0/item/'));
    // 5 asked, 2 of them deleted or dead, then 2 more.
    expect(items).toHaveLength(7);
  });

  it('keeps at most 8 item requests in flight', async () => {
    const slow = await startHackerNewsSite({ itemDelayMs: 15 });
    try {
      const result = await stories({ limit: 60 }, slow);
      expect(result.stories).toHaveLength(60);
      expect(slow.maxInFlight).toBeGreaterThan(1);
      expect(slow.maxInFlight).toBeLessThanOrEqual(8);
    } finally {
      await slow.close();
    }
  });

  it('reports a 429 from the API as a block to retry after Retry-After', async () => {
    site.rateLimited = true;
    try {
      const failure = await stories({ limit: 3 }).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(BlockedError);
      expect(failure).toMatchObject({ retry: 'retry', retryAfterMs: 30_000 });
    } finally {
      site.rateLimited = false;
    }
  });

  it('reports a rate limit that starts partway through the items as a block', async () => {
    const limited = await startHackerNewsSite();
    limited.blockAfter = 4;
    try {
      await expect(stories({ limit: 20 }, limited)).rejects.toThrow(BlockedError);
    } finally {
      await limited.close();
    }
  });
});

describe('hn_stories params', () => {
  const params = Compile(hnStories.params);

  it('accepts the documented values and applies defaults', () => {
    expect(params.Check({ list: 'best', limit: 100 })).toBe(true);
    expect(params.Default({})).toEqual({ list: 'top', limit: 30 });
  });

  it.each([
    [{ list: 'ask' }],
    [{ limit: 0 }],
    [{ limit: 101 }],
    [{ limit: 2.5 }],
    [{ extra: true }],
  ])('rejects %j', (value) => {
    expect(params.Check(value)).toBe(false);
  });
});
