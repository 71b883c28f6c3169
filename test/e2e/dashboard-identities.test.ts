// The identities page in real Chromium against a real Taskwire and the LinkedIn stand-in:
// each identity's credentials and status, verify now (a live login and a dead one), make
// default, rename, delete after confirming, and the link to reconnect an expired login.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

import {
  type LinkedInSite,
  linkedInStorageState,
  startLinkedInSite,
} from '../fixtures/sites/linkedin/site.js';
import { describeBrowser } from '../runtime/chromium.js';
import { call, startTestServer, type TestServer } from '../support/taskwire.js';
import { launchBrowser, screenshot, signedIn } from './dashboard-support.js';

let site: LinkedInSite;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  site = await startLinkedInSite();
  server = await startTestServer({ env: { TASKWIRE_ORIGIN_LINKEDIN: site.origin } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await site?.close();
});

async function connect(key: string, name: string, session: string, isDefault = false) {
  site.validSessions.add(session);
  const res = await call(server, 'POST', '/v1/wire/identities', {
    key,
    body: {
      catalog_id: 'linkedin',
      name,
      is_default: isDefault,
      credential: { type: 'browser_state', data: linkedInStorageState(session) },
    },
  });
  expect(res.status).toBe(201);
}

const listed = async (key: string) =>
  (await call(server, 'GET', '/v1/wire/identities?catalog_id=linkedin', { key })).body
    .identities as Array<{ name: string; is_default: boolean; credentials: any[] }>;

describeBrowser('the identities page', () => {
  it('verifies, makes default, renames and deletes identities', async () => {
    const account = await server.newAccount(5);
    await connect(account.key, 'Work', 'AQEDA-ident-work', true);
    await connect(account.key, 'Personal', 'AQEDA-ident-personal');
    const page = await signedIn(browser, server.url, account.key, '/identities');
    const row = (name: string) =>
      page.locator('[data-testid=identity]', { has: page.locator(`h3:has-text("${name}")`) });
    await expect.poll(() => page.locator('[data-testid=identity]').count()).toBe(2);
    expect(await row('Work').textContent()).toMatch(/default.*Active.*Browser session.*active/s);
    expect(await page.textContent('main')).toContain('No Amazon identity yet');

    await row('Work').locator('text=Verify now').click();
    await expect
      .poll(() => row('Work').locator('[role=status]').textContent())
      .toMatch(/signed in/);

    // A login the site no longer accepts: verify says so, and the row offers to reconnect.
    site.validSessions.delete('AQEDA-ident-personal');
    await row('Personal').locator('text=Verify now').click();
    await expect.poll(() => row('Personal').locator('[role=alert]').count()).toBe(1);
    await expect.poll(() => row('Personal').textContent()).toMatch(/Needs reconnecting/);
    expect(await row('Personal').textContent()).toMatch(/did not accept it when it was checked/);
    expect(await row('Personal').locator('text=Reconnect it').getAttribute('href')).toBe(
      '/products/holocron/linkedin/connect?identity=Personal',
    );
    await screenshot(page, 'identities');

    await row('Personal').locator('text=Make default').click();
    await expect
      .poll(async () => (await listed(account.key)).find((i) => i.is_default)?.name)
      .toBe('Personal');

    await row('Work').locator('button:has-text("Rename")').click();
    await page.fill('input[id^=rename-]', 'Office');
    await page.click('form.rename button[type=submit]');
    await expect.poll(() => row('Office').count()).toBe(1);

    await row('Office').locator('button:has-text("Delete")').click();
    await row('Office').locator('[role=alertdialog] button:has-text("Delete")').click();
    await expect.poll(() => page.locator('[data-testid=identity]').count()).toBe(1);
    expect((await listed(account.key)).map((i) => i.name)).toEqual(['Personal']);
    await page.close();
  });
});
