// li_profile_scrape end to end: the real HTTP client, origin-mapped to the LinkedIn stand-in.
import { CookieJar } from 'tough-cookie';
import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ActionContext } from '../../src/actions/define.js';
import { liProfileScrape } from '../../src/actions/catalogs/linkedin/li-profile-scrape.js';
import {
  AuthExpiredError,
  BlockedError,
  createHttpClient,
  createJobBrowser,
  createJobFiles,
  ExecutionError,
  jarFromStorageState,
} from '../../src/runtime/index.js';
import {
  type LinkedInSite,
  linkedInStorageState,
  SLUGS,
  startLinkedInSite,
} from '../fixtures/sites/linkedin/site.js';

const GOOD = 'AQEDAR7good0session0value';
const EXPIRED = 'AQEDAR7expired0session000';
const urlOf = (slug: string): string => `https://www.linkedin.com/in/${slug}`;

let site: LinkedInSite;
beforeAll(async () => {
  site = await startLinkedInSite();
  site.validSessions.add(GOOD);
});
afterAll(() => site.close());

async function jarWith(liAt: string | undefined): Promise<CookieJar> {
  const jar = new CookieJar();
  if (liAt) {
    await jar.setCookie(
      `li_at=${liAt}; Domain=.linkedin.com; Path=/; Secure; HttpOnly`,
      'https://www.linkedin.com/',
    );
  }
  return jar;
}

/** A job context for one run; `lines` collects what the action logged. */
function contextFor(on: LinkedInSite, profileUrl: string, jar: CookieJar, liAt?: string) {
  const lines: string[] = [];
  const ctx: ActionContext<Record<string, unknown>> = {
    params: { profile_url: profileUrl },
    http: createHttpClient({
      originMap: new Map([['https://www.linkedin.com', on.origin]]),
      guard: { allowPrivate: false, allowCidrs: ['127.0.0.2/32'] },
      jar,
      maxBytes: 5_000_000,
      timeoutMs: 10_000,
    }),
    browser: createJobBrowser(undefined, {}).browser,
    files: createJobFiles().files,
    credential: liAt ? { type: 'browser_state', state: linkedInStorageState(liAt) } : undefined,
    signal: new AbortController().signal,
    log: (message, fields) => lines.push(`${message} ${JSON.stringify(fields ?? {})}`),
    attempt: 1,
  };
  return { ctx, lines };
}

/** Runs the action for `slug`; `liAt: null` sends no session cookie at all. */
async function scrape(slug: string, liAt: string | null = GOOD, on = site) {
  const session = liAt ?? undefined;
  const { ctx, lines } = contextFor(on, urlOf(slug), await jarWith(session), session);
  return { result: await liProfileScrape.run(ctx), lines };
}

describe('li_profile_scrape', () => {
  const output = Compile(liProfileScrape.output);

  it('returns a full profile that matches the output schema', async () => {
    const { result, lines } = await scrape(SLUGS.full);
    expect(output.Check(result)).toBe(true);
    expect(result).toMatchObject({
      name: 'María Okafor',
      current_company: { name: 'Harbor & Finch Robotics' },
      connections: 500,
      followers: 12843,
      profile_url: 'https://www.linkedin.com/in/maria-okafor/',
    });
    expect(result.experience).toHaveLength(4);
    expect(result.education).toHaveLength(2);
    // Job logs are kept with the job; the session cookie must never reach them.
    expect(lines.join('\n')).not.toContain(GOOD);
  });

  it('omits the fields a sparse profile lacks', async () => {
    const { result } = await scrape(SLUGS.sparse);
    expect(output.Check(result)).toBe(true);
    for (const field of ['about', 'followers', 'image_url'])
      expect(result).not.toHaveProperty(field);
    expect(result.education).toEqual([]);
  });

  it('reads the page variant that has no JSON-LD', async () => {
    const { result } = await scrape(SLUGS.htmlOnly);
    expect(output.Check(result)).toBe(true);
    expect(result).toMatchObject({ name: 'Priya Raman', followers: 2301, connections: 500 });
  });

  it('works with a jar loaded from the stored browser_state credential', async () => {
    const jar = await jarFromStorageState(linkedInStorageState(GOOD));
    const { ctx } = contextFor(site, urlOf(SLUGS.full), jar, GOOD);
    await expect(liProfileScrape.run(ctx)).resolves.toMatchObject({ name: 'María Okafor' });
  });

  it('reports an expired session when LinkedIn sends it to sign in again', async () => {
    const run = scrape(SLUGS.full, EXPIRED);
    await expect(run).rejects.toThrow(AuthExpiredError);
    await expect(run).rejects.toThrow(
      'LinkedIn rejected the stored session (redirected to the sign-in wall).',
    );
    expect(site.hits.some((h) => h.startsWith('/login?session_redirect='))).toBe(true);
  });

  it('reports an expired session when no li_at cookie is sent at all', async () => {
    await expect(scrape(SLUGS.full, null)).rejects.toThrow(AuthExpiredError);
    expect(site.hits.some((h) => h.startsWith('/authwall?'))).toBe(true);
  });

  it("treats LinkedIn's 999 request-denied as a block worth retrying later", async () => {
    const failure = await scrape(SLUGS.blocked).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(BlockedError);
    expect(failure).toMatchObject({ retry: 'retry', jobCode: 'UPSTREAM_BLOCKED' });
  });

  it('treats the rate limit kicking in after a few views as a block', async () => {
    const limited = await startLinkedInSite({ rateLimitAfter: 1 });
    limited.validSessions.add(GOOD);
    try {
      await expect(scrape(SLUGS.full, GOOD, limited)).resolves.toBeDefined();
      await expect(scrape(SLUGS.full, GOOD, limited)).rejects.toThrow(BlockedError);
    } finally {
      await limited.close();
    }
  });

  it('treats a redirect to the security check (CAPTCHA) as a block', async () => {
    site.flaggedSessions.add(GOOD);
    try {
      await expect(scrape(SLUGS.full)).rejects.toThrow(BlockedError);
      expect(site.hits.some((h) => h.startsWith('/checkpoint/challenge/'))).toBe(true);
    } finally {
      site.flaggedSessions.delete(GOOD);
    }
  });

  it('fails without retry when the member does not exist', async () => {
    const run = scrape(SLUGS.missing);
    await expect(run).rejects.toThrow(ExecutionError);
    await expect(run).rejects.toThrow(
      `LinkedIn has no profile at https://www.linkedin.com/in/${SLUGS.missing}/`,
    );
  });
});

describe('li_profile_scrape params', () => {
  const params = Compile(liProfileScrape.params);

  it.each([
    'https://www.linkedin.com/in/maria-okafor/',
    'https://linkedin.com/in/maria-okafor',
    'https://www.linkedin.com/in/j%C3%A9r%C3%B4me-7b2a1',
  ])('accepts %s', (url) => {
    expect(params.Check({ profile_url: url })).toBe(true);
  });

  it.each([
    ['plain http', 'http://www.linkedin.com/in/maria-okafor/'],
    ['another site', 'https://www.linkedin.com.evil.example/in/maria-okafor/'],
    ['a company page', 'https://www.linkedin.com/company/contoso/'],
    ['a nested path', 'https://www.linkedin.com/in/maria-okafor/details/experience/'],
    ['an over-long URL', `https://www.linkedin.com/in/${'a'.repeat(600)}`],
  ])('rejects %s', (_what, url) => {
    expect(params.Check({ profile_url: url })).toBe(false);
  });

  it('rejects unknown params and a missing profile_url', () => {
    expect(params.Check({ profile_url: urlOf('maria-okafor'), extra: 1 })).toBe(false);
    expect(params.Check({})).toBe(false);
  });
});

describe('LinkedIn stand-in', () => {
  it('hands out a JSESSIONID that the Voyager API checks against csrf-token', async () => {
    const jar = await jarWith(GOOD);
    const { ctx } = contextFor(site, urlOf(SLUGS.full), jar, GOOD);
    await ctx.http.get(urlOf(SLUGS.full));
    const cookies = await jar.getCookies('https://www.linkedin.com/');
    const jsession = cookies.find((c) => c.key === 'JSESSIONID')?.value ?? '';
    expect(jsession).toMatch(/^"ajax:\d{19}"$/);

    const me = 'https://www.linkedin.com/voyager/api/me';
    expect((await ctx.http.get(me)).status).toBe(403);
    const ok = await ctx.http.get(me, { headers: { 'csrf-token': jsession.replace(/"/g, '') } });
    expect(ok.status).toBe(200);
  });
});
