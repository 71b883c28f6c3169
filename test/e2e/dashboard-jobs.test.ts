// The catalog and jobs pages in real Chromium against a real Taskwire: finding an action by
// search, running it from its generated form and seeing the result, a failed job refunded,
// a job's timeline, files shown inline, cancel and run again, and the live, filtered list.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { builtInCatalogs } from '../../src/actions/index.js';
import { testCatalog } from '../fixtures/catalogs/test-catalog.js';
import { startWebSite, type WebSite } from '../fixtures/sites/web/site.js';
import { describeBrowser } from '../runtime/chromium.js';
import { call, startTestServer, type TestServer } from '../support/taskwire.js';
import { launchBrowser, screenshot, signedIn } from './dashboard-support.js';

let site: WebSite;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  site = await startWebSite();
  server = await startTestServer({ catalogs: [...builtInCatalogs, testCatalog], credits: 100 });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await site?.close();
});

/** How far the page is wider than the window: 0 when nothing sticks out sideways. */
const OVERFLOW = 'document.documentElement.scrollWidth - document.documentElement.clientWidth';

const balance = (page: Page) => page.textContent('[data-testid=account-balance]');

describeBrowser('the catalog and jobs pages', () => {
  it('finds an action by search and shows what it needs, costs and how to call it', async () => {
    const page = await signedIn(browser, server.url, server.key, '/catalog');
    await page.fill('#catalog-search', 'scrape a web page');
    await page.waitForURL(/q=scrape/);
    const first = page.locator('.action-row').first();
    await expect.poll(() => first.locator('code').textContent()).toBe('web_scrape');
    await screenshot(page, 'catalog');
    await page.setViewportSize({ width: 375, height: 740 });
    expect(await page.evaluate(OVERFLOW)).toBe(0);
    await screenshot(page, 'catalog-phone');
    await page.setViewportSize({ width: 1280, height: 860 });

    await page.selectOption('#filter-type', 'write');
    await expect.poll(() => page.textContent('main')).toMatch(/No action matches/);
    await page.selectOption('#filter-type', '');
    await page.selectOption('#filter-auth', 'required');
    await page.waitForURL(/auth_mode=required/);
    await expect.poll(() => page.textContent('main')).not.toContain('web_scrape');
    await page.selectOption('#filter-auth', 'none');
    await page.waitForURL(/auth_mode=none/);
    await expect.poll(() => first.locator('code').textContent()).toBe('web_scrape');
    await first.locator('a.action-name').click();
    await page.waitForURL(/\/actions\/web_scrape$/);
    expect(await page.textContent('[data-testid=action-id]')).toBe('web_scrape');
    expect(await page.textContent('main')).toContain('Runs without a login.');
    expect(await page.textContent('[data-testid=snippet-curl]')).toContain(
      '"action_id":"web_scrape"',
    );
    await page.click('#tab-python');
    expect(await page.textContent('[data-testid=snippet-python]')).toContain('"web_scrape"');
    await screenshot(page, 'action');
    await page.close();
  });

  it('runs a task from the generated form and follows it to its result', async () => {
    const account = await server.newAccount(20);
    const page = await signedIn(browser, server.url, account.key, '/actions/web_scrape');
    // The browser's own check is off (noValidate): a missing field is explained beside it.
    await page.click('.run-form button[type=submit]');
    await expect.poll(() => page.textContent('#param-url-error')).toBe('Required.');
    await page.fill('#param-url', 'ftp://not-a-web-page');
    await page.click('.run-form button[type=submit]');
    await expect.poll(() => page.locator('#param-url-error').count()).toBe(1);
    expect(await balance(page)).toBe('20 credits');

    await page.fill('#param-url', `${site.origin}/article`);
    await page.click('.run-form button[type=submit]');
    const result = page.locator('[data-testid=run-result]');
    await expect.poll(() => result.textContent(), { timeout: 20_000 }).toMatch(/completed/);
    expect(await result.locator('.json-tree').textContent()).toContain('title');
    await expect.poll(() => balance(page)).toBe('19 credits');

    await result.locator('text=Open the job').click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    const timeline = page.locator('[data-testid=job-timeline]');
    await expect.poll(() => timeline.textContent()).toMatch(/submitted.*started.*succeeded/is);
    expect(await page.textContent('[data-testid=job-result]')).toContain('title');
    await screenshot(page, 'job');
    await page.setViewportSize({ width: 375, height: 740 });
    expect(await page.evaluate(OVERFLOW)).toBe(0);
    await screenshot(page, 'job-phone');
    await page.setViewportSize({ width: 1280, height: 860 });

    // Run again submits the same params as a new job.
    const first = page.url();
    await page.click('text=Run again');
    await expect.poll(() => page.url()).not.toBe(first);
    await expect
      .poll(() => page.locator('[data-testid=job-result]').textContent(), { timeout: 20_000 })
      .toContain('title');
    await page.close();
  });

  it('shows a failed job refunded, and the list filtered by status', async () => {
    const account = await server.newAccount(10);
    const page = await signedIn(browser, server.url, account.key, '/actions/test_broken');
    await page.click('.run-form button[type=submit]');
    const result = page.locator('[data-testid=run-result]');
    await expect.poll(() => result.textContent(), { timeout: 20_000 }).toMatch(/failed/);
    expect(await result.textContent()).toMatch(/EXECUTION_FAILED.*refunded/s);
    await expect.poll(() => balance(page)).toBe('10 credits');

    await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: { action_id: 'test_echo', params: { message: 'hello from the list' } },
    });
    await page.click('nav >> text=Jobs');
    await expect.poll(() => page.locator('.jobs-table tbody tr').count()).toBe(2);
    await page.selectOption('#jobs-status', 'failed');
    await expect.poll(() => page.locator('.jobs-table tbody tr').count()).toBe(1);
    expect(await page.textContent('.jobs-table tbody')).toContain('test_broken');
    await page.selectOption('#jobs-status', '');
    await page.fill('#jobs-search', 'hello from the list');
    await expect.poll(() => page.locator('.jobs-table tbody tr').count()).toBe(1);
    expect(await page.textContent('.jobs-table tbody')).toContain('test_echo');
    await page.fill('#jobs-search', '');
    await expect.poll(() => page.locator('.jobs-table tbody tr').count()).toBe(2);
    await screenshot(page, 'jobs');
    await page.close();
  });

  it('lists a new job live, and cancels a running one with a refund', async () => {
    const account = await server.newAccount(10);
    const page = await signedIn(browser, server.url, account.key, '/jobs');
    await expect.poll(() => page.textContent('main')).toMatch(/No jobs yet/);
    const sub = await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: { action_id: 'test_wait', params: { key: 'dash-cancel', ms: 60_000 } },
    });
    // No reload: the list picks the job up by itself.
    await expect
      .poll(() => page.locator('.jobs-table tbody tr').count(), { timeout: 15_000 })
      .toBe(1);
    await page.click('.jobs-table a.strong');
    await page.waitForURL(`**/jobs/${sub.body.job_id}`);
    await expect.poll(() => balance(page)).toBe('8 credits');
    await page.click('text=Cancel job');
    await expect
      .poll(() => page.textContent('[data-testid=job-result]'), { timeout: 15_000 })
      .toMatch(/CANCELLED/);
    await expect.poll(() => balance(page)).toBe('10 credits');
    expect(await page.locator('text=Cancel job').count()).toBe(0);
    await page.close();
  });

  it('previews a screenshot file inline', async () => {
    const account = await server.newAccount(10);
    const sub = await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: { action_id: 'web_screenshot', params: { url: `${site.origin}/article` } },
    });
    const page = await signedIn(browser, server.url, account.key, `/jobs/${sub.body.job_id}`);
    const preview = page.locator('img.file-preview');
    await expect.poll(() => preview.count(), { timeout: 30_000 }).toBe(1);
    await expect
      .poll(() =>
        preview.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      )
      .toBeGreaterThan(100);
    await screenshot(page, 'job-screenshot-file');
    await page.close();
  });

  it('pages through a long job list with Older and Newer, keeping the page in the URL', async () => {
    const account = await server.newAccount(30);
    for (let i = 0; i < 22; i += 1) {
      const res = await call(server, 'POST', '/v1/wire/task', {
        key: account.key,
        body: { action_id: 'test_echo', params: { message: `page ${i}` } },
      });
      expect([200, 202]).toContain(res.status);
    }
    const page = await signedIn(browser, server.url, account.key, '/jobs');
    const pager = page.locator('nav.pager');
    await expect.poll(() => pager.textContent()).toMatch(/Page 1 of 2 · 22 jobs/);
    const newer = pager.getByRole('button', { name: 'Newer' });
    const older = pager.getByRole('button', { name: 'Older' });
    expect(await newer.isDisabled()).toBe(true);
    await older.click();
    await page.waitForURL(/page=2/);
    await expect.poll(() => pager.textContent()).toMatch(/Page 2 of 2/);
    expect(await older.isDisabled()).toBe(true);
    await newer.click();
    await expect.poll(() => pager.textContent()).toMatch(/Page 1 of 2/);
    await page.close();
  });
});
