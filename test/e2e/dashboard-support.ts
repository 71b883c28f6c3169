// Shared by the dashboard's browser tests: real Chromium, signing in the way a person does,
// and full-page screenshots saved as test artifacts (test-results/ is not committed).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

import { CHROMIUM } from '../runtime/chromium.js';

export const SCREENSHOTS = join('test-results', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A new page at `path`, signed in with `key` through the sign-in form. */
export async function signedIn(
  browser: Browser,
  url: string,
  key: string,
  path = '/',
  viewport = { width: 1280, height: 860 },
): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.goto(`${url}${path}`);
  await page.fill('#api-key', key);
  await page.click('button[type=submit]');
  await expect.poll(() => page.locator('[data-testid=account-name]').count()).toBe(1);
  return page;
}

/** Saves a full-page screenshot for a reviewer to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Let fonts and any chart finish drawing before the picture.
  await page.evaluate('document.fonts.ready');
  // From the top, so the sticky header is drawn where it belongs.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
