// li_profile_scrape: fetches one member's profile with the stored LinkedIn session and parses it.
import { Type } from 'typebox';

import {
  AuthExpiredError,
  BlockedError,
  ExecutionError,
  parseRetryAfter,
} from '../../../runtime/index.js';
import { defineAction } from '../../define.js';
import { normaliseProfileUrl, parseProfile } from './profile-parse.js';

/** Sign-in walls: LinkedIn sends a session it no longer accepts to one of these. */
const AUTH_WALL = /^\/(authwall|login|uas\/login|signup|checkpoint\/lg\/)/;
/** Security verification pages: the session is fine but LinkedIn wants a human first. */
const CHALLENGE = /^\/checkpoint\/(challenge|challengesV2)\//;
/** Words a CAPTCHA / "unusual activity" page shows, checked only on pages that are no profile. */
const CHALLENGE_TEXT = /security (check|verification)|unusual activity|captcha/i;

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

const pathOf = (url: string): string => {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
};

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
    const res = await ctx.http.get(url);
    const visited = [...res.redirects, res.url].map(pathOf);

    if (visited.some((p) => AUTH_WALL.test(p))) {
      throw new AuthExpiredError(
        'LinkedIn rejected the stored session (redirected to the sign-in wall).',
      );
    }
    if (visited.some((p) => CHALLENGE.test(p))) {
      throw new BlockedError(
        'LinkedIn asked for a security check (CAPTCHA) before showing the profile.',
      );
    }
    // 999 is LinkedIn's own "request denied": it throttles the session or address for a while.
    if (res.status === 999 || res.status === 429) {
      throw new BlockedError(
        `LinkedIn refused the request (HTTP ${res.status}).`,
        parseRetryAfter(res.headers['retry-after']),
      );
    }
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
      if (err instanceof ExecutionError && CHALLENGE_TEXT.test(res.text)) {
        throw new BlockedError(
          'LinkedIn showed an "unusual activity" security check instead of the profile.',
        );
      }
      throw err;
    }
  },
});
