// li_profile_posts: a member's recent posts from their "All activity" page, loading more the way
// the page's infinite scroll does (Voyager profileUpdatesV2 with a start offset and token).
import { type Static, Type } from 'typebox';

import { BlockedError, ExecutionError } from '../../../runtime/index.js';
import { defineAction } from '../../define.js';
import { embeddedUpdates, type Post, parseUpdates } from './activity-parse.js';
import { fetchLinkedInPage, isChallengeText, voyager } from './linkedin-client.js';
import { normaliseProfileUrl } from './profile-parse.js';

/** LinkedIn loads 20 updates a batch; 100 posts need 5, plus slack for non-post updates. */
const MAX_BATCHES = 8;
const UPDATES_PATH = '/voyager/api/identity/profileUpdatesV2';

const output = Type.Object({
  profile_url: Type.String(),
  posts: Type.Array(
    Type.Object({
      activity_urn: Type.String({ description: 'urn:li:activity:<id>' }),
      url: Type.String({
        description: 'https://www.linkedin.com/feed/update/urn:li:activity:<id>/',
      }),
      text: Type.Optional(
        Type.String({ description: 'Omitted for image- or document-only posts.' }),
      ),
      posted: Type.Optional(
        Type.String({
          description: 'The age LinkedIn shows, e.g. "3h", "2d", "5w", "4mo", "1yr".',
        }),
      ),
      posted_at: Type.Optional(
        Type.String({ description: 'ISO-8601 time of posting, read from the activity id.' }),
      ),
      edited: Type.Boolean(),
      reactions: Type.Integer({ minimum: 0 }),
      comments: Type.Integer({ minimum: 0 }),
      reposts: Type.Integer({ minimum: 0 }),
    }),
  ),
});

/** The result of li_profile_posts. */
export type LiProfilePostsResult = Static<typeof output>;

/** The next batch's request: the page's own bootstrap call, moved on to `start`. */
function nextRequest(first: string, start: number, token: string): string {
  const url = new URL(first, 'https://www.linkedin.com');
  url.searchParams.set('start', String(start));
  url.searchParams.set('paginationToken', token);
  return `${url.pathname}${url.search}`;
}

/** Lists a member's recent posts with the connected LinkedIn login. */
export const liProfilePosts = defineAction({
  id: 'li_profile_posts',
  name: 'LinkedIn posts',
  description:
    "Lists a LinkedIn member's recent posts from their activity feed, newest first: text, when it was posted, reaction, comment and repost counts, and the post's URL. Needs your LinkedIn login.",
  tags: ['linkedin', 'posts', 'activity', 'feed', 'social'],
  authMode: 'required',
  credits: 2,
  type: 'read',
  params: Type.Object(
    {
      profile_url: Type.String({
        pattern: '^https://(www\\.)?linkedin\\.com/in/[A-Za-z0-9_%-]+/?$',
        maxLength: 512,
        description:
          'The member whose posts to read, e.g. https://www.linkedin.com/in/williamhgates/',
      }),
      limit: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: 100,
          default: 20,
          description: 'How many posts to return at most (1-100).',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  output,
  async run(ctx) {
    const limit = ctx.params.limit ?? 20;
    const profileUrl = normaliseProfileUrl(ctx.params.profile_url) ?? ctx.params.profile_url;
    const pageUrl = `${profileUrl.replace(/\/?$/, '/')}recent-activity/all/`;
    ctx.log('Fetching LinkedIn activity', { url: pageUrl, limit });
    const res = await fetchLinkedInPage(ctx.http, pageUrl, {
      what: 'the activity page',
      signedIn: true,
    });
    if (res.status === 404) throw new ExecutionError(`LinkedIn has no profile at ${profileUrl}`);
    if (res.status !== 200)
      throw new ExecutionError(`LinkedIn answered HTTP ${res.status} for ${pageUrl}`);
    const first = embeddedUpdates(res.text);
    if (!first) {
      // A challenge served in place, without a redirect, is a block rather than bad markup.
      if (isChallengeText(res.text)) {
        throw new BlockedError(
          'LinkedIn showed an "unusual activity" security check instead of the activity page.',
        );
      }
      throw new ExecutionError("LinkedIn's activity page carried no activity data.");
    }
    // Only LinkedIn's own feed endpoint gets the session; a page naming anything else is ignored.
    const request = first.request.startsWith(`${UPDATES_PATH}?`) ? first.request : undefined;

    const posts: Post[] = [];
    const seen = new Set<string>();
    let batch = parseUpdates(first.body);
    let start = 0;
    for (let batches = 1; ; batches++) {
      for (const p of batch.posts) {
        if (!seen.has(p.activity_urn)) posts.push(p);
        seen.add(p.activity_urn);
      }
      start += batch.size;
      ctx.log('Read a batch of LinkedIn activity', { batch: batches, updates: batch.size });
      // An empty batch is the end of the feed; LinkedIn hands out a token regardless.
      if (posts.length >= limit || batch.size === 0 || !batch.paginationToken) break;
      if (!request || batches >= MAX_BATCHES) break;
      const more = await voyager(ctx.http, nextRequest(request, start, batch.paginationToken), {
        what: "the member's activity",
      });
      if (more.status !== 200) {
        throw new ExecutionError(
          `LinkedIn answered HTTP ${more.status} when loading more activity.`,
        );
      }
      batch = parseUpdates(more.body);
    }
    return { profile_url: profileUrl, posts: posts.slice(0, limit) };
  },
});
