// li_company_scrape against the LinkedIn stand-in: a guest and a signed-in view of the public
// company page, sparse and JSON-LD-less variants, the 999 and CAPTCHA blocks, the guest auth
// wall and a dead session.
import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  liCompanyScrape,
  type LiCompanyScrapeResult,
} from '../../src/actions/catalogs/linkedin/li-company-scrape.js';
import { AuthExpiredError, BlockedError, ExecutionError } from '../../src/runtime/index.js';
import {
  COMPANY_SLUGS,
  type LinkedInSite,
  startLinkedInSite,
} from '../fixtures/sites/linkedin/site.js';
import { LINKEDIN, linkedInContext } from './linkedin-context.js';

const GOOD = 'AQEDAR7company0good0session';
const EXPIRED = 'AQEDAR7company0expired0sess';
const urlOf = (slug: string): string => `${LINKEDIN}/company/${slug}/`;

let site: LinkedInSite;
beforeAll(async () => {
  site = await startLinkedInSite();
  site.validSessions.add(GOOD);
});
afterAll(() => site.close());

const output = Compile(liCompanyScrape.output);

/** Runs the action for `slug`, as a guest unless `liAt` is given. */
async function scrape(slug: string, liAt?: string, on = site) {
  const { ctx, lines } = await linkedInContext(on, { company_url: urlOf(slug) }, liAt);
  return { result: (await liCompanyScrape.run(ctx)) as LiCompanyScrapeResult, lines };
}

const FULL: LiCompanyScrapeResult = {
  name: 'Harbor & Finch Robotics',
  company_url: 'https://www.linkedin.com/company/harbor-finch-robotics/',
  tagline: 'Warehouse robots that <just work>',
  description:
    'Harbor & Finch builds autonomous mobile robots for mid-size warehouses.\nWe design the hardware, the fleet software and the safety case.\n\nHiring in Lisbon and Leeds.',
  website: 'https://www.harborfinch.example/',
  industry: 'Automation Machinery Manufacturing',
  company_size: '51-200 employees',
  headquarters: 'Lisbon, Lisbon',
  organization_type: 'Privately Held',
  founded: 2016,
  specialties: ['Robotics', 'Fleet management', 'Warehouse automation', 'Safety engineering'],
  followers: 18452,
  employees_on_linkedin: 214,
  logo_url:
    'https://media.licdn.com/dms/image/v2/C4D0BAQH/company-logo_200_200/0/1650000000000/harbor_finch_robotics_logo?e=2147483647&v=beta&t=q1',
};

describe('li_company_scrape', () => {
  it('reads every field of a public company page as a guest', async () => {
    const { result, lines } = await scrape(COMPANY_SLUGS.full);
    expect(output.Check(result)).toBe(true);
    expect(result).toStrictEqual(FULL);
    expect(lines.join('\n')).toContain('"signed_in":false');
  });

  it('reads the same page with the connected login', async () => {
    const { result, lines } = await scrape(COMPANY_SLUGS.full, GOOD);
    expect(result).toStrictEqual(FULL);
    expect(lines.join('\n')).toContain('"signed_in":true');
    // Job logs are kept with the job; the session cookie must never reach them.
    expect(lines.join('\n')).not.toContain(GOOD);
  });

  it('omits the website, tagline, logo and founding year a company does not show', async () => {
    const { result } = await scrape(COMPANY_SLUGS.sparse);
    expect(output.Check(result)).toBe(true);
    expect(result).toStrictEqual({
      name: 'Bell Joinery',
      company_url: 'https://www.linkedin.com/company/bell-joinery/',
      industry: 'Construction',
      company_size: '2-10 employees',
      headquarters: 'Leeds, England',
      organization_type: 'Self-Owned',
      specialties: [],
      followers: 41,
      employees_on_linkedin: 1,
    });
  });

  it('reads the page variant without JSON-LD from the top card and the About list', async () => {
    const { result } = await scrape(COMPANY_SLUGS.htmlOnly);
    expect(output.Check(result)).toBe(true);
    expect(result).toMatchObject({
      name: 'Fabrikam',
      company_url: 'https://www.linkedin.com/company/fabrikam/',
      tagline: 'Design systems for regulated industries',
      description: 'Fabrikam helps banks and hospitals ship calm, accessible software.',
      // Unwrapped from LinkedIn's /redir/redirect?url=…, query string intact.
      website: 'https://fabrikam.example/careers?utm_source=linkedin',
      company_size: '1,001-5,000 employees',
      founded: 2009,
      specialties: ['Design systems', 'Accessibility', 'Research and Development'],
      followers: 1_204_330,
      employees_on_linkedin: 2873,
    });
    expect(result.logo_url).toMatch(/^https:\/\/media\.licdn\.com\//);
  });

  it("treats LinkedIn's 999 request-denied as a block worth retrying later", async () => {
    const failure = await scrape(COMPANY_SLUGS.blocked).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(BlockedError);
    expect(failure).toMatchObject({ retry: 'retry', jobCode: 'UPSTREAM_BLOCKED' });
  });

  it('treats a redirect to the security check (CAPTCHA) as a block', async () => {
    site.flaggedSessions.add(GOOD);
    try {
      await expect(scrape(COMPANY_SLUGS.full, GOOD)).rejects.toThrow(
        'LinkedIn asked for a security check (CAPTCHA) before showing the company page.',
      );
    } finally {
      site.flaggedSessions.delete(GOOD);
    }
  });

  it('reports an expired session when LinkedIn sends the login to sign in again', async () => {
    const failure = await scrape(COMPANY_SLUGS.full, EXPIRED).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(AuthExpiredError);
    expect(failure).toMatchObject({ jobCode: 'AUTH_EXPIRED', retry: 'fail' });
    expect(
      site.hits.some((h) => h.startsWith('/login?session_redirect=') && h.includes('company')),
    ).toBe(true);
  });

  it('treats the auth wall shown to a guest as a block, not a dead login', async () => {
    const walled = await startLinkedInSite({ guestAuthwall: true });
    try {
      const failure = await scrape(COMPANY_SLUGS.full, undefined, walled).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(BlockedError);
      expect((failure as Error).message).toContain('without a login');
      expect(walled.hits.some((h) => h.startsWith('/authwall?'))).toBe(true);
    } finally {
      await walled.close();
    }
  });

  it('fails without retry when the company does not exist', async () => {
    const failure = await scrape(COMPANY_SLUGS.missing).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ExecutionError);
    expect((failure as Error).message).toBe(
      `LinkedIn has no company page at ${urlOf(COMPANY_SLUGS.missing)}`,
    );
  });
});

describe('li_company_scrape params', () => {
  const params = Compile(liCompanyScrape.params);

  it.each(['https://www.linkedin.com/company/microsoft/', 'https://linkedin.com/company/at-t'])(
    'accepts %s',
    (url) => {
      expect(params.Check({ company_url: url })).toBe(true);
    },
  );

  it.each([
    ['a profile', 'https://www.linkedin.com/in/maria-okafor/'],
    ['plain http', 'http://www.linkedin.com/company/microsoft/'],
    ['another site', 'https://www.linkedin.com.evil.example/company/microsoft/'],
    ['a sub-page', 'https://www.linkedin.com/company/microsoft/jobs/'],
  ])('rejects %s', (_what, url) => {
    expect(params.Check({ company_url: url })).toBe(false);
  });
});
