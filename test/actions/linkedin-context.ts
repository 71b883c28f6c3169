// A job context for LinkedIn actions: the real HTTP client mapped to the LinkedIn stand-in, its
// jar seeded from a stored `browser_state` credential exactly as the engine seeds it.
import { jarFromStorageState } from '../../src/runtime/index.js';
import { type LinkedInSite, linkedInStorageState } from '../fixtures/sites/linkedin/site.js';
import { actionContext, type TestContext } from './action-context.js';

export const LINKEDIN = 'https://www.linkedin.com';

/** A context whose jar holds the li_at session `liAt` (and a JSESSIONID); none when undefined. */
export async function linkedInContext<P>(
  site: LinkedInSite,
  params: P,
  liAt?: string,
): Promise<TestContext<P>> {
  const state = liAt !== undefined ? linkedInStorageState(liAt) : undefined;
  const test = actionContext(
    params,
    [LINKEDIN],
    site.origin,
    state ? { type: 'browser_state', state } : undefined,
  );
  const stored = await jarFromStorageState(state);
  for (const cookie of await stored.getCookies(`${LINKEDIN}/`)) {
    await test.ctx.http.jar.setCookie(cookie, `${LINKEDIN}/`);
  }
  return test;
}
