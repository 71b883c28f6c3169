// Shared by the browser tests: where Chromium is, and whether they may be skipped. Locally a
// missing Chromium skips them with a notice; on CI (CI set) they run and fail loudly.
import { existsSync } from 'node:fs';

import { describe } from 'vitest';

import { BrowserPool, type BrowserPoolOptions } from '../../src/runtime/index.js';

export const CHROMIUM = '/usr/bin/chromium';
/** Tests allow exactly the stand-in address, as reliability.md G8 prescribes. */
export const GUARD = { allowPrivate: false, allowCidrs: ['127.0.0.2/32'] };

const missing = !existsSync(CHROMIUM);
const skip = missing && !process.env.CI;
if (skip) {
  console.warn(
    `NOTICE: browser tests skipped: ${CHROMIUM} is missing (apt-get install -y chromium). On CI they fail instead.`,
  );
}

/** `describe` for tests that need a real Chromium. */
export const describeBrowser = skip ? describe.skip : describe;

/** A pool on the local Chromium with the test guard; close it in afterAll/afterEach. */
export function testPool(overrides: Partial<BrowserPoolOptions> = {}): BrowserPool {
  return new BrowserPool({ executablePath: CHROMIUM, size: 2, guard: GUARD, ...overrides });
}
