// Real Chromium behind the guarded proxy: a hostile page reaches nothing internal (T8e), a
// mapped real origin is served by its stand-in under the real URL, and the credential's
// storage state (cookies, localStorage) is seeded under the real origins.
import { afterAll, beforeAll, expect, it } from 'vitest';

import type { BrowserPool, ResolveHost, StorageState } from '../../src/runtime/index.js';
import {
  startHostileSite,
  startVictim,
  type HostileSite,
  type Victim,
} from '../fixtures/sites/web/hostile-page.js';
import { startWebSite, type WebSite } from '../fixtures/sites/web/site.js';
import { describeBrowser, testPool } from './chromium.js';

const REAL = 'https://www.example.org';

/** Fake DNS for the proxy: `site.test` is the stand-in, `internal.test` the victim. */
const lookup: ResolveHost = async (host) => {
  const address = { 'site.test': '127.0.0.2', 'internal.test': '127.0.0.1' }[host];
  return address ? [{ address, family: 4 }] : [];
};

/** A logged-in storage state, as a `browser_state` credential holds it. */
const STATE: StorageState = {
  cookies: [
    {
      name: 'sid',
      value: 'seeded-sid',
      domain: '.example.org',
      path: '/',
      secure: true,
      httpOnly: true,
    },
  ],
  origins: [{ origin: REAL, localStorage: [{ name: 'draft', value: 'hello' }] }],
};

describeBrowser('browser behind the address guard', () => {
  let victim: Victim;
  let hostile: HostileSite;
  let site: WebSite;
  let pool: BrowserPool;

  beforeAll(async () => {
    // An inherited value would make the pool refuse to launch; T8e asserts it is unset.
    expect(process.env.PLAYWRIGHT_DISABLE_FORCED_CHROMIUM_PROXIED_LOOPBACK).toBeUndefined();
    victim = await startVictim();
    hostile = await startHostileSite({ victimPort: victim.port });
    site = await startWebSite({ host: '127.0.0.2' });
    pool = testPool({ lookup });
  });
  afterAll(async () => {
    await pool.close();
    await Promise.all([site.close(), hostile.close(), victim.close()]);
  });

  it('T8e: img, fetch, WebSocket and iframe aimed at loopback never connect; the page loads', async () => {
    const handle = await pool.newContext({});
    try {
      const page = await handle.context.newPage();
      await page.goto(`${hostile.origin}/hostile`);
      // Page-side code as strings: this project compiles without the DOM types.
      await page.waitForFunction("document.title === 'done'", undefined, { timeout: 15_000 });
      const results = await page.evaluate<string[]>('window.__results');
      // Its own request worked; each cross-origin fetch to loopback failed (the proxy's 403
      // carries no CORS headers); the WebSocket never opened.
      expect(results[0]).toBe('pong');
      expect(results.slice(1, -1)).toEqual(['error', 'error', 'error', 'error']);
      expect(results.at(-1)).toBe('error');
      expect(hostile.hits.get('/ping')).toBe(1);
      expect(victim.connections()).toBe(0);
      expect(handle.refused).toBeGreaterThanOrEqual(8);
    } finally {
      await handle.dispose();
    }
  });

  it('T8e: page.goto to loopback is refused: a 403 page over http, a network error over https', async () => {
    const handle = await pool.newContext({});
    try {
      const page = await handle.context.newPage();
      const res = await page.goto(`${victim.origin}/`);
      expect(res?.status()).toBe(403);
      expect(res?.headers()['x-taskwire-refused']).toMatch(/loopback/);
      // A name is resolved by the proxy, and refused for what it resolves to.
      const named = await page.goto(`http://internal.test:${victim.port}/`);
      expect(named?.status()).toBe(403);
      expect(await page.textContent('body')).toContain('resolves to 127.0.0.1');
      await expect(page.goto(`https://127.0.0.1:${victim.port}/`)).rejects.toThrow(
        /ERR_TUNNEL_CONNECTION_FAILED/,
      );
      expect(victim.connections()).toBe(0);
    } finally {
      await handle.dispose();
    }
  });

  it('resolves names in the proxy: a name for the allowed stand-in loads', async () => {
    const handle = await pool.newContext({});
    try {
      const page = await handle.context.newPage();
      await page.goto(`http://site.test:${new URL(site.origin).port}/article`);
      expect(await page.title()).toBe('Vector clocks, explained | The Example Journal');
    } finally {
      await handle.dispose();
    }
  });

  it('serves a mapped https origin from its stand-in; the page keeps the real URL', async () => {
    const handle = await pool.newContext({ originMap: new Map([[REAL, site.origin]]) });
    try {
      const page = await handle.context.newPage();
      const res = await page.goto(`${REAL}/article`);
      expect(res?.status()).toBe(200);
      expect(await page.title()).toBe('Vector clocks, explained | The Example Journal');
      expect(page.url()).toBe(`${REAL}/article`);
      expect(await page.evaluate('[location.origin, window.isSecureContext]')).toEqual([
        REAL,
        true,
      ]);
      // A redirect the stand-in sends to its own origin is followed under the real one.
      await page.goto(`${REAL}/absolute-redirect`);
      expect(page.url()).toBe(`${REAL}/article`);
      expect(site.hits.get('/article')).toBeGreaterThanOrEqual(2);
    } finally {
      await handle.dispose();
    }
  });

  it('seeds the storage state under real origins: the cookie reaches the stand-in', async () => {
    const handle = await pool.newContext({
      storageState: STATE,
      originMap: new Map([[REAL, site.origin]]),
    });
    try {
      const page = await handle.context.newPage();
      // /login sets a session cookie and redirects to /echo, which shows what arrived.
      await page.goto(`${REAL}/login`);
      expect(page.url()).toBe(`${REAL}/echo`);
      const echo = JSON.parse((await page.textContent('body')) ?? '{}');
      expect(echo.headers.cookie).toContain('sid=seeded-sid');
      expect(echo.headers.cookie).toContain('session=s3cr3t');
      expect(await page.evaluate("localStorage.getItem('draft')")).toBe('hello');
      const stored = await handle.context.cookies(REAL);
      expect(stored.find((c) => c.name === 'session')).toMatchObject({
        domain: 'www.example.org',
        secure: true,
        httpOnly: true,
      });
    } finally {
      await handle.dispose();
    }
  });
});
