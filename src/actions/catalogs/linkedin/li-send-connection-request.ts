// li_send_connection_request: invites a member to connect, as the profile's Connect button does
// through Voyager. It reads the relationship first, so a retry after an attempt whose answer was
// lost finds the invitation pending instead of sending a second one.
import { type Static, Type } from 'typebox';

import { ExecutionError } from '../../../runtime/index.js';
import { defineAction } from '../../define.js';
import { fetchLinkedInPage, voyager } from './linkedin-client.js';
import { normaliseProfileUrl } from './profile-parse.js';
import { isObj } from './profile-values.js';
import { parseMemberRelation } from './relationship-parse.js';

/** LinkedIn's limit on an invitation note. */
export const MAX_NOTE_CHARS = 300;
const PROFILE_DECORATION = 'com.linkedin.voyager.dash.deco.identity.profile.WebTopCardCore-16';
const INVITE_PATH =
  '/voyager/api/voyagerRelationshipsDashMemberRelationships?action=verifyQuotaAndCreateV2&decorationId=com.linkedin.voyager.dash.deco.relationships.InvitationCreationResultWithInvitee-2';

const output = Type.Object({
  status: Type.Union([
    Type.Literal('sent'),
    Type.Literal('already_pending'),
    Type.Literal('already_connected'),
  ]),
  profile_url: Type.String(),
  name: Type.Optional(Type.String()),
  invitation_urn: Type.Optional(
    Type.String({ description: 'urn:li:fsd_invitation:<id>; only when status is sent.' }),
  ),
});

/** The result of li_send_connection_request. */
export type LiSendConnectionRequestResult = Static<typeof output>;

/** The profile's public identifier, decoded: "jérôme-7b2a1" for /in/j%C3%A9r%C3%B4me-7b2a1/. */
function slugOf(profileUrl: string): string {
  const raw = /\/in\/([^/]+)\/?$/.exec(profileUrl)?.[1] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Sends a connection invitation from the connected LinkedIn login. */
export const liSendConnectionRequest = defineAction({
  id: 'li_send_connection_request',
  name: 'Send a LinkedIn connection request',
  description:
    'Invites a LinkedIn member to connect with your LinkedIn login, with an optional note (up to 300 characters). Reports whether the invitation was sent, was already pending, or you are already connected.',
  tags: ['linkedin', 'connection', 'invitation', 'network', 'write'],
  type: 'write',
  authMode: 'required',
  credits: 3,
  params: Type.Object(
    {
      profile_url: Type.String({
        pattern: '^https://(www\\.)?linkedin\\.com/in/[A-Za-z0-9_%-]+/?$',
        maxLength: 512,
        description: 'The member to invite, e.g. https://www.linkedin.com/in/williamhgates/',
      }),
      note: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: MAX_NOTE_CHARS,
          description: `A personal note sent with the invitation (at most ${MAX_NOTE_CHARS} characters).`,
        }),
      ),
    },
    { additionalProperties: false },
  ),
  output,
  async run(ctx) {
    const profileUrl = normaliseProfileUrl(ctx.params.profile_url) ?? ctx.params.profile_url;
    const slug = slugOf(profileUrl);
    const { note } = ctx.params;
    // The profile page first, as a member reaches the Connect button: it proves the session
    // and the member, and LinkedIn sets the JSESSIONID its API wants if the jar lacks one.
    const page = await fetchLinkedInPage(ctx.http, profileUrl, {
      what: 'the profile',
      signedIn: true,
    });
    if (page.status === 404) throw new ExecutionError(`LinkedIn has no profile at ${profileUrl}`);
    if (page.status !== 200)
      throw new ExecutionError(`LinkedIn answered HTTP ${page.status} for ${profileUrl}`);

    const lookup = await voyager(
      ctx.http,
      `/voyager/api/identity/dash/profiles?q=memberIdentity&memberIdentity=${encodeURIComponent(slug)}&decorationId=${PROFILE_DECORATION}`,
      { what: 'the member lookup' },
    );
    const member = lookup.status === 200 ? parseMemberRelation(lookup.body, slug) : undefined;
    if (!member) {
      throw new ExecutionError(
        `LinkedIn's API did not return the member at ${profileUrl} (HTTP ${lookup.status}).`,
      );
    }
    const base = { profile_url: profileUrl, ...(member.name ? { name: member.name } : {}) };
    ctx.log('Read the LinkedIn relationship', { relation: member.relation });
    if (member.relation === 'self') {
      throw new ExecutionError(
        `${profileUrl} is your own profile; LinkedIn has no invitation to send.`,
      );
    }
    if (member.relation === 'connected') return { status: 'already_connected' as const, ...base };
    if (member.relation === 'pending') return { status: 'already_pending' as const, ...base };

    const sent = await voyager(ctx.http, INVITE_PATH, {
      method: 'POST',
      json: {
        invitee: { inviteeUnion: { memberProfile: member.profileUrn } },
        ...(note !== undefined ? { customMessage: note } : {}),
      },
      what: 'the connection request',
    });
    const data = isObj(sent.body) && isObj(sent.body.data) ? sent.body.data : {};
    // Sent by another tab or attempt between the lookup and now: the invitation stands.
    if (sent.status === 400 && data.code === 'CANT_RESEND_YET') {
      return { status: 'already_pending' as const, ...base };
    }
    const urn = isObj(data.value) ? data.value.invitationUrn : undefined;
    if (sent.status !== 200 || typeof urn !== 'string') {
      const code = typeof data.code === 'string' ? ` ${data.code}` : '';
      throw new ExecutionError(
        `LinkedIn did not send the invitation (HTTP ${sent.status}${code}).`,
      );
    }
    ctx.log('Sent a LinkedIn connection request', { with_note: note !== undefined });
    return { status: 'sent' as const, ...base, invitation_urn: urn };
  },
});
