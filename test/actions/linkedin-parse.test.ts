// parseProfile against the LinkedIn stand-in's pages, rendered without HTTP.
import { describe, expect, it } from 'vitest';

import {
  normaliseProfileUrl,
  parseProfile,
} from '../../src/actions/catalogs/linkedin/profile-parse.js';
import { ExecutionError } from '../../src/runtime/index.js';
import {
  type FixtureProfile,
  PROFILES,
  renderAuthwall,
  renderChallenge,
  renderJsonLd,
  renderNotFound,
  renderProfilePage,
  SLUGS,
} from '../fixtures/sites/linkedin/site.js';

const profile = (slug: string): FixtureProfile => {
  const p = PROFILES.get(slug);
  if (!p) throw new Error(`no fixture profile '${slug}'`);
  return p;
};
const urlOf = (slug: string): string => `https://www.linkedin.com/in/${slug}/`;
const parseSlug = (slug: string) => parseProfile(renderProfilePage(profile(slug)), urlOf(slug));

describe('parseProfile', () => {
  it('reads every field of a full profile page', () => {
    expect(parseSlug(SLUGS.full)).toStrictEqual({
      name: 'María Okafor',
      headline: 'Head of Platform at Harbor & Finch Robotics | Distributed systems',
      location: 'Lisbon, Lisbon, Portugal',
      about:
        'I build the platforms robots run on.\nPreviously scaled routing at Northwind from 3 to 40 engineers.\n\nAsk me about <queues> & back-pressure.',
      current_company: {
        name: 'Harbor & Finch Robotics',
        url: 'https://www.linkedin.com/company/harbor-finch',
      },
      experience: [
        {
          title: 'Head of Platform',
          company: 'Harbor & Finch Robotics',
          location: 'Lisbon, Portugal',
          start_date: '2021-01',
          description:
            'Own the fleet control plane: scheduling, telemetry and over-the-air updates.',
        },
        {
          title: 'Staff Engineer',
          company: 'Northwind Logistics',
          location: 'London, England, United Kingdom',
          start_date: '2018-06',
          end_date: '2020-12',
          description: 'Led the routing rewrite.',
        },
        {
          title: 'Senior Software Engineer',
          company: 'Northwind Logistics',
          start_date: '2016-03',
          end_date: '2018-05',
        },
        { title: 'Software Engineer', company: 'Contoso', start_date: '2012', end_date: '2016' },
      ],
      education: [
        {
          school: 'Instituto Superior Técnico',
          degree: 'Master of Science - MS',
          field: 'Computer Science',
          start_date: '2010',
          end_date: '2012',
        },
        {
          school: 'University of Lagos',
          degree: "Bachelor's degree",
          field: 'Electrical Engineering',
          start_date: '2006',
          end_date: '2010',
        },
      ],
      connections: 500,
      followers: 12843,
      profile_url: 'https://www.linkedin.com/in/maria-okafor/',
      image_url: profile(SLUGS.full).imageUrl,
    });
  });

  it('omits what a sparse profile does not show, rather than returning null or ""', () => {
    const parsed = parseSlug(SLUGS.sparse);
    expect(parsed).toStrictEqual({
      name: 'Jon Bell',
      headline: 'Carpenter',
      location: 'Leeds, England, United Kingdom',
      current_company: { name: 'Self-employed' },
      experience: [{ title: 'Carpenter', company: 'Self-employed', start_date: '2019' }],
      education: [],
      connections: 87,
      profile_url: 'https://www.linkedin.com/in/jon-bell-7b2a1/',
    });
    // The grey placeholder photo is not the member's picture.
    expect(parsed).not.toHaveProperty('image_url');
  });

  it('reads the page variant without JSON-LD from the top card and sections alone', () => {
    const html = renderProfilePage(profile(SLUGS.htmlOnly));
    expect(html).not.toContain('application/ld+json');
    expect(parseProfile(html, urlOf(SLUGS.htmlOnly))).toStrictEqual({
      name: 'Priya Raman',
      headline: 'Product Designer',
      location: 'Bengaluru, Karnataka, India',
      about: 'Designing calm software.',
      current_company: { name: 'Fabrikam', url: 'https://in.linkedin.com/company/fabrikam' },
      experience: [
        {
          title: 'Product Designer',
          company: 'Fabrikam',
          location: 'Bengaluru, Karnataka, India',
          start_date: '2022-09',
        },
        {
          title: 'UX Intern',
          company: 'Tailspin Toys',
          start_date: '2021-05',
          end_date: '2021-08',
        },
      ],
      education: [{ school: 'National Institute of Design', degree: 'Bachelor of Design' }],
      connections: 500,
      followers: 2301,
      profile_url: 'https://www.linkedin.com/in/priya-raman/',
      image_url: profile(SLUGS.htmlOnly).imageUrl,
    });
  });

  it('prefers JSON-LD over the HTML when the two disagree', () => {
    const html = renderProfilePage(profile(SLUGS.full))
      .replace('12,843 followers', '99 followers')
      .replace('>Lisbon, Lisbon, Portugal<', '>Somewhere else<');
    expect(html).toContain('>Somewhere else<');
    expect(html).toContain('99 followers');
    const parsed = parseProfile(html, urlOf(SLUGS.full));
    expect(parsed.followers).toBe(12843);
    expect(parsed.location).toBe('Lisbon, Lisbon, Portugal');
  });

  it('builds current roles and schools from JSON-LD when the HTML sections are missing', () => {
    const html = `<html><head>${renderJsonLd(profile(SLUGS.full))}</head><body></body></html>`;
    expect(parseProfile(html, urlOf(SLUGS.full))).toMatchObject({
      name: 'María Okafor',
      about: expect.stringContaining('\n\nAsk me about <queues> & back-pressure.') as string,
      followers: 12843,
      experience: [
        {
          title: 'Head of Platform',
          company: 'Harbor & Finch Robotics',
          location: 'Lisbon, Portugal',
          start_date: '2021-01',
          description:
            'Own the fleet control plane: scheduling, telemetry and over-the-air updates.',
        },
      ],
      education: [
        { school: 'Instituto Superior Técnico', start_date: '2010', end_date: '2012' },
        { school: 'University of Lagos', start_date: '2006', end_date: '2010' },
      ],
      profile_url: 'https://www.linkedin.com/in/maria-okafor/',
    });
  });

  it('reads abbreviated follower counts', () => {
    const html = renderProfilePage(profile(SLUGS.htmlOnly)).replace(
      '2,301 followers',
      '1.2K followers',
    );
    expect(parseProfile(html, urlOf(SLUGS.htmlOnly)).followers).toBe(1200);
  });

  it('skips a JSON-LD block that is not valid JSON and falls back to the HTML', () => {
    const html = renderProfilePage(profile(SLUGS.full)).replace('{"@context"', '{oops');
    expect(parseProfile(html, urlOf(SLUGS.full)).name).toBe('María Okafor');
  });

  it.each([
    ['the auth wall', renderAuthwall(urlOf(SLUGS.full))],
    ['the security check', renderChallenge()],
    ['the 404 page', renderNotFound()],
  ])('refuses %s as no profile', (_what, html) => {
    expect(() => parseProfile(html, urlOf(SLUGS.full))).toThrow(ExecutionError);
    expect(() => parseProfile(html, urlOf(SLUGS.full))).toThrow(
      'LinkedIn profile page had no recognisable profile markup',
    );
  });
});

describe('normaliseProfileUrl', () => {
  it.each([
    ['https://linkedin.com/in/jane', 'https://www.linkedin.com/in/jane/'],
    ['https://www.linkedin.com/in/jane/', 'https://www.linkedin.com/in/jane/'],
    ['https://pt.linkedin.com/in/jane?trk=x', 'https://www.linkedin.com/in/jane/'],
  ])('canonicalises %s', (raw, expected) => {
    expect(normaliseProfileUrl(raw)).toBe(expected);
  });

  it.each(['https://evil.example/in/jane', 'https://www.linkedin.com/company/x', 'not a url'])(
    'rejects %s',
    (raw) => {
      expect(normaliseProfileUrl(raw)).toBeUndefined();
    },
  );
});
