// Reads a LinkedIn company page into Taskwire's company shape: the JSON-LD Organization first,
// the top card and the "About us" <dl> (data-test-id="about-us__*") for what JSON-LD lacks.
import { type CheerioAPI, load } from 'cheerio';

import { ExecutionError } from '../../../runtime/index.js';
import {
  jsonLdNode,
  block,
  clean,
  count,
  defined,
  isObj,
  type Json,
  list,
  photo,
  str,
} from './profile-values.js';

/** One company; every optional field is omitted (never null or "") when the page lacks it. */
export interface Company {
  name: string;
  company_url: string;
  tagline?: string;
  description?: string;
  website?: string;
  industry?: string;
  /** The size band as shown: "51-200 employees". */
  company_size?: string;
  headquarters?: string;
  organization_type?: string;
  founded?: number;
  specialties: string[];
  followers?: number;
  /** Members who list the company as their employer on LinkedIn. */
  employees_on_linkedin?: number;
  logo_url?: string;
}

/** A website link: LinkedIn wraps it in /redir/redirect?url=…, the target percent-encoded. */
function website(href: string | undefined, shown: string | undefined): string | undefined {
  const candidates = [shown];
  try {
    const url = new URL(href ?? '', 'https://www.linkedin.com');
    candidates.unshift(
      url.pathname === '/redir/redirect' ? (url.searchParams.get('url') ?? undefined) : url.href,
    );
  } catch {
    // fall back on the link text
  }
  return candidates.map(external).find((u) => u !== undefined);
}

/** An http(s) URL off LinkedIn; LinkedIn's own pages are not a company's website. */
function external(raw: string | undefined): string | undefined {
  try {
    const url = new URL(raw ?? '');
    const onLinkedIn = url.hostname === 'linkedin.com' || url.hostname.endsWith('.linkedin.com');
    return /^https?:$/.test(url.protocol) && !onLinkedIn ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * "A, B, and C" → ["A", "B", "C"]. Without a comma the text is one specialty: "Research and
 * Development" cannot be told from a two-item list, and splitting it would be worse.
 */
function specialties(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => clean(s.replace(/^\s*and\s+/, '')))
    .filter((s): s is string => s !== undefined);
}

/** Any linkedin.com company URL (country subdomain, no slash) → https://www.linkedin.com/company/<slug>/. */
export function normaliseCompanyUrl(raw: string | undefined): string | undefined {
  try {
    const url = new URL(raw ?? '');
    const slug = /^\/company\/([^/]+)\/?$/.exec(url.pathname)?.[1];
    const onLinkedIn = url.hostname === 'linkedin.com' || url.hostname.endsWith('.linkedin.com');
    return slug && onLinkedIn ? `https://www.linkedin.com/company/${slug}/` : undefined;
  } catch {
    return undefined;
  }
}

function fromJsonLd(org: Json) {
  const address = isObj(org.address) ? org.address : undefined;
  const employees = isObj(org.numberOfEmployees)
    ? org.numberOfEmployees.value
    : org.numberOfEmployees;
  const logo = isObj(org.logo) ? org.logo.contentUrl : org.logo;
  return {
    name: str(org.name),
    tagline: str(org.slogan),
    description: typeof org.description === 'string' ? block(org.description) : undefined,
    website: list(org.sameAs)
      .map((u) => external(str(u)))
      .find((u) => u !== undefined),
    headquarters: address
      ? [address.addressLocality, address.addressRegion].map(str).filter(Boolean).join(', ') ||
        undefined
      : undefined,
    employees_on_linkedin:
      typeof employees === 'number' && Number.isInteger(employees) ? employees : undefined,
    logo_url: photo(str(logo)),
    company_url: normaliseCompanyUrl(str(org.url)),
  };
}

function fromHtml($: CheerioAPI) {
  const about = (id: string) => $(`[data-test-id="about-us__${id}"] dd`).first();
  const text = (id: string) => clean(about(id).text());
  const websiteLink = about('website').find('a').first();
  const img = $('img.top-card-layout__entity-image').first();
  // The subline is "industry · headquarters · N followers"; only the count says what it is.
  const followers = $('h3.top-card-layout__first-subline')
    .first()
    .text()
    .split(/\n|·/)
    .map((s) => clean(s))
    .find((s) => s !== undefined && /\bfollowers?$/i.test(s));
  const employees = /\ball ([\d,.]+[KM]?) employees?\b/i.exec(
    clean($('a.face-pile__cta').first().text()) ?? '',
  );
  const founded = Number.parseInt(text('foundedOn') ?? '', 10);
  return {
    name: clean($('h1.top-card-layout__title').first().text()),
    tagline: clean($('h4.top-card-layout__second-subline').first().text()),
    description: block($('[data-test-id="about-us__description"]').first().text()),
    website: websiteLink.length
      ? website(websiteLink.attr('href'), clean(websiteLink.text()))
      : undefined,
    // LinkedIn renamed "industry" to "industries" on some pages; both carry one value.
    industry: text('industry') ?? text('industries'),
    company_size: text('size'),
    headquarters: text('headquarters'),
    organization_type: text('organizationType'),
    founded: Number.isInteger(founded) && founded > 1000 ? founded : undefined,
    specialties: specialties(text('specialties')),
    followers: count(followers),
    employees_on_linkedin: count(employees?.[1]),
    logo_url: photo(img.attr('data-delayed-url') ?? img.attr('src')),
    company_url: normaliseCompanyUrl($('link[rel="canonical"]').attr('href')),
  };
}

/**
 * Parses a company page fetched from `pageUrl`. JSON-LD wins for what it carries whole (name,
 * slogan, description, website, employee count, logo, URL); the About <dl> alone has industry,
 * size, type, founding year and specialties, and its headquarters line is the one LinkedIn
 * shows. Throws ExecutionError when the page is not a company page at all.
 */
export function parseCompany(html: string, pageUrl: string): Company {
  const $ = load(html);
  const org = jsonLdNode($, 'Organization');
  const ld = org ? fromJsonLd(org) : undefined;
  const dom = fromHtml($);
  const name = ld?.name ?? dom.name;
  if (!name) throw new ExecutionError('LinkedIn company page had no recognisable company markup');
  return defined({
    name,
    company_url: ld?.company_url ?? dom.company_url ?? normaliseCompanyUrl(pageUrl) ?? pageUrl,
    tagline: ld?.tagline ?? dom.tagline,
    description: ld?.description ?? dom.description,
    website: ld?.website ?? dom.website,
    industry: dom.industry,
    company_size: dom.company_size,
    headquarters: dom.headquarters ?? ld?.headquarters,
    organization_type: dom.organization_type,
    founded: dom.founded,
    specialties: dom.specialties,
    followers: dom.followers,
    employees_on_linkedin: ld?.employees_on_linkedin ?? dom.employees_on_linkedin,
    logo_url: ld?.logo_url ?? dom.logo_url,
  });
}
