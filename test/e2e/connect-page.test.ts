// The connect page behind AUTH_REQUIRED's connect_url — the dashboard's page — driven in real
// Chromium the way a person uses it: paste a session export, or sign in through LinkedIn's
// form; mistakes are explained beside the form, and a stored login then runs a task.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

import {
  type LinkedInSite,
  linkedInStorageState,
  SLUGS,
  startLinkedInSite,
} from '../fixtures/sites/linkedin/site.js';
import { describeBrowser } from '../runtime/chromium.js';
import { call, startTestServer, type TestServer, waitForJob } from '../support/taskwire.js';
import { launchBrowser, screenshot, signedIn } from './dashboard-support.js';

const PASSWORD = 'Pw-connect-page-3141';

let site: LinkedInSite;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  site = await startLinkedInSite();
  site.accounts.set('lin@example.com', { password: PASSWORD, name: 'Lin Page' });
  server = await startTestServer({
    env: { TASKWIRE_ORIGIN_LINKEDIN: site.origin, TASKWIRE_LOGIN_TIMEOUT_MS: '20000' },
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await site?.close();
});

const CONNECT = '/products/holocron/linkedin/connect';

async function openConnect(key: string): Promise<Page> {
  const page = await signedIn(browser, server.url, key, CONNECT);
  await expect.poll(() => page.locator('h1').textContent()).toBe('Connect LinkedIn');
  return page;
}

const identities = async (key: string) =>
  (await call(server, 'GET', '/v1/wire/identities?catalog_id=linkedin', { key })).body
    .identities as Array<{ name: string; is_default: boolean; credentials: unknown[] }>;

describeBrowser('the connect page', () => {
  it('is where AUTH_REQUIRED sends a person', async () => {
    const account = await server.newAccount(5);
    const res = await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: {
        action_id: 'li_profile_scrape',
        params: { profile_url: 'https://www.linkedin.com/in/someone' },
      },
    });
    expect(res.body.error.connect_url).toBe(CONNECT);
    const page = await fetch(`${server.url}${res.body.error.connect_url}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('stores a pasted storage state as the default identity, and a task then runs', async () => {
    const account = await server.newAccount(5);
    site.validSessions.add('AQEDA-connect-paste');
    const page = await openConnect(account.key);
    await page.fill('#identity-name', 'Pasted LinkedIn');
    await page.fill(
      '#browser_state-data',
      JSON.stringify(linkedInStorageState('AQEDA-connect-paste')),
    );
    await page.click('form[data-type="browser_state"] button');
    await expect
      .poll(() => page.textContent('form[data-type="browser_state"] .result'))
      .toMatch(/^Connected\./);
    const [identity] = await identities(account.key);
    expect(identity).toMatchObject({ name: 'Pasted LinkedIn', is_default: true });
    await screenshot(page, 'connect');

    const task = await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: {
        action_id: 'li_profile_scrape',
        params: { profile_url: `https://www.linkedin.com/in/${SLUGS.full}` },
      },
    });
    expect(task.status).toBe(202);
    expect((await waitForJob(server, account.key, task.body.job_id)).status).toBe('completed');
    // The job's page names the identity it ran as.
    await page.goto(`${server.url}/jobs/${task.body.job_id}`);
    await expect.poll(() => page.textContent('dl.facts')).toMatch(/Ran as\s*Pasted LinkedIn/);
    await page.close();
  });

  it('explains what is wrong beside the form: no key, bad JSON, a dead session', async () => {
    const account = await server.newAccount(5);
    // Without a key the page asks for one first, then is the connect page.
    const page = await browser.newPage();
    await page.goto(`${server.url}${CONNECT}`);
    await expect.poll(() => page.locator('#api-key').count()).toBe(1);
    await page.fill('#api-key', account.key);
    await page.click('button[type=submit]');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Connect LinkedIn');

    const result = 'form[data-type="browser_state"] .result';
    await page.fill('#browser_state-data', '{"cookies": [');
    await page.click('form[data-type="browser_state"] button');
    await expect.poll(() => page.textContent(result)).toMatch(/not valid JSON/);

    await page.fill('#browser_state-data', JSON.stringify(linkedInStorageState('AQEDA-dead-one')));
    await page.click('form[data-type="browser_state"] button');
    await expect.poll(() => page.textContent(result)).toMatch(/LinkedIn rejected this login/);
    expect(await page.getAttribute(result, 'class')).toContain('error');
    expect(await identities(account.key)).toEqual([]);
    await screenshot(page, 'connect-error');
    await page.close();
  });

  it('signs in through the login form and says when the password is wrong', async () => {
    const account = await server.newAccount(5);
    const page = await openConnect(account.key);
    await page.fill('#identity-name', 'Signed-in LinkedIn');
    await page.click('#login-form button[type=submit]');
    await expect.poll(() => page.textContent('#login-form .result')).toMatch(/Fill in/);
    await page.fill('#login-username', 'lin@example.com');
    await page.fill('#login-password', 'Pw-not-it-0000');
    await page.click('#login-form button[type=submit]');
    await expect
      .poll(() => page.textContent('#login-form .result'), { timeout: 20_000 })
      .toMatch(/LinkedIn said/);

    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await expect
      .poll(() => page.textContent('#login-form .result'), { timeout: 20_000 })
      .toMatch(/^Connected\./);
    const [identity] = await identities(account.key);
    expect(identity?.name).toBe('Signed-in LinkedIn');
    await page.close();
  });

  it('answers 404 with a page for an unknown catalog', async () => {
    const res = await fetch(`${server.url}/products/holocron/myspace/connect`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const page = await signedIn(
      browser,
      server.url,
      server.key,
      '/products/holocron/myspace/connect',
    );
    await expect.poll(() => page.locator('h1').textContent()).toBe("No catalog 'myspace'");
    await page.close();
  });
});
