// Small page helpers login flows share: submit a form and wait for the page it leads to, and
// read what that page shows.
import type { Page } from 'playwright-core';

/**
 * Clicks `selector` (a submit button) and waits until the document the submission leads to
 * has loaded, redirects included. Rejects with Playwright's TimeoutError when none loads.
 */
export async function submitAndLoad(page: Page, selector: string): Promise<void> {
  // Listening first: the next document's load may come before click() returns.
  const loaded = page.waitForEvent('load');
  await page.locator(selector).first().click();
  await loaded;
}

/** True when an element matching `selector` is shown on the page. */
export async function isShown(page: Page, selector: string): Promise<boolean> {
  return (await page.locator(selector).filter({ visible: true }).count()) > 0;
}

/** The text of the first element matching `selector`, whitespace collapsed, or ''. */
export async function textOf(page: Page, selector: string): Promise<string> {
  const locator = page.locator(selector).first();
  if ((await locator.count()) === 0) return '';
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}
