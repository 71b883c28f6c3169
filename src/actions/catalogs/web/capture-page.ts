// Loading a page in the job's browser for the capture actions (web_screenshot, web_pdf): one
// navigation with a bounded wait, and the outcomes mapped to the runtime's typed errors.
import { STATUS_CODES } from 'node:http';

import { Type } from 'typebox';

import {
  BlockedError,
  ExecutionError,
  InvalidTargetError,
  type JobBrowser,
  type Page,
  TransientError,
} from '../../../runtime/index.js';

/** The `wait_until` choices, as Playwright names them. */
export const WaitUntil = Type.Optional(
  Type.Enum(['load', 'domcontentloaded', 'networkidle'], {
    default: 'load',
    description:
      'When the page counts as loaded: load (the load event, default), domcontentloaded (HTML parsed), or networkidle (no requests for 500 ms).',
  }),
);

export type WaitUntilChoice = 'load' | 'domcontentloaded' | 'networkidle';

/** The URL to capture; checked at submit (`targets`) and by the guarded proxy on every hop. */
export const PageUrl = Type.String({
  maxLength: 2048,
  description: 'The page to capture, an http or https URL, e.g. https://example.com/pricing',
});

/** A navigation's share of the action's time budget; the capture itself needs the rest. */
const NAVIGATION_TIMEOUT_MS = 30_000;

export interface LoadedPage {
  page: Page;
  /** Where the page ended up after redirects. */
  finalUrl: string;
  /** The document title, when it has a non-blank one. */
  title?: string;
}

export interface LoadOptions {
  waitUntil: WaitUntilChoice;
  viewport?: { width: number; height: number };
}

/** Opens `url` in a new page of the job's browser; throws a typed error when it cannot. */
export async function loadPage(
  browser: JobBrowser,
  url: string,
  options: LoadOptions,
): Promise<LoadedPage> {
  const page = await browser.newPage();
  if (options.viewport) await page.setViewportSize(options.viewport);
  let response;
  try {
    response = await page.goto(url, {
      waitUntil: options.waitUntil,
      timeout: NAVIGATION_TIMEOUT_MS,
    });
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    if (error instanceof Error && error.name === 'TimeoutError') {
      throw new TransientError(
        `${url} did not finish loading (${options.waitUntil}) within ${NAVIGATION_TIMEOUT_MS / 1000} s.`,
      );
    }
    throw new TransientError(`${url} could not be loaded: ${reason}`);
  }
  // The guarded proxy answers a refused plain-http hop (a redirect inward) with this header.
  const refused = response?.headers()['x-taskwire-refused'];
  if (refused !== undefined) {
    throw new InvalidTargetError(
      `The page was redirected to an address Taskwire refuses: ${refused}`,
    );
  }
  const status = response?.status() ?? 200;
  if (status >= 400) {
    const answered = `${page.url()} answered ${status} ${STATUS_CODES[status] ?? 'Unknown status'}.`;
    if (status === 429) throw new BlockedError(answered);
    if (status >= 500) throw new TransientError(answered);
    throw new ExecutionError(answered);
  }
  const title = (await page.title()).trim();
  return { page, finalUrl: page.url(), ...(title ? { title } : {}) };
}
