// The dashboard's frame in real Chromium against a real Taskwire: signing in with an API key
// (kept for the tab only), the account's name and balance in the header, signing out, and
// the server handing every dashboard path the app without shadowing any API route.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { describeBrowser } from '../runtime/chromium.js';
import { call, startTestServer, type TestServer } from '../support/taskwire.js';
import { launchBrowser, screenshot, signedIn } from './dashboard-support.js';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer({ credits: 250 });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describeBrowser('the dashboard shell', () => {
  it('signs in with an API key and shows the account name and balance', async () => {
    const account = await call(server, 'GET', '/v1/wire/account', { key: server.key });
    const page = await signedIn(browser, server.url, server.key);
    expect(await page.textContent('[data-testid=account-name]')).toBe(account.body.account.name);
    expect(await page.textContent('[data-testid=account-balance]')).toBe('250 credits');
    expect(await page.evaluate('sessionStorage.getItem("taskwire.key")')).toBe(server.key);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    await screenshot(page, 'overview');

    // A reload keeps the session (same tab); signing out forgets the key.
    await page.reload();
    await expect.poll(() => page.locator('[data-testid=account-name]').count()).toBe(1);
    await page.click('text=Sign out');
    await expect.poll(() => page.locator('#api-key').count()).toBe(1);
    expect(await page.evaluate('sessionStorage.getItem("taskwire.key")')).toBeNull();
    await page.close();
  });

  it('explains a key it does not accept, next to the key', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('[role=alert]')).toMatch(/Paste your API key/);
    await page.fill('#api-key', 'tw_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('[role=alert]')).toMatch(/did not accept that key/);
    expect(await page.getAttribute('#api-key', 'aria-invalid')).toBe('true');
    await screenshot(page, 'sign-in');
    await page.close();
  });

  it('fits a phone-width screen', async () => {
    const page = await signedIn(browser, server.url, server.key, '/', { width: 375, height: 740 });
    const overflow = await page.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBe(0);
    await screenshot(page, 'overview-phone');
    await page.close();
  });

  it('serves the app on dashboard paths and leaves the API and root routes alone', async () => {
    for (const path of ['/', '/jobs', '/catalog', '/credits']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(/text\/html/);
      expect(res.headers.get('content-security-policy'), path).toContain("script-src 'self'");
    }
    const html = await (await fetch(`${server.url}/`)).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${server.url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${server.url}/assets/..%2Fpackage.json`)).status).toBe(404);

    expect((await call(server, 'GET', '/health')).body).toEqual({ status: 'ok' });
    expect((await call(server, 'GET', '/v1/wire/jobs')).status).toBe(401);
    expect((await call(server, 'GET', '/openapi.json')).body.openapi).toBe('3.1.0');
    expect((await fetch(`${server.url}/llms.txt`)).headers.get('content-type')).toMatch(/plain/);
    const unknown = await call(server, 'GET', '/no-such-page');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
  });
});
