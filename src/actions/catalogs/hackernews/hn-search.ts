// hn_search: full-text search over Hacker News stories and comments through Algolia's HN API.
import { type Static, Type } from 'typebox';

import { defineAction } from '../../define.js';
import { parseSearch } from './algolia-parse.js';
import { ALGOLIA_ORIGIN, getJson } from './hn-client.js';

/** Algolia's item-kind tags; `front_page` matches what is on the front page now. */
const TAGS = ['story', 'comment', 'ask_hn', 'show_hn', 'poll', 'job', 'front_page'] as const;

const hit = Type.Object({
  id: Type.Integer(),
  type: Type.Optional(Type.String({ description: 'story, comment, poll, pollopt or job.' })),
  title: Type.Optional(Type.String({ description: 'Stories, polls and jobs only.' })),
  url: Type.Optional(Type.String()),
  author: Type.String(),
  points: Type.Optional(Type.Integer({ description: 'Omitted for comments.' })),
  comments: Type.Optional(Type.Integer({ description: 'Comment count; omitted for comments.' })),
  created_at: Type.String({ description: 'ISO-8601 UTC.' }),
  text: Type.Optional(
    Type.String({
      description: 'Comment or post text as plain text; paragraphs blank-line separated.',
    }),
  ),
  story_id: Type.Optional(Type.Integer({ description: "A comment's story." })),
  hn_url: Type.String(),
});

const output = Type.Object({
  query: Type.String(),
  total: Type.Integer({ description: 'How many items match in all (Algolia nbHits).' }),
  hits: Type.Array(hit),
});

/** The result of hn_search. */
export type HnSearchResult = Static<typeof output>;

/** Searches Hacker News by relevance or by date. */
export const hnSearch = defineAction({
  id: 'hn_search',
  name: 'Search Hacker News',
  description:
    'Searches Hacker News stories and comments (via Algolia), by relevance or newest first, optionally only one kind such as stories, comments, Ask HN or Show HN.',
  tags: ['hackernews', 'news', 'search', 'comments'],
  authMode: 'none',
  credits: 1,
  params: Type.Object(
    {
      query: Type.String({
        maxLength: 500,
        description:
          'Search terms, e.g. "sqlite wal". Empty matches everything (narrow it with tags).',
      }),
      tags: Type.Optional(
        Type.Union(
          TAGS.map((t) => Type.Literal(t)),
          { description: `Only this kind of item: ${TAGS.join(', ')}.` },
        ),
      ),
      sort: Type.Optional(
        Type.Union([Type.Literal('relevance'), Type.Literal('date')], {
          default: 'relevance',
          description: 'relevance (best match first) or date (newest first).',
        }),
      ),
      limit: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: 100,
          default: 20,
          description: 'How many hits to return (1-100).',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  output,
  async run(ctx) {
    const { query, tags } = ctx.params;
    const limit = ctx.params.limit ?? 20;
    const search = new URLSearchParams({ query });
    if (tags) search.set('tags', tags);
    search.set('hitsPerPage', String(limit));
    const endpoint = ctx.params.sort === 'date' ? 'search_by_date' : 'search';
    ctx.log('Searching Hacker News', { query, tags, endpoint });

    const page = parseSearch(
      await getJson(ctx.http, `${ALGOLIA_ORIGIN}/api/v1/${endpoint}?${search.toString()}`),
    );
    ctx.log('Searched Hacker News', { total: page.total, returned: page.hits.length });
    return { query, total: page.total, hits: page.hits.slice(0, limit) };
  },
});
