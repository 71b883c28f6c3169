// Loads a Playwright storage state's cookies into a tough-cookie jar, so HTTP actions send a
// stored login exactly as the browser that exported it would.
import { Cookie, CookieJar } from 'tough-cookie';

import type { StorageState } from './credential.types.js';

export async function jarFromStorageState(state: StorageState | undefined): Promise<CookieJar> {
  const jar = new CookieJar();
  for (const c of state?.cookies ?? []) {
    const host = c.domain.replace(/^\./, '');
    const cookie = new Cookie({
      key: c.name,
      value: c.value,
      domain: host,
      path: c.path || '/',
      secure: c.secure ?? false,
      httpOnly: c.httpOnly ?? false,
      hostOnly: !c.domain.startsWith('.'),
      expires: c.expires !== undefined && c.expires > 0 ? new Date(c.expires * 1000) : 'Infinity',
      ...(c.sameSite ? { sameSite: c.sameSite.toLowerCase() } : {}),
    });
    await jar.setCookie(cookie, `${c.secure ? 'https' : 'http'}://${host}${cookie.path ?? '/'}`, {
      ignoreError: true,
    });
  }
  return jar;
}
