// Action throughput against Crawlee 3 doing the same pages in the same run, on a local site
// served by another process (bench/scrape-site.ts):
// - HTTP: N pages through `web_scrape` jobs (submitted to the engine, each a durable debit and
//   job insert, run by the in-process worker, settled with the result) against Crawlee's
//   CheerioCrawler fetching the same pages and computing the same result with the same parser;
// - browser: M pages through `web_screenshot` jobs against Crawlee's PlaywrightCrawler opening
//   each page in the same Chromium and taking the same screenshot (same 1280×800 viewport).
//   Crawlee is run twice: with its default of one browser context shared by every page, and
//   with a fresh context per page (`useIncognitoPages`), the isolation Taskwire gives each job
//   so that one job's cookies never reach another. A fresh context costs a new renderer
//   process, so only the second run does the same work.
// Both sides get the same concurrency. Prints pages per second and the ratio (target ≥ 1.0×).
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CheerioCrawler, Configuration } from '@crawlee/cheerio';
import { PlaywrightCrawler } from '@crawlee/playwright';
import { chromium } from 'playwright-core';
import pino from 'pino';

import { createAccount } from '../src/accounts/index.js';
import { extractPage } from '../src/actions/catalogs/web/index.js';
import { createTaskwire, type Taskwire } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';

const PAGES = Number(process.env.BENCH_PAGES ?? 600);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const BROWSER_PAGES = Number(process.env.BENCH_BROWSER_PAGES ?? 120);
const BROWSER_CONCURRENCY = Number(process.env.BENCH_BROWSER_CONCURRENCY ?? 2);
const CHROMIUM = process.env.TASKWIRE_CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The flags Taskwire's pool launches Chromium with that matter on a closed network. */
const CHROMIUM_ARGS = ['--disable-background-networking', '--disable-component-update'];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function startSite(): Promise<{ origin: string; stop: () => void }> {
  const child = fork(new URL('./scrape-site.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
  });
  const origin = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { origin: string }).origin));
    child.once('exit', (code) => reject(new Error(`site exited with ${code}`)));
  });
  return { origin, stop: () => child.kill('SIGKILL') };
}

const urls = (origin: string, from: number, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `${origin}/p/${from + i}`);

async function openTaskwire(dir: string): Promise<{ taskwire: Taskwire; accountId: string }> {
  const taskwire = await createTaskwire({
    config: loadConfig({
      TASKWIRE_DATA_DIR: dir,
      TASKWIRE_MASTER_KEY: '11'.repeat(32),
      TASKWIRE_ALLOW_PRIVATE_TARGETS: 'true',
      TASKWIRE_WORKER_CONCURRENCY: String(CONCURRENCY),
      TASKWIRE_ACCOUNT_CONCURRENCY: String(CONCURRENCY),
      TASKWIRE_BROWSER_POOL_SIZE: String(BROWSER_CONCURRENCY),
      // One site, as many requests at once as Crawlee makes, no gap: the same load both ways.
      TASKWIRE_SITE_CONCURRENCY: String(CONCURRENCY),
      TASKWIRE_SITE_MIN_GAP_MS: '0',
      TASKWIRE_POLL_MS: '200',
      TASKWIRE_CHROMIUM_PATH: CHROMIUM,
      TASKWIRE_LOG_LEVEL: 'warn',
    }),
    logger: pino({ level: 'warn' }),
  });
  taskwire.work();
  const account = await createAccount(taskwire.store.db, { name: 'bench', credits: 100_000_000 });
  return { taskwire, accountId: account.id };
}

/** Submits every page as a job (at most `CONCURRENCY` submits in flight) and waits for all. */
async function taskwireRun(
  taskwire: Taskwire,
  accountId: string,
  actionId: string,
  pages: string[],
): Promise<{ seconds: number; failed: number }> {
  const started = performance.now();
  const queue = [...pages];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let url = queue.shift(); url; url = queue.shift()) {
        await taskwire.engine.submit({ accountId, actionId, params: { url } });
      }
    }),
  );
  for (;;) {
    const row = await taskwire.store.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirstOrThrow();
    if (Number(row.n) === 0) break;
    // better-sqlite3 answers on this event loop, the one running the jobs: polling every 2 ms
    // took CPU from the side being measured. 10 ms adds at most that much to a run.
    await sleep(10);
  }
  const seconds = (performance.now() - started) / 1000;
  const failed = await taskwire.store.db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('status', '=', 'failed')
    .executeTakeFirstOrThrow();
  await taskwire.store.db.deleteFrom('jobs').execute();
  return { seconds, failed: Number(failed.n) };
}

const crawleeConfig = (): Configuration =>
  new Configuration({ persistStorage: false, purgeOnStart: true, logLevel: 3 /* WARNING */ });

async function cheerioRun(pages: string[]): Promise<{ seconds: number; failed: number }> {
  const results: unknown[] = [];
  const crawler = new CheerioCrawler(
    {
      minConcurrency: CONCURRENCY,
      maxConcurrency: CONCURRENCY,
      maxRequestRetries: 0,
      // The same result web_scrape returns, from the same parser.
      requestHandler: ({ request, body }) => {
        results.push(extractPage(String(body), request.loadedUrl ?? request.url));
      },
    },
    crawleeConfig(),
  );
  const started = performance.now();
  const stats = await crawler.run(pages);
  return { seconds: (performance.now() - started) / 1000, failed: stats.requestsFailed };
}

/** The viewport web_screenshot uses by default, set the same way (after the page opens). */
const VIEWPORT = { width: 1280, height: 800 };

async function playwrightRun(
  pages: string[],
  isolated: boolean,
): Promise<{ seconds: number; failed: number }> {
  let bytes = 0;
  // Timed from the browser's launch to the last page done: Taskwire's browser is already
  // running when its run starts, and it has no browser to close at the end.
  let launched: number | undefined;
  let done = 0;
  const crawler = new PlaywrightCrawler(
    {
      minConcurrency: BROWSER_CONCURRENCY,
      maxConcurrency: BROWSER_CONCURRENCY,
      maxRequestRetries: 0,
      launchContext: {
        launcher: chromium,
        launchOptions: { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS },
        useIncognitoPages: isolated,
      },
      browserPoolOptions: {
        useFingerprints: false,
        postLaunchHooks: [() => void (launched ??= performance.now())],
      },
      preNavigationHooks: [async ({ page }) => page.setViewportSize(VIEWPORT)],
      // What web_screenshot does: load the page, read its title, take a viewport PNG.
      requestHandler: async ({ page }) => {
        await page.title();
        bytes += (await page.screenshot({ type: 'png' })).length;
        done = performance.now();
      },
    },
    crawleeConfig(),
  );
  const stats = await crawler.run(pages);
  if (bytes === 0 || launched === undefined) throw new Error('no screenshot was taken');
  return { seconds: (done - launched) / 1000, failed: stats.requestsFailed };
}

function report(
  label: string,
  pages: number,
  ours: { seconds: number; failed: number },
  theirs: { seconds: number; failed: number },
): void {
  const a = pages / ours.seconds;
  const b = pages / theirs.seconds;
  console.log(
    `${label}: Taskwire ${a.toFixed(1)} pages/s (${ours.failed} failed), Crawlee ${b.toFixed(1)} pages/s (${theirs.failed} failed), ratio ${(a / b).toFixed(2)}×`,
  );
}

const site = await startSite();
const dir = mkdtempSync(join(tmpdir(), 'taskwire-scrape-bench-'));
const { taskwire, accountId } = await openTaskwire(dir);
try {
  // Warm-ups on pages of their own, so JIT, connections and Chromium's start are not measured.
  await taskwireRun(taskwire, accountId, 'web_scrape', urls(site.origin, 90_000, 100));
  await cheerioRun(urls(site.origin, 91_000, 100));
  const http = await taskwireRun(taskwire, accountId, 'web_scrape', urls(site.origin, 0, PAGES));
  const cheerio = await cheerioRun(urls(site.origin, 0, PAGES));
  report(`HTTP (${PAGES} pages, concurrency ${CONCURRENCY})`, PAGES, http, cheerio);

  if (BROWSER_PAGES > 0) await browserBench();
} finally {
  await taskwire.close();
  site.stop();
  rmSync(dir, { recursive: true, force: true });
}

async function browserBench(): Promise<void> {
  await taskwireRun(taskwire, accountId, 'web_screenshot', urls(site.origin, 92_000, 10));
  await playwrightRun(urls(site.origin, 93_000, 10), false);
  const browser = await taskwireRun(
    taskwire,
    accountId,
    'web_screenshot',
    urls(site.origin, 10_000, BROWSER_PAGES),
  );
  const shared = await playwrightRun(urls(site.origin, 10_000, BROWSER_PAGES), false);
  const isolated = await playwrightRun(urls(site.origin, 10_000, BROWSER_PAGES), true);
  const label = `Browser (${BROWSER_PAGES} pages, concurrency ${BROWSER_CONCURRENCY})`;
  report(`${label}, Crawlee sharing one context`, BROWSER_PAGES, browser, shared);
  report(`${label}, Crawlee with a context per page`, BROWSER_PAGES, browser, isolated);
}
