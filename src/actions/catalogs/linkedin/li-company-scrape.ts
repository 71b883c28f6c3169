// li_company_scrape: fetches a company's LinkedIn page, as a guest or with the stored session.
import { type Static, Type } from 'typebox';

import { BlockedError, ExecutionError } from '../../../runtime/index.js';
import { defineAction } from '../../define.js';
import { normaliseCompanyUrl, parseCompany } from './company-parse.js';
import { fetchLinkedInPage, isChallengeText, sendsSession } from './linkedin-client.js';

const output = Type.Object({
  name: Type.String(),
  company_url: Type.String({ description: 'https://www.linkedin.com/company/<slug>/' }),
  tagline: Type.Optional(Type.String()),
  description: Type.Optional(Type.String({ description: 'The "About us" text.' })),
  website: Type.Optional(Type.String()),
  industry: Type.Optional(Type.String()),
  company_size: Type.Optional(Type.String({ description: 'As shown, e.g. "51-200 employees".' })),
  headquarters: Type.Optional(Type.String()),
  organization_type: Type.Optional(Type.String({ description: 'e.g. "Privately Held".' })),
  founded: Type.Optional(Type.Integer({ description: 'Year founded.' })),
  specialties: Type.Array(Type.String()),
  followers: Type.Optional(Type.Integer()),
  employees_on_linkedin: Type.Optional(
    Type.Integer({ description: 'Members who list the company as their employer.' }),
  ),
  logo_url: Type.Optional(Type.String()),
});

/** The result of li_company_scrape. */
export type LiCompanyScrapeResult = Static<typeof output>;

/** Scrapes a LinkedIn company page; a connected login is used when there is one. */
export const liCompanyScrape = defineAction({
  id: 'li_company_scrape',
  name: 'LinkedIn company page',
  description:
    "Reads a company's LinkedIn page: name, tagline, about text, website, industry, company size, headquarters, type, founding year, specialties, follower count, employees on LinkedIn and logo. Works without a login; uses yours when connected.",
  tags: ['linkedin', 'company', 'organization', 'business', 'scrape'],
  authMode: 'optional',
  credits: 1,
  type: 'read',
  params: Type.Object(
    {
      company_url: Type.String({
        pattern: '^https://(www\\.)?linkedin\\.com/company/[A-Za-z0-9_%.-]+/?$',
        maxLength: 512,
        description: 'The company page, e.g. https://www.linkedin.com/company/microsoft/',
      }),
    },
    { additionalProperties: false },
  ),
  output,
  async run(ctx) {
    const url = normaliseCompanyUrl(ctx.params.company_url) ?? ctx.params.company_url;
    const signedIn = await sendsSession(ctx.http);
    ctx.log('Fetching LinkedIn company page', { url, signed_in: signedIn });
    const res = await fetchLinkedInPage(ctx.http, url, { what: 'the company page', signedIn });
    if (res.status === 404) throw new ExecutionError(`LinkedIn has no company page at ${url}`);
    if (res.status !== 200)
      throw new ExecutionError(`LinkedIn answered HTTP ${res.status} for ${url}`);
    try {
      const company = parseCompany(res.text, res.url);
      ctx.log('Parsed LinkedIn company page', { specialties: company.specialties.length });
      return company;
    } catch (err) {
      // A challenge served in place, without a redirect, is a block rather than bad markup.
      if (err instanceof ExecutionError && isChallengeText(res.text)) {
        throw new BlockedError(
          'LinkedIn showed an "unusual activity" security check instead of the company page.',
        );
      }
      throw err;
    }
  },
});
