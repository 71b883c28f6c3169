// SIGTERM to a real `taskwire serve` (the built CLI): it exits 0 with its in-flight job either
// finished (inside the grace period) or handed back to the queue (past it), and a handed-back
// job is run again by the next process. The job is a `web_scrape` of a page on 127.0.0.2 that
// answers only when the test lets it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { openStore } from '../../src/store/index.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;

/** A page that is held open until `release()`, then answered (and answered at once after). */
async function startHeldPage() {
  const held: ServerResponse[] = [];
  let released = false;
  let hits = 0;
  const answer = (res: ServerResponse) =>
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end('<html><head><title>Held page</title></head><body><p>Answered.</p></body></html>');
  const server = createServer((_req, res) => {
    hits += 1;
    if (released) answer(res);
    else held.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.2:${port}/held`,
    hits: () => hits,
    held: () => held.filter((r) => !r.destroyed && !r.writableEnded).length,
    release() {
      released = true;
      for (const res of held.splice(0)) if (!res.destroyed) answer(res);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Served {
  child: ChildProcess;
  output: () => string;
  url: string;
  exit: Promise<number | null>;
}

async function serve(dataDir: string, graceMs: number): Promise<Served> {
  let out = '';
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('TASKWIRE_')),
  );
  const child = spawn(
    process.execPath,
    [
      CLI,
      'serve',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--poll-ms',
      '100',
      '--allowed-target-cidrs',
      '127.0.0.2/32',
      '--shutdown-grace-ms',
      String(graceMs),
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await until(
    'taskwire serve to listen',
    () => /listening on (\S+)/.test(out),
    () => out,
  );
  return { child, output: () => out, url: /listening on (\S+)/.exec(out)![1]!, exit };
}

async function until(what: string, check: () => boolean, output: () => string, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The job's row and log kinds, read from the SQLite file the stopped server left. */
async function jobOnDisk(dataDir: string, jobId: string) {
  const store = openStore(`sqlite:${join(dataDir, 'taskwire.db')}`);
  try {
    const job = await store.db
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', jobId)
      .executeTakeFirstOrThrow();
    const log = await store.db
      .selectFrom('job_log')
      .select('kind')
      .where('job_id', '=', jobId)
      .orderBy('id')
      .execute();
    return { job, kinds: log.map((e) => e.kind) };
  } finally {
    await store.close();
  }
}

describe('taskwire serve on SIGTERM', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(graceMs: number) {
    const page = await startHeldPage();
    const dataDir = mkdtempSync(join(tmpdir(), 'taskwire-sigterm-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    cleanups.push(() => page.close());
    const server = await serve(dataDir, graceMs);
    cleanups.push(() => {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    });
    const key = /\n {2}(tw_\S+)/.exec(server.output())![1]!;
    const submitted = await fetch(`${server.url}/v1/wire/task`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ action_id: 'web_scrape', params: { url: page.url } }),
    });
    expect(submitted.status).toBe(202);
    const { job_id: jobId } = (await submitted.json()) as { job_id: string };
    // In flight: the worker's request is waiting on the held page.
    await until('the job to reach the page', () => page.held() === 1, server.output);
    return { page, dataDir, server, key, jobId };
  }

  it('finishes an in-flight job inside the grace period, then exits 0', async () => {
    const { page, dataDir, server, jobId } = await setUp(20_000);
    server.child.kill('SIGTERM');
    await until('shutdown to begin', () => /shutting down/.test(server.output()), server.output);
    page.release();
    expect(await server.exit).toBe(0);
    expect(server.output()).toContain('shut down cleanly');

    const { job, kinds } = await jobOnDisk(dataDir, jobId);
    expect(job).toMatchObject({ status: 'succeeded', attempts: 1, lease_until: null });
    expect(JSON.parse(job.data!)).toMatchObject({ title: 'Held page' });
    expect(kinds).not.toContain('released');
    expect(page.hits()).toBe(1);
  });

  it('aborts and releases a job that overruns the grace period; the next process runs it', async () => {
    const { page, dataDir, server, key, jobId } = await setUp(300);
    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(0);

    const { job, kinds } = await jobOnDisk(dataDir, jobId);
    expect(job).toMatchObject({
      status: 'queued',
      attempts: 1,
      lease_until: null,
      worker_id: null,
    });
    expect(kinds.at(-1)).toBe('released');

    page.release();
    const next = await serve(dataDir, 10_000);
    cleanups.push(() => {
      if (next.child.exitCode === null) next.child.kill('SIGKILL');
    });
    const polled = await fetch(`${next.url}/v1/wire/jobs/${jobId}?wait=20`, {
      headers: { 'x-api-key': key },
    });
    expect(await polled.json()).toMatchObject({
      status: 'completed',
      data: { title: 'Held page' },
    });
    expect(page.hits()).toBe(2);
    next.child.kill('SIGTERM');
    expect(await next.exit).toBe(0);
    expect((await jobOnDisk(dataDir, jobId)).job.attempts).toBe(2);
  });
});
