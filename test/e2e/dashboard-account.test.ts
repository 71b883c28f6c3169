// The account pages in real Chromium against a real Taskwire: a failed job's refund in the
// ledger (linked to its job) with the per-day chart, API keys created once and revoked,
// webhook endpoints and their deliveries, and the overview's charts and login call-outs.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { builtInCatalogs } from '../../src/actions/index.js';
import { testCatalog } from '../fixtures/catalogs/test-catalog.js';
import {
  type LinkedInSite,
  linkedInStorageState,
  startLinkedInSite,
} from '../fixtures/sites/linkedin/site.js';
import { describeBrowser } from '../runtime/chromium.js';
import { call, startTestServer, type TestServer, waitForJob } from '../support/taskwire.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { launchBrowser, screenshot, signedIn } from './dashboard-support.js';

let site: LinkedInSite;
let receiver: WebhookReceiver;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  site = await startLinkedInSite();
  receiver = await startWebhookReceiver();
  server = await startTestServer({
    catalogs: [...builtInCatalogs, testCatalog],
    env: { TASKWIRE_ORIGIN_LINKEDIN: site.origin },
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await receiver?.close();
  await site?.close();
});

async function run(key: string, actionId: string, params: object = {}): Promise<string> {
  const res = await call(server, 'POST', '/v1/wire/task', {
    key,
    body: { action_id: actionId, params },
  });
  const jobId = (res.body.job_id ?? res.body.data?.job_id) as string;
  await waitForJob(server, key, jobId);
  return jobId;
}

const rows = (page: Page, selector: string) => page.locator(`${selector} tbody tr`);

describeBrowser('the account pages', () => {
  it("shows a failed job's refund in the ledger, linked to the job", async () => {
    const account = await server.newAccount(10);
    const jobId = await run(account.key, 'test_broken');
    const page = await signedIn(browser, server.url, account.key, '/credits');
    await expect.poll(() => rows(page, '[data-testid=ledger]').count()).toBe(3);
    const refund = rows(page, '[data-testid=ledger]').first();
    expect(await refund.textContent()).toMatch(/refund.*\+2.*job/s);
    expect(await rows(page, '[data-testid=ledger]').nth(1).textContent()).toMatch(/debit.*-2/s);
    expect(await rows(page, '[data-testid=ledger]').nth(2).textContent()).toMatch(
      /grant.*\+10.*starting credits/s,
    );
    expect(await page.textContent('[data-testid=credits-balance]')).toBe('10 credits');
    await expect.poll(() => page.locator('.chart canvas').count()).toBeGreaterThan(0);
    expect(await page.textContent('.chart table')).toMatch(/Spent.*Refunded/s);
    await screenshot(page, 'credits');

    await refund.locator('a').click();
    await page.waitForURL(`**/jobs/${jobId}`);
    await expect
      .poll(() => page.textContent('[data-testid=job-result]'))
      .toMatch(/EXECUTION_FAILED/);
    await page.close();
  });

  it('creates a key shown once and revokes keys, guarding the last one and its own', async () => {
    const account = await server.newAccount(0);
    const page = await signedIn(browser, server.url, account.key, '/keys');
    await expect.poll(() => rows(page, '[data-testid=keys]').count()).toBe(1);

    // The only key cannot be revoked: the reason is shown on its row.
    await page.click('text=Revoke…');
    await page.click('.confirm-inline button:has-text("Revoke")');
    await expect
      .poll(() => rows(page, '[data-testid=keys]').first().textContent())
      .toMatch(/last active API key/);
    await page.click('.confirm-inline button:has-text("Keep")');

    await page.fill('#key-name', 'ci');
    await page.click('text=Create key');
    const shown = (await page.locator('[data-testid=new-key]').textContent()) ?? '';
    expect(shown).toMatch(/^tw_/);
    expect((await call(server, 'GET', '/v1/wire/account', { key: shown })).status).toBe(200);
    await expect.poll(() => rows(page, '[data-testid=keys]').count()).toBe(2);
    expect(await page.textContent('[data-testid=keys]')).not.toContain(shown);
    await screenshot(page, 'keys');

    const ci = rows(page, '[data-testid=keys]').filter({ hasText: 'ci' });
    await ci.locator('text=Revoke…').click();
    await ci.locator('.confirm-inline button:has-text("Revoke")').click();
    await expect.poll(() => ci.textContent()).toMatch(/Revoked/);
    expect((await call(server, 'GET', '/v1/wire/account', { key: shown })).status).toBe(401);

    // Revoking the key this tab uses (with another still active) signs the tab out.
    await call(server, 'POST', '/v1/wire/keys', { key: account.key, body: { name: 'spare' } });
    await page.reload();
    const mine = rows(page, '[data-testid=keys]').filter({ hasText: 'This browser' });
    await mine.locator('text=Revoke…').click();
    expect(await mine.textContent()).toMatch(/This signs you out/);
    await mine.locator('.confirm-inline button:has-text("Revoke")').click();
    await expect.poll(() => page.locator('#api-key').count()).toBe(1);
    expect((await call(server, 'GET', '/v1/wire/account', { key: account.key })).status).toBe(401);
    await page.close();
  });

  it('adds a webhook endpoint, shows its secret once and lists its deliveries', async () => {
    const account = await server.newAccount(10);
    const page = await signedIn(browser, server.url, account.key, '/webhooks');
    await expect.poll(() => page.textContent('main')).toMatch(/No endpoint yet/);
    await page.fill('#hook-url', 'http://localhost/hook');
    await page.click('text=Add endpoint');
    await expect.poll(() => page.locator('#hook-error').count()).toBe(1);

    await page.fill('#hook-url', `${receiver.origin}/dash`);
    await page.click('text=Add endpoint');
    await expect.poll(() => page.textContent('.new-key code')).toMatch(/^whsec_/);
    await run(account.key, 'test_echo', { message: 'hook me' });
    await expect.poll(() => receiver.at('/dash').length, { timeout: 15_000 }).toBe(1);
    await expect
      .poll(() => page.locator('main table tbody').textContent(), { timeout: 15_000 })
      .toMatch(/job\.completed.*delivered/s);
    await screenshot(page, 'webhooks');
    await page.close();
  });

  it('charts jobs per hour, rates each action, and calls out an expired login', async () => {
    const account = await server.newAccount(20);
    await run(account.key, 'test_echo', { message: 'one' });
    await run(account.key, 'test_echo', { message: 'two' });
    await run(account.key, 'test_broken');
    await call(server, 'POST', '/v1/wire/identities', {
      key: account.key,
      body: {
        catalog_id: 'linkedin',
        name: 'Old LinkedIn',
        credential: {
          type: 'browser_state',
          data: linkedInStorageState('AQEDA-long-gone'),
          keep_expired: true,
        },
      },
    });
    const page = await signedIn(browser, server.url, account.key, '/');
    const rates = page.locator('[data-testid=success-rates]');
    await expect.poll(() => rates.textContent()).toMatch(/test_echo.*100%.*of 2/s);
    expect(await rates.textContent()).toMatch(/test_broken.*0%.*of 1/s);
    expect(await page.locator('.chart canvas').count()).toBeGreaterThan(0);
    const attention = page.locator('[data-testid=attention]');
    await expect.poll(() => attention.textContent()).toMatch(/LinkedIn: Old LinkedIn.*Expired/s);
    expect(await attention.locator('text=Reconnect').getAttribute('href')).toBe(
      '/products/holocron/linkedin/connect?identity=Old%20LinkedIn',
    );
    await screenshot(page, 'overview-busy');
    await page.setViewportSize({ width: 375, height: 740 });
    const overflow = await page.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBe(0);
    await screenshot(page, 'overview-busy-phone');
    await page.close();
  });
});
