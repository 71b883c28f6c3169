// li_profile_scrape: fetches one member's profile with the stored LinkedIn session and parses it.
import { Type } from 'typebox';

import { BlockedError, ExecutionError } from '../../../runtime/index.js';
import { defineAction } from '../../define.js';
import { fetchLinkedInPage, isChallengeText } from './linkedin-client.js';
import { normaliseProfileUrl, parseProfile } from './profile-parse.js';

const position = Type.Object({
  title: Type.String(),
  company: Type.String(),
  location: Type.Optional(Type.String()),
  start_date: Type.Optional(
    Type.String({ description: 'YYYY-MM, or YYYY when no month is shown.' }),
  ),
  end_date: Type.Optional(Type.String({ description: 'Omitted while the position is current.' })),
  description: Type.Optional(Type.String()),
});

const school = Type.Object({
  school: Type.String(),
  degree: Type.Optional(Type.String()),
  field: Type.Optional(Type.String()),
  start_date: Type.Optional(Type.String()),
  end_date: Type.Optional(Type.String()),
});

/** Scrapes a LinkedIn profile as the connected member sees it. */
export const liProfileScrape = defineAction({
  id: 'li_profile_scrape',
  name: 'LinkedIn profile',
  description:
    "Fetches a LinkedIn member's profile with your LinkedIn login: name, headline, location, about, current company, experience, education, connection and follower counts.",
  tags: ['linkedin', 'profile', 'people', 'scrape'],
  authMode: 'required',
  credits: 2,
  type: 'read',
  mode: 'async',
  params: Type.Object(
    {
      profile_url: Type.String({
        pattern: '^https://(www\\.)?linkedin\\.com/in/[A-Za-z0-9_%-]+/?$',
        maxLength: 512,
        description: 'The profile to read, e.g. https://www.linkedin.com/in/williamhgates/',
      }),
    },
    { additionalProperties: false },
  ),
  output: Type.Object({
    name: Type.String(),
    headline: Type.Optional(Type.String()),
    location: Type.Optional(Type.String()),
    about: Type.Optional(Type.String()),
    current_company: Type.Optional(
      Type.Object({ name: Type.String(), url: Type.Optional(Type.String()) }),
    ),
    experience: Type.Array(position),
    education: Type.Array(school),
    connections: Type.Optional(Type.Integer({ description: '"500+" is reported as 500.' })),
    followers: Type.Optional(Type.Integer()),
    profile_url: Type.String(),
    image_url: Type.Optional(Type.String()),
  }),
  async run(ctx) {
    // The params schema already admits only profile URLs; this just canonicalises the form.
    const url = normaliseProfileUrl(ctx.params.profile_url) ?? ctx.params.profile_url;
    ctx.log('Fetching LinkedIn profile', { url });
    // This action always runs with a login, so a sign-in wall means that login is dead.
    const res = await fetchLinkedInPage(ctx.http, url, { what: 'the profile', signedIn: true });
    if (res.status === 404) throw new ExecutionError(`LinkedIn has no profile at ${url}`);
    if (res.status !== 200)
      throw new ExecutionError(`LinkedIn answered HTTP ${res.status} for ${url}`);

    try {
      const profile = parseProfile(res.text, res.url);
      ctx.log('Parsed LinkedIn profile', {
        experience: profile.experience.length,
        education: profile.education.length,
      });
      return profile;
    } catch (err) {
      // A challenge served in place, without a redirect, is a block rather than bad markup.
      if (err instanceof ExecutionError && isChallengeText(res.text)) {
        throw new BlockedError(
          'LinkedIn showed an "unusual activity" security check instead of the profile.',
        );
      }
      throw err;
    }
  },
});
