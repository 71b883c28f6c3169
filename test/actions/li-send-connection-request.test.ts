// li_send_connection_request against the LinkedIn stand-in's Voyager API: sending with and
// without a note, the second request finding it pending, an existing connection, the CSRF
// check's 403, blocks and a dead session. Each test signs in as its own viewer.
import { randomBytes } from 'node:crypto';

import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  liSendConnectionRequest,
  type LiSendConnectionRequestResult,
} from '../../src/actions/catalogs/linkedin/li-send-connection-request.js';
import { AuthExpiredError, BlockedError, ExecutionError } from '../../src/runtime/index.js';
import {
  type LinkedInSite,
  profileUrnOf,
  SLUGS,
  startLinkedInSite,
} from '../fixtures/sites/linkedin/site.js';
import { LINKEDIN, linkedInContext } from './linkedin-context.js';

const urlOf = (slug: string): string => `${LINKEDIN}/in/${slug}/`;
const INVITE =
  '/voyager/api/voyagerRelationshipsDashMemberRelationships?action=verifyQuotaAndCreateV2';

let site: LinkedInSite;
beforeAll(async () => {
  site = await startLinkedInSite();
});
afterAll(() => site.close());

const output = Compile(liSendConnectionRequest.output);

/** A new signed-in viewer with no connections or invitations yet. */
function viewer(): string {
  const liAt = `AQEDAR${randomBytes(18).toString('base64url')}`;
  site.validSessions.add(liAt);
  return liAt;
}

async function connect(liAt: string, slug: string, note?: string) {
  const params = { profile_url: urlOf(slug), ...(note !== undefined ? { note } : {}) };
  const test = await linkedInContext(site, params, liAt);
  return { ...test, run: () => liSendConnectionRequest.run(test.ctx) };
}

const send = async (liAt: string, slug: string, note?: string) =>
  (await (await connect(liAt, slug, note)).run()) as LiSendConnectionRequestResult;

const invitesSince = (before: number): string[] =>
  site.hits.slice(before).filter((h) => h.startsWith(INVITE));

describe('li_send_connection_request', () => {
  it('sends an invitation with a note, with the JSESSIONID as csrf-token', async () => {
    const me = viewer();
    const note = 'Loved your talk on back-pressure — would be glad to connect.';
    const result = await send(me, SLUGS.full, note);
    expect(output.Check(result)).toBe(true);
    expect(result).toStrictEqual({
      status: 'sent',
      profile_url: urlOf(SLUGS.full),
      name: 'María Okafor',
      invitation_urn: expect.stringMatching(/^urn:li:fsd_invitation:\d+$/),
    });
    expect(site.invitations.filter((i) => i.from === me)).toEqual([
      { from: me, to: SLUGS.full, message: note, urn: result.invitation_urn },
    ]);
  });

  it('answers already_pending the second time, without inviting again', async () => {
    const me = viewer();
    await send(me, SLUGS.full);
    const before = site.hits.length;
    const again = await send(me, SLUGS.full, 'Just checking');
    expect(again).toStrictEqual({
      status: 'already_pending',
      profile_url: urlOf(SLUGS.full),
      name: 'María Okafor',
    });
    expect(invitesSince(before)).toEqual([]);
    expect(site.invitations.filter((i) => i.from === me)).toHaveLength(1);
  });

  it('sends no customMessage when no note is given', async () => {
    const me = viewer();
    const result = await send(me, SLUGS.sparse);
    expect(result.status).toBe('sent');
    const [sent] = site.invitations.filter((i) => i.from === me);
    expect(sent).toBeDefined();
    expect(sent).not.toHaveProperty('message');
  });

  it('answers already_connected for a member the viewer is connected to', async () => {
    const me = viewer();
    site.connections.set(me, new Set([SLUGS.htmlOnly]));
    const before = site.hits.length;
    const result = await send(me, SLUGS.htmlOnly);
    expect(result).toStrictEqual({
      status: 'already_connected',
      profile_url: urlOf(SLUGS.htmlOnly),
      name: 'Priya Raman',
    });
    expect(invitesSince(before)).toEqual([]);
  });

  it('reads LinkedIn refusing to resend as already_pending', async () => {
    const me = viewer();
    const job = await connect(me, SLUGS.full);
    const log = job.ctx.log;
    // Another tab invites between the relationship lookup and the Connect click.
    job.ctx.log = (message, fields) => {
      log(message, fields);
      if (message.startsWith('Read the LinkedIn relationship')) {
        site.invitations.push({ from: me, to: SLUGS.full, urn: 'urn:li:fsd_invitation:1' });
      }
    };
    const before = site.hits.length;
    await expect(job.run()).resolves.toMatchObject({ status: 'already_pending' });
    expect(invitesSince(before)).toHaveLength(1);
  });

  it('fails on the CSRF check without calling the login dead', async () => {
    const me = viewer();
    const job = await connect(me, SLUGS.full);
    // A JSESSIONID LinkedIn never minted: Voyager answers 403 "CSRF check failed."
    await job.ctx.http.jar.setCookie(
      'JSESSIONID="copied-from-elsewhere"; Domain=.www.linkedin.com; Path=/; Secure',
      `${LINKEDIN}/`,
    );
    const failure = await job.run().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ExecutionError);
    expect(failure).not.toBeInstanceOf(AuthExpiredError);
    expect((failure as Error).message).toContain('HTTP 403: CSRF check failed.');
    expect(site.invitations.filter((i) => i.from === me)).toEqual([]);
  });

  it("treats LinkedIn's 999 request-denied as a block worth retrying later", async () => {
    const failure = await send(viewer(), SLUGS.blocked).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(BlockedError);
    expect(failure).toMatchObject({ retry: 'retry', jobCode: 'UPSTREAM_BLOCKED' });
  });

  it('treats a redirect to the security check (CAPTCHA) as a block', async () => {
    const me = viewer();
    site.flaggedSessions.add(me);
    await expect(send(me, SLUGS.full)).rejects.toThrow(BlockedError);
    expect(site.invitations.filter((i) => i.from === me)).toEqual([]);
  });

  it('reports an expired session when LinkedIn sends it to sign in again', async () => {
    const me = viewer();
    site.validSessions.delete(me);
    const failure = await send(me, SLUGS.full).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(AuthExpiredError);
    expect(failure).toMatchObject({ jobCode: 'AUTH_EXPIRED' });
  });

  it('fails without retry when the member does not exist', async () => {
    await expect(send(viewer(), SLUGS.missing)).rejects.toThrow(
      `LinkedIn has no profile at ${urlOf(SLUGS.missing)}`,
    );
  });
});

describe('li_send_connection_request params', () => {
  const params = Compile(liSendConnectionRequest.params);
  const profile_url = urlOf(SLUGS.full);

  it("accepts a note up to LinkedIn's 300 characters, and none", () => {
    expect(params.Check({ profile_url })).toBe(true);
    expect(params.Check({ profile_url, note: 'x'.repeat(300) })).toBe(true);
  });

  it('rejects a longer or empty note and a non-profile URL', () => {
    expect(params.Check({ profile_url, note: 'x'.repeat(301) })).toBe(false);
    expect(params.Check({ profile_url, note: '' })).toBe(false);
    expect(params.Check({ profile_url: `${LINKEDIN}/company/fabrikam/` })).toBe(false);
  });
});

describe('LinkedIn stand-in Voyager', () => {
  it('refuses an invitation without a matching csrf-token', async () => {
    const me = viewer();
    const { ctx } = await linkedInContext(site, {}, me);
    const body = JSON.stringify({
      invitee: { inviteeUnion: { memberProfile: profileUrnOf(SLUGS.full) } },
    });
    const res = await ctx.http.request(`${LINKEDIN}${INVITE}`, { method: 'POST', body });
    expect(res.status).toBe(403);
    expect(site.invitations.filter((i) => i.from === me)).toEqual([]);
  });
});
