// hn_item against the Hacker News stand-in: the item, its comment tree, the caps and failures.
import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { CommentNode } from '../../src/actions/catalogs/hackernews/comment-tree.js';
import type { HnItemResult } from '../../src/actions/catalogs/hackernews/hn-item.js';
import { hnItem } from '../../src/actions/catalogs/hackernews/index.js';
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

const output = Compile(hnItem.output);
const item = async (params: Record<string, unknown>, on = site) =>
  (await hnItem.run(actionContext(params, HN_ORIGINS, on.origin).ctx)) as HnItemResult;

/** Every comment in the tree, depth first. */
const flatten = (nodes: CommentNode[]): CommentNode[] =>
  nodes.flatMap((n) => [n, ...flatten(n.replies)]);
/** How many levels the tree has. */
const depthOf = (nodes: CommentNode[]): number =>
  nodes.length ? 1 + Math.max(...nodes.map((n) => depthOf(n.replies))) : 0;

describe('hn_item', () => {
  it('returns a story with three levels of comments, deleted and dead ones left out', async () => {
    const result = await item({ id: IDS.thread });
    expect(output.Check(result)).toBe(true);
    expect(result).toMatchObject({
      id: IDS.thread,
      type: 'story',
      title: 'Show HN: Tallow – a SQLite-backed job queue in 600 lines',
      site: 'github.com',
      by: 'tcook_dev',
      score: 412,
      comments_count: 23,
      truncated: true,
    });
    expect(result.comments.map((c) => c.id)).toEqual([
      IDS.firstComment,
      IDS.codeComment,
      IDS.busyComment,
    ]);
    expect(depthOf(result.comments)).toBe(3);
    const [first, code, busy] = result.comments;
    expect(first?.text).toBe(
      'I\'ve been running this in production for a month.\n\nThe API is "boring" & fast: see https://example.com/docs/queues/sqlite-wal-mode-and-checkpoints\n\nEdit: typo.',
    );
    expect(code?.text).toBe(
      "How do you claim jobs?\n\n  UPDATE jobs SET status = 'running'\n  WHERE id = ? AND status = 'queued';\n\nLike that?",
    );
    expect(busy?.replies).toHaveLength(12);
    // The chain goes on below the third level: that comment says how many replies it has.
    expect(first?.replies[0]?.replies[0]).toMatchObject({ more_replies: 1, replies: [] });
    const ids = flatten(result.comments).map((c) => c.id);
    expect(ids).not.toContain(IDS.deletedComment);
    expect(ids).not.toContain(IDS.deadComment);
  });

  it('reads the whole thread when the caps allow it, matching HN’s comment count', async () => {
    const result = await item({ id: IDS.thread, max_depth: 10, max_comments: 1000 });
    expect(result.truncated).toBe(false);
    expect(flatten(result.comments)).toHaveLength(result.comments_count ?? -1);
    expect(depthOf(result.comments)).toBe(9);
    expect(JSON.stringify(result)).not.toContain('more_replies');
  });

  it('keeps the shallowest comments when max_comments runs out', async () => {
    const result = await item({ id: IDS.thread, max_depth: 10, max_comments: 4 });
    expect(output.Check(result)).toBe(true);
    expect(flatten(result.comments).map((c) => c.id)).toEqual([
      IDS.firstComment,
      IDS.chainStart,
      IDS.codeComment,
      IDS.busyComment,
    ]);
    expect(result.truncated).toBe(true);
    expect(result.comments[2]).toMatchObject({ more_replies: 12, replies: [] });
    expect(result.comments[0]?.replies[0]).toMatchObject({ more_replies: 1 });
  });

  it('returns no comments with max_depth 0', async () => {
    const result = await item({ id: IDS.thread, max_depth: 0 });
    expect(result).toMatchObject({ comments: [], truncated: true });
  });

  it('returns an Ask HN post with its text and no url or site', async () => {
    const result = await item({ id: IDS.ask });
    expect(output.Check(result)).toBe(true);
    expect(result.text).toBe(
      'We\'re 4 engineers. Is a queue in Postgres "enough"?\n\nContext: ~200 jobs/s peak.',
    );
    expect(result).not.toHaveProperty('url');
    expect(result).not.toHaveProperty('site');
    expect(result.comments).toHaveLength(1);
  });

  it('returns a job, which has no comments or comment count', async () => {
    const result = await item({ id: IDS.job });
    expect(output.Check(result)).toBe(true);
    expect(result).toMatchObject({ type: 'job', comments: [], truncated: false });
    expect(result).not.toHaveProperty('comments_count');
    expect(JSON.stringify(result)).not.toContain('null');
  });

  it('returns a comment with its parent and its own replies', async () => {
    const result = await item({ id: IDS.busyComment, max_depth: 1 });
    expect(output.Check(result)).toBe(true);
    expect(result).toMatchObject({ type: 'comment', parent: IDS.thread, by: 'rvb' });
    expect(result).not.toHaveProperty('title');
    expect(result.comments).toHaveLength(12);
  });

  it.each([
    [IDS.missing, `Hacker News has no item ${IDS.missing}.`],
    [IDS.deletedStory, `Hacker News item ${IDS.deletedStory} was deleted.`],
    [IDS.deadStory, `Hacker News item ${IDS.deadStory} is dead (flagged or killed).`],
  ])('fails without retry for item %i', async (id, message) => {
    const run = item({ id });
    await expect(run).rejects.toThrow(ExecutionError);
    await expect(run).rejects.toThrow(message);
  });

  it('keeps at most 8 requests in flight while walking the tree', async () => {
    const slow = await startHackerNewsSite({ itemDelayMs: 15 });
    try {
      await item({ id: IDS.thread, max_depth: 10 }, slow);
      expect(slow.maxInFlight).toBeGreaterThan(1);
      expect(slow.maxInFlight).toBeLessThanOrEqual(8);
    } finally {
      await slow.close();
    }
  });

  it('reports a rate limit hit while reading the comments as a block', async () => {
    const limited = await startHackerNewsSite();
    limited.blockAfter = 3;
    try {
      const failure = await item({ id: IDS.thread }, limited).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(BlockedError);
      expect(failure).toMatchObject({ jobCode: 'UPSTREAM_BLOCKED', retryAfterMs: 30_000 });
    } finally {
      await limited.close();
    }
  });

  it('links to the item page the stand-in serves as news.ycombinator.com does', async () => {
    const { ctx } = actionContext({}, HN_ORIGINS, site.origin);
    const page = await ctx.http.get(`https://news.ycombinator.com/item?id=${IDS.thread}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<table class="fatitem"');
    expect(page.text).toContain(`id="score_${IDS.thread}">412 points`);
  });
});

describe('hn_item params', () => {
  const params = Compile(hnItem.params);

  it('needs a positive integer id and bounded caps', () => {
    expect(params.Default({ id: 1 })).toEqual({ id: 1, max_depth: 3, max_comments: 200 });
    expect(params.Check({ id: 8863, max_depth: 10, max_comments: 1000 })).toBe(true);
    for (const bad of [
      {},
      { id: 0 },
      { id: -5 },
      { id: '8863' },
      { id: 1, max_depth: 11 },
      { id: 1, max_comments: 1001 },
      { id: 1, other: 1 },
    ])
      expect(params.Check(bad)).toBe(false);
  });
});
