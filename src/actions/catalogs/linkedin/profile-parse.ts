// Reads a LinkedIn public profile page into Taskwire's profile shape: the JSON-LD Person first,
// the server-rendered top card and sections where JSON-LD is missing or carries less.
import { type CheerioAPI, load } from 'cheerio';

import { ExecutionError } from '../../../runtime/index.js';
import {
  jsonLdNode,
  block,
  blockFromHtml,
  clean,
  count,
  defined,
  isObj,
  isoDate,
  type Json,
  link,
  list,
  normaliseProfileUrl,
  photo,
  str,
} from './profile-values.js';

export { normaliseProfileUrl };

export interface ProfilePosition {
  title: string;
  company: string;
  location?: string;
  /** "YYYY-MM" when LinkedIn shows a month, else "YYYY". */
  start_date?: string;
  /** Omitted while the position is current. */
  end_date?: string;
  description?: string;
}

export interface ProfileSchool {
  school: string;
  degree?: string;
  field?: string;
  start_date?: string;
  end_date?: string;
}

/** One member's profile; every optional field is omitted (never null or "") when absent. */
export interface Profile {
  name: string;
  headline?: string;
  location?: string;
  about?: string;
  current_company?: { name: string; url?: string };
  experience: ProfilePosition[];
  education: ProfileSchool[];
  /** "500+" on the page reads as 500. */
  connections?: number;
  followers?: number;
  profile_url: string;
  image_url?: string;
}

type Node = ReturnType<CheerioAPI>;
/** A position plus the company link, which only feeds `current_company`. */
type Position = ProfilePosition & { companyUrl?: string };

function fromJsonLd(p: Json) {
  const roles = (org: Json) => (isObj(org.member) ? org.member : {});
  const works = list(p.worksFor).filter(isObj);
  const alumni = list(p.alumniOf).filter(isObj);
  const titles = list(p.jobTitle);
  const follows = list(p.interactionStatistic)
    .filter(isObj)
    .find((s) => String(s.interactionType).includes('FollowAction'));
  const image = isObj(p.image) ? p.image.contentUrl : p.image;
  const employer = works[0] && str(works[0].name);
  // JSON-LD names a title only for current roles (jobTitle[i] belongs to worksFor[i]).
  const experience = works.flatMap((org, i): Position[] => {
    const title = str(titles[i]);
    const company = str(org.name);
    if (!title || !company) return [];
    const member = roles(org);
    return [
      defined({
        title,
        company,
        location: str(org.location),
        start_date: isoDate(member.startDate),
        description: typeof member.description === 'string' ? block(member.description) : undefined,
      }),
    ];
  });
  const education = alumni
    .filter((org) => list(org['@type']).includes('EducationalOrganization') && str(org.name))
    .map((org): ProfileSchool =>
      defined({
        school: str(org.name) ?? '',
        start_date: isoDate(roles(org).startDate),
        end_date: isoDate(roles(org).endDate),
      }),
    );
  return {
    name: str(p.name),
    location: isObj(p.address)
      ? (str(p.address.addressLocality) ?? str(p.address.addressCountry))
      : undefined,
    about: typeof p.description === 'string' ? block(p.description) : undefined,
    followers:
      typeof follows?.userInteractionCount === 'number' ? follows.userInteractionCount : undefined,
    profile_url: normaliseProfileUrl(str(p.url)),
    image_url: photo(str(image)),
    current_company:
      employer && works[0] ? defined({ name: employer, url: link(str(works[0].url)) }) : undefined,
    experience,
    education,
  };
}

function position(
  $: CheerioAPI,
  el: Node,
  company: string | undefined,
  companyUrl: string | undefined,
): Position | undefined {
  const title = clean(el.find('.experience-item__title').first().text());
  if (!title || !company) return undefined;
  const times = el
    .find('.date-range')
    .first()
    .find('time')
    .toArray()
    .map((t) => $(t).text());
  const meta = el
    .find('.experience-item__meta-item')
    .not('.experience-item__description')
    .filter((_, m) => $(m).find('.date-range').length === 0);
  const description = el.find('.show-more-less-text__text--less').first();
  return defined({
    title,
    company,
    companyUrl,
    location: clean(meta.first().text()),
    start_date: isoDate(times[0]),
    end_date: isoDate(times[1]),
    description: blockFromHtml(
      $,
      description.length ? description : el.find('.experience-item__description').first(),
    ),
  });
}

function fromHtml($: CheerioAPI) {
  const sublines = $('.top-card__subline-item')
    .toArray()
    .map((s) => clean($(s).text()) ?? '');
  const experience: Position[] = [];
  for (const item of $('section.experience li.experience-item')
    .toArray()
    .map((el) => $(el))) {
    const grouped = item.find('.experience-group-position');
    const subtitle = item.find('.experience-item__subtitle').first();
    const found = grouped.length
      ? grouped
          .toArray()
          .map((p) =>
            position(
              $,
              $(p),
              clean(item.find('.experience-group-header__company').first().text()),
              link(item.find('a.experience-group-header__url').attr('href')),
            ),
          )
      : [position($, item, clean(subtitle.text()), link(subtitle.attr('href')))];
    experience.push(...found.filter((p): p is Position => p !== undefined));
  }
  const education = $('section.education li.education__list-item')
    .toArray()
    .flatMap((el): ProfileSchool[] => {
      const item = $(el);
      const school = clean(item.find('h3').first().text());
      const info = item
        .find('.education__item--degree-info')
        .toArray()
        .map((i) => clean($(i).text()));
      const times = item
        .find('.date-range')
        .first()
        .find('time')
        .toArray()
        .map((t) => $(t).text());
      return school
        ? [
            defined({
              school,
              degree: info[0],
              field: info[1],
              start_date: isoDate(times[0]),
              end_date: isoDate(times[1]),
            }),
          ]
        : [];
    });
  const topLink = $('.top-card__links-container [data-section="currentPositionsDetails"]').first();
  const employer = clean(topLink.find('.top-card-link__description').first().text());
  const img = $('img.top-card-layout__entity-image').first();
  return {
    name: clean($('h1.top-card-layout__title').first().text()),
    headline: clean($('h2.top-card-layout__headline').first().text()),
    // The subline mixes location and counts; only the counts say what they are.
    location: sublines.find((s) => s && !/\b(connections?|followers?)$/i.test(s)),
    connections: count(sublines.find((s) => /\bconnections?$/i.test(s))),
    followers: count(sublines.find((s) => /\bfollowers?$/i.test(s))),
    about: blockFromHtml($, $('section.summary .core-section-container__content').first()),
    image_url: photo(img.attr('data-delayed-url') ?? img.attr('src')),
    profile_url: normaliseProfileUrl($('link[rel="canonical"]').attr('href')),
    current_company: employer
      ? defined({ name: employer, url: link(topLink.find('a').attr('href')) })
      : undefined,
    experience,
    education,
  };
}

/**
 * Parses a public profile page fetched from `pageUrl`. JSON-LD wins for the fields it carries
 * whole (name, location, about, followers, photo, URL, employer); experience and education come
 * from the HTML sections, which also hold titles, degrees and locations, and from JSON-LD only
 * when those sections are absent. Throws ExecutionError when the page is not a profile at all.
 */
export function parseProfile(html: string, pageUrl: string): Profile {
  const $ = load(html);
  const person = jsonLdNode($, 'Person');
  const ld = person ? fromJsonLd(person) : undefined;
  const dom = fromHtml($);
  const name = ld?.name ?? dom.name;
  if (!name) throw new ExecutionError('LinkedIn profile page had no recognisable profile markup');
  const experience = dom.experience.length ? dom.experience : (ld?.experience ?? []);
  const current = experience.find((e) => !e.end_date);
  return defined({
    name,
    headline: dom.headline,
    location: ld?.location ?? dom.location,
    about: ld?.about ?? dom.about,
    current_company:
      ld?.current_company ??
      dom.current_company ??
      (current ? defined({ name: current.company, url: current.companyUrl }) : undefined),
    experience: experience.map(({ title, company, location, start_date, end_date, description }) =>
      defined({ title, company, location, start_date, end_date, description }),
    ),
    education: dom.education.length ? dom.education : (ld?.education ?? []),
    connections: dom.connections,
    followers: ld?.followers ?? dom.followers,
    profile_url: ld?.profile_url ?? dom.profile_url ?? normaliseProfileUrl(pageUrl) ?? pageUrl,
    image_url: ld?.image_url ?? dom.image_url,
  });
}
