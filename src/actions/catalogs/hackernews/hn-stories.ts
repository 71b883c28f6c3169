// hn_stories: the front page, newest or best stories, through the official Firebase API.
import { type Static, Type } from 'typebox';

import { ExecutionError } from '../../../runtime/index.js';
import { defineAction } from '../../define.js';
import { FIREBASE_ORIGIN, fetchItems, hnItemUrl, getJson } from './hn-client.js';
import { defined, type HnItem, isLive, isoTime, siteOf } from './item-parse.js';

/** Which Firebase list each `list` value reads (topstories holds 500 ids, beststories 200). */
const LISTS = { top: 'topstories', new: 'newstories', best: 'beststories' } as const;
/** Item types those lists hold; anything else in them is skipped. */
const STORY_TYPES = new Set(['story', 'job', 'poll']);

const story = Type.Object({
  id: Type.Integer(),
  type: Type.String({ description: 'story, job or poll.' }),
  title: Type.String(),
  url: Type.Optional(Type.String({ description: 'Omitted for Ask HN posts and text-only jobs.' })),
  site: Type.Optional(Type.String({ description: "The link's host, as HN shows it." })),
  score: Type.Integer(),
  by: Type.String(),
  time: Type.String({ description: 'Submission time, ISO-8601 UTC.' }),
  comments: Type.Integer({ description: 'Total comments (0 for jobs).' }),
  hn_url: Type.String(),
});

type Story = Static<typeof story>;

function toStory(item: HnItem): Story | undefined {
  if (!STORY_TYPES.has(item.type) || !item.title || !item.by || item.time === undefined)
    return undefined;
  return defined({
    id: item.id,
    type: item.type,
    title: item.title,
    url: item.url,
    site: siteOf(item.url),
    score: item.score ?? 0,
    by: item.by,
    time: isoTime(item.time),
    comments: item.descendants ?? 0,
    hn_url: hnItemUrl(item.id),
  });
}

const output = Type.Object({
  list: Type.String(),
  stories: Type.Array(story),
});

/** The result of hn_stories. */
export type HnStoriesResult = Static<typeof output>;

/** Lists Hacker News stories in the order HN ranks them. */
export const hnStories = defineAction({
  id: 'hn_stories',
  name: 'Hacker News stories',
  description:
    'Lists the current Hacker News top, new or best stories in ranked order: title, link, score, author, time and comment count.',
  tags: ['hackernews', 'news', 'stories', 'front page'],
  authMode: 'none',
  credits: 1,
  params: Type.Object(
    {
      list: Type.Optional(
        Type.Union([Type.Literal('top'), Type.Literal('new'), Type.Literal('best')], {
          default: 'top',
          description: 'top (the front page), new (newest first) or best (highest rated lately).',
        }),
      ),
      limit: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: 100,
          default: 30,
          description: 'How many stories to return (1-100); deleted and dead ones are skipped.',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  output,
  async run(ctx) {
    const list = ctx.params.list ?? 'top';
    const limit = ctx.params.limit ?? 30;
    const ids: unknown = await getJson(ctx.http, `${FIREBASE_ORIGIN}/v0/${LISTS[list]}.json`);
    if (!Array.isArray(ids)) {
      throw new ExecutionError(`The Hacker News API sent no id list for '${list}' stories.`);
    }
    const ranked = ids.filter((id): id is number => Number.isInteger(id) && id > 0);
    ctx.log('Fetched Hacker News story list', { list, ids: ranked.length });

    // Fetch only as many items as are still needed, so skipped items cost one more round
    // rather than an over-fetch of the whole list.
    const stories: Story[] = [];
    let next = 0;
    let skipped = 0;
    while (stories.length < limit && next < ranked.length) {
      const batch = ranked.slice(next, next + limit - stories.length);
      next += batch.length;
      for (const item of await fetchItems(ctx.http, batch)) {
        const found = isLive(item) ? toStory(item) : undefined;
        if (found) stories.push(found);
        else skipped += 1;
      }
    }
    ctx.log('Fetched Hacker News stories', { returned: stories.length, skipped });
    return { list, stories };
  },
});
