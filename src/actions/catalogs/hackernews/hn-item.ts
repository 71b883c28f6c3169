// hn_item: one Hacker News item (story, Ask HN, job, poll or comment) with its comment tree.
import { type Static, Type } from 'typebox';

import { ExecutionError } from '../../../runtime/index.js';
import { defineAction } from '../../define.js';
import { fetchCommentTree } from './comment-tree.js';
import { fetchItems, hnItemUrl } from './hn-client.js';
import { optionalText } from './html-text.js';
import { defined, isoTime, siteOf } from './item-parse.js';

/** A comment and its replies: a cyclic schema, so the tree can be any depth max_depth allows. */
const comment = Type.Cyclic(
  {
    Comment: Type.Object({
      id: Type.Integer(),
      by: Type.String(),
      time: Type.String({ description: 'ISO-8601 UTC.' }),
      text: Type.Optional(
        Type.String({ description: 'Plain text; paragraphs separated by blank lines.' }),
      ),
      more_replies: Type.Optional(
        Type.Integer({ description: 'Replies not fetched because of max_depth or max_comments.' }),
      ),
      replies: Type.Array(Type.Ref('Comment')),
    }),
  },
  'Comment',
);

const output = Type.Object({
  id: Type.Integer(),
  type: Type.String({ description: 'story, comment, job, poll or pollopt.' }),
  title: Type.Optional(Type.String()),
  url: Type.Optional(Type.String()),
  site: Type.Optional(Type.String()),
  by: Type.Optional(Type.String()),
  score: Type.Optional(Type.Integer()),
  time: Type.String({ description: 'ISO-8601 UTC.' }),
  text: Type.Optional(Type.String({ description: 'Ask HN / job / comment text, plain.' })),
  parent: Type.Optional(Type.Integer({ description: "A comment's parent item." })),
  comments_count: Type.Optional(
    Type.Integer({ description: 'All comments on HN (descendants), fetched or not.' }),
  ),
  hn_url: Type.String(),
  comments: Type.Array(comment),
  truncated: Type.Boolean({ description: 'True when max_depth or max_comments cut replies.' }),
});

/** The result of hn_item: the item and its comment tree. */
export type HnItemResult = Static<typeof output>;

/** Reads one item and its discussion. */
export const hnItem = defineAction({
  id: 'hn_item',
  name: 'Hacker News item with comments',
  description:
    'Fetches one Hacker News item (story, Ask HN, job, poll or comment) with its comment tree as plain text, deleted and dead comments left out.',
  tags: ['hackernews', 'news', 'comments', 'thread', 'discussion'],
  authMode: 'none',
  credits: 2,
  params: Type.Object(
    {
      id: Type.Integer({
        minimum: 1,
        maximum: 2_147_483_647,
        description: 'The item id, as in https://news.ycombinator.com/item?id=8863',
      }),
      max_depth: Type.Optional(
        Type.Integer({
          minimum: 0,
          maximum: 10,
          default: 3,
          description: 'Reply levels to read: 1 = direct replies only, 0 = no comments.',
        }),
      ),
      max_comments: Type.Optional(
        Type.Integer({
          minimum: 0,
          maximum: 1000,
          default: 200,
          description: 'Comments to return at most; the shallowest are kept.',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  output,
  async run(ctx) {
    const { id } = ctx.params;
    const [item] = await fetchItems(ctx.http, [id]);
    if (!item) throw new ExecutionError(`Hacker News has no item ${id}.`);
    if (item.deleted) throw new ExecutionError(`Hacker News item ${id} was deleted.`);
    if (item.dead) throw new ExecutionError(`Hacker News item ${id} is dead (flagged or killed).`);
    if (item.time === undefined) throw new ExecutionError(`Hacker News item ${id} has no time.`);

    const tree = await fetchCommentTree(ctx.http, item, {
      maxDepth: ctx.params.max_depth ?? 3,
      maxComments: ctx.params.max_comments ?? 200,
    });
    ctx.log('Fetched Hacker News item', {
      id,
      kept: tree.comments.length,
      skipped: tree.skipped,
      truncated: tree.truncated,
    });
    return defined({
      id: item.id,
      type: item.type,
      title: item.title,
      url: item.url,
      site: siteOf(item.url),
      by: item.by,
      score: item.score,
      time: isoTime(item.time),
      text: optionalText(item.text),
      parent: item.parent,
      comments_count: item.descendants,
      hn_url: hnItemUrl(item.id),
      comments: tree.comments,
      truncated: tree.truncated,
    });
  },
});
