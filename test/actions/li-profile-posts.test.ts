// li_profile_posts against the LinkedIn stand-in: the embedded first batch of the "All activity"
// page, more batches through Voyager with start offsets and pagination tokens, posts without
// text, a member with no posts, blocks, and a session that is dead or dies mid-way.
import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  liProfilePosts,
  type LiProfilePostsResult,
} from '../../src/actions/catalogs/linkedin/li-profile-posts.js';
import { AuthExpiredError, BlockedError, ExecutionError } from '../../src/runtime/index.js';
import { type LinkedInSite, SLUGS, startLinkedInSite } from '../fixtures/sites/linkedin/site.js';
import { LINKEDIN, linkedInContext } from './linkedin-context.js';

const GOOD = 'AQEDAR7posts0good0session00';
const EXPIRED = 'AQEDAR7posts0expired0sessio';
const urlOf = (slug: string): string => `${LINKEDIN}/in/${slug}/`;
const MORE = '/voyager/api/identity/profileUpdatesV2?';

let site: LinkedInSite;
beforeAll(async () => {
  site = await startLinkedInSite();
  site.validSessions.add(GOOD);
});
afterAll(() => site.close());

const output = Compile(liProfilePosts.output);

/** Runs the action for `slug`; `liAt: null` sends no session cookie at all. */
async function posts(slug: string, limit?: number, liAt: string | null = GOOD) {
  const params = { profile_url: urlOf(slug), ...(limit !== undefined ? { limit } : {}) };
  const { ctx } = await linkedInContext(site, params, liAt ?? undefined);
  return (await liProfilePosts.run(ctx)) as LiProfilePostsResult;
}

/** The requests for more activity the site received since `before`. */
const moreSince = (before: number): string[] =>
  site.hits.slice(before).filter((h) => h.startsWith(MORE));

describe('li_profile_posts', () => {
  it('reads posts newest first, loading a second batch with the token the first gave', async () => {
    const before = site.hits.length;
    const result = await posts(SLUGS.full, 25);
    expect(output.Check(result)).toBe(true);
    expect(result.profile_url).toBe(urlOf(SLUGS.full));
    expect(result.posts).toHaveLength(25);

    const minted = site.posts.get(SLUGS.full) ?? [];
    expect(result.posts.map((p) => p.activity_urn)).toEqual(
      minted.slice(0, 25).map((p) => `urn:li:activity:${p.id}`),
    );
    const [first, second] = minted;
    expect(result.posts[0]).toStrictEqual({
      activity_urn: `urn:li:activity:${first?.id}`,
      url: `https://www.linkedin.com/feed/update/urn:li:activity:${first?.id}/`,
      text: 'We shipped fleet software 4.0 today.\nThank you to everyone who tested the betas & filed bugs <3',
      posted: '3h',
      // Read from the activity id, so it is exact, not an estimate from "3h".
      posted_at: first?.createdAt.toISOString(),
      edited: false,
      reactions: 1284,
      comments: 96,
      reposts: 31,
    });
    expect(result.posts[1]).toMatchObject({
      posted: '2d',
      posted_at: second?.createdAt.toISOString(),
      edited: true,
    });
    expect(result.posts.at(-1)?.posted).toBe('1yr');

    const more = moreSince(before);
    expect(more).toHaveLength(1);
    const query = new URL(more[0] ?? '', LINKEDIN).searchParams;
    expect(query.get('start')).toBe('20');
    expect(query.get('q')).toBe('memberShareFeed');
    expect(query.get('paginationToken')).toMatch(/^[\w-]{20,}$/);
  });

  it('stops at 20 posts by default without asking for more', async () => {
    const before = site.hits.length;
    const result = await posts(SLUGS.full);
    expect(result.posts).toHaveLength(20);
    expect(moreSince(before)).toEqual([]);
  });

  it('reads to the end of the feed when the limit is higher than the posts', async () => {
    const before = site.hits.length;
    const result = await posts(SLUGS.full, 100);
    expect(result.posts).toHaveLength(27);
    // The batch after the last post comes back empty: that, not a missing token, ends the feed.
    expect(moreSince(before).map((h) => new URL(h, LINKEDIN).searchParams.get('start'))).toEqual([
      '20',
      '27',
    ]);
  });

  it('omits the text of an image-only post and reports zero counts as 0', async () => {
    const result = await posts(SLUGS.htmlOnly);
    expect(output.Check(result)).toBe(true);
    expect(result.posts).toHaveLength(2);
    const [image, older] = result.posts;
    expect(image).not.toHaveProperty('text');
    expect(image).toMatchObject({ posted: '45m', reactions: 0, comments: 0, reposts: 0 });
    expect(older).toMatchObject({ text: 'Calm software is accessible software.', posted: '1mo' });
    expect(JSON.stringify(result)).not.toContain('null');
  });

  it('returns no posts for a member who has posted nothing', async () => {
    const before = site.hits.length;
    const result = await posts(SLUGS.sparse);
    expect(result).toStrictEqual({ profile_url: urlOf(SLUGS.sparse), posts: [] });
    expect(moreSince(before)).toEqual([]);
  });

  it("treats LinkedIn's 999 request-denied as a block worth retrying later", async () => {
    const failure = await posts(SLUGS.blocked).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(BlockedError);
    expect(failure).toMatchObject({ retry: 'retry', jobCode: 'UPSTREAM_BLOCKED' });
  });

  it('treats a redirect to the security check (CAPTCHA) as a block', async () => {
    site.flaggedSessions.add(GOOD);
    try {
      await expect(posts(SLUGS.full)).rejects.toThrow(BlockedError);
    } finally {
      site.flaggedSessions.delete(GOOD);
    }
  });

  it('reports an expired session when LinkedIn sends it to sign in again', async () => {
    const failure = await posts(SLUGS.full, 20, EXPIRED).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(AuthExpiredError);
    expect(failure).toMatchObject({ jobCode: 'AUTH_EXPIRED' });
    await expect(posts(SLUGS.full, 20, null)).rejects.toThrow(AuthExpiredError);
  });

  it('reports an expired session when the API rejects it while loading more', async () => {
    const dying = 'AQEDAR7posts0dies0midway000';
    site.validSessions.add(dying);
    const { ctx } = await linkedInContext(
      site,
      { profile_url: urlOf(SLUGS.full), limit: 30 },
      dying,
    );
    const log = ctx.log;
    // Signed out elsewhere right after the page loaded: the next Voyager call answers 401.
    ctx.log = (message, fields) => {
      log(message, fields);
      if (message.startsWith('Read a batch')) site.validSessions.delete(dying);
    };
    const failure = await liProfilePosts.run(ctx).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(AuthExpiredError);
    expect((failure as Error).message).toContain('API answered 401');
  });

  it('fails without retry when the member does not exist', async () => {
    const failure = await posts(SLUGS.missing).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ExecutionError);
    expect((failure as Error).message).toBe(`LinkedIn has no profile at ${urlOf(SLUGS.missing)}`);
  });
});

describe('li_profile_posts params', () => {
  const params = Compile(liProfilePosts.params);

  it('accepts a profile URL with an optional limit of 1 to 100', () => {
    expect(params.Check({ profile_url: urlOf('maria-okafor') })).toBe(true);
    expect(params.Check({ profile_url: urlOf('maria-okafor'), limit: 100 })).toBe(true);
    expect(params.Check({ profile_url: urlOf('maria-okafor'), limit: 0 })).toBe(false);
    expect(params.Check({ profile_url: urlOf('maria-okafor'), limit: 101 })).toBe(false);
    expect(params.Check({ profile_url: `${LINKEDIN}/company/fabrikam/` })).toBe(false);
  });
});
