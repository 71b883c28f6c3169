// `taskwire worker --worker-metrics-port`: a worker has no API, so the counters only it moves
// (jobs it settled, webhook sends that failed) are served on a loopback /metrics of its own.
// Built CLI processes: an API node and a worker sharing one SQLite file.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;

interface Proc {
  child: ChildProcess;
  output: () => string;
  /** The exit code, or the signal that killed it. */
  exit: Promise<number | string | null>;
}

function start(command: 'serve' | 'worker', args: string[]): Proc {
  let out = '';
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('TASKWIRE_')),
  );
  const child = spawn(process.execPath, [CLI, command, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  return { child, output: () => out, exit };
}

async function until(what: string, check: () => boolean | Promise<boolean>, proc?: Proc) {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${what}:\n${proc?.output() ?? ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const stop = async (proc: Proc | undefined) => {
  if (!proc || proc.child.exitCode !== null) return;
  proc.child.kill('SIGTERM');
  await proc.exit;
};

let dataDir: string;
let api: Proc;
let worker: Proc;
let receiver: WebhookReceiver;
let page: { url: string; close: () => Promise<void> };
let apiUrl: string;
let metricsUrl: string;
let key: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'taskwire-worker-metrics-'));
  receiver = await startWebhookReceiver();
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Metrics page</title><p>x</p>'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  page = {
    url: `http://127.0.0.2:${(server.address() as AddressInfo).port}/page`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const shared = [
    '--data-dir',
    dataDir,
    '--poll-ms',
    '100',
    '--allowed-target-cidrs',
    '127.0.0.2/32',
  ];
  api = start('serve', ['--no-worker', '--port', '0', ...shared]);
  await until('the API node', () => /\n {2}tw_\S+/.test(api.output()), api);
  apiUrl = /listening on (\S+)/.exec(api.output())![1]!;
  key = /\n {2}(tw_\S+)/.exec(api.output())![1]!;
  worker = start('worker', [
    ...shared,
    '--worker-metrics-port',
    '0',
    // One failed send is enough: no retry during the test.
    '--webhook-retry-base-ms',
    '600000',
  ]);
  await until('the worker', () => /metrics at (\S+)/.test(worker.output()), worker);
  metricsUrl = /metrics at (\S+)/.exec(worker.output())![1]!;
});

afterAll(async () => {
  await Promise.all([stop(worker), stop(api)]);
  await receiver?.close();
  await page?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('taskwire worker metrics listener', () => {
  it('serves the jobs the worker settled and its failed webhook sends on loopback', async () => {
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    receiver.script('/hook', [500]);
    const submitted = await fetch(`${apiUrl}/v1/wire/task`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({
        action_id: 'web_scrape',
        params: { url: page.url },
        webhook_url: `${receiver.origin}/hook`,
      }),
    });
    expect(submitted.status).toBe(202);
    await until('the webhook send', () => receiver.at('/hook').length === 1, worker);

    let text = '';
    await until(
      'the failed send to be counted',
      async () => {
        text = await (await fetch(metricsUrl)).text();
        return text.includes('taskwire_webhook_delivery_failures_total{');
      },
      worker,
    );
    expect(text).toMatch(
      /taskwire_jobs_settled_total\{action="web_scrape",outcome="completed",code="OK"\} 1/,
    );
    expect(text).toMatch(
      /taskwire_job_duration_seconds_count\{action="web_scrape",outcome="completed"\} 1/,
    );
    expect(text).toMatch(
      /taskwire_webhook_delivery_failures_total\{event="job.completed",final="false"\} 1/,
    );
    expect(text).toMatch(/taskwire_webhook_deliveries\{status="pending"\} 1/);
    expect(text).toMatch(/taskwire_queue_depth 0/);
    expect(text).not.toContain(key);

    // The API node settled nothing: these counters exist only in the worker.
    const fromApi = await (await fetch(`${apiUrl}/metrics`)).text();
    expect(fromApi).not.toMatch(/taskwire_jobs_settled_total\{action="web_scrape"/);

    const other = await fetch(metricsUrl.replace(/\/metrics$/, '/jobs'));
    expect(other.status).toBe(404);
  });

  it('listens for metrics only when asked, and idles until signalled', async () => {
    const plain = start('worker', ['--data-dir', dataDir, '--poll-ms', '100']);
    try {
      await until('the second worker', () => /worker running/.test(plain.output()), plain);
      expect(plain.output()).not.toContain('metrics at');
    } finally {
      await stop(plain);
    }
    expect(await plain.exit).toBe(0);
    // It stayed up until signalled (an idle worker must not just exit) and closed gracefully.
    expect(plain.output()).toContain('shut down cleanly');
  });
});
