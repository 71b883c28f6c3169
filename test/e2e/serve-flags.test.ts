// Every setting is also a flag of `taskwire serve`: the built CLI started with flags alone (no
// TASKWIRE_* variables) uses them, and a bad value stops it with a message naming the flag's
// variable.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  type LinkedInSite,
  linkedInStorageState,
  SLUGS,
  startLinkedInSite,
} from '../fixtures/sites/linkedin/site.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;

/** The environment without any TASKWIRE_* setting, so only flags configure the server. */
const bareEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TASKWIRE_')));

function serve(args: string[]): { child: ChildProcess; output: () => string } {
  let out = '';
  const child = spawn(process.execPath, [CLI, 'serve', ...args], {
    env: bareEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return { child, output: () => out };
}

let site: LinkedInSite;
let dataDir: string;
let server: ReturnType<typeof serve>;

beforeAll(async () => {
  site = await startLinkedInSite();
  site.validSessions.add('AQEDAR-flags-session');
  dataDir = mkdtempSync(join(tmpdir(), 'taskwire-flags-'));
  server = serve([
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '--starting-credits',
    '7',
    '--poll-ms',
    '100',
    '--shutdown-grace-ms',
    '2000',
    '--origin',
    `linkedin=${site.origin}`,
  ]);
  const deadline = Date.now() + 20_000;
  while (!/listening on (\S+)/.test(server.output()) || !/\n {2}tw_\S+/.test(server.output())) {
    if (Date.now() > deadline || server.child.exitCode !== null)
      throw new Error(`taskwire serve did not start:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
});

afterAll(async () => {
  server?.child.kill('SIGTERM');
  await new Promise((r) =>
    server.child.exitCode !== null ? r(null) : server.child.once('exit', r),
  );
  await site?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('taskwire serve flags', () => {
  it('grants --starting-credits and reaches the catalog --origin points at', async () => {
    const url = /listening on (\S+)/.exec(server.output())![1]!;
    const key = /\n {2}(tw_\S+)/.exec(server.output())![1]!;
    const headers = { 'x-api-key': key, 'content-type': 'application/json' };
    const credits = (await (await fetch(`${url}/v1/wire/credits`, { headers })).json()) as {
      balance: number;
    };
    expect(credits.balance).toBe(7);

    const identity = await fetch(`${url}/v1/wire/identities`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        catalog_id: 'linkedin',
        name: 'Flags',
        credential: { type: 'browser_state', data: linkedInStorageState('AQEDAR-flags-session') },
      }),
    });
    expect(identity.status).toBe(201);
    const submitted = await fetch(`${url}/v1/wire/task`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        action_id: 'li_profile_scrape',
        params: { profile_url: `https://www.linkedin.com/in/${SLUGS.full}` },
      }),
    });
    expect(submitted.status).toBe(202);
    const { poll_url } = (await submitted.json()) as { poll_url: string };
    const job = (await (await fetch(`${url}${poll_url}?wait=20`, { headers })).json()) as {
      status: string;
    };
    expect(job).toMatchObject({ status: 'completed', data: { name: expect.any(String) } });
    expect(site.hits.some((h) => h.startsWith(`/in/${SLUGS.full}`))).toBe(true);
  });

  it('refuses a bad flag value with the variable it stands for', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'taskwire-flags-bad-'));
    try {
      const bad = serve(['--port', '0', '--data-dir', dir, '--worker-concurrency', 'zero']);
      const code = await new Promise<number | null>((r) => bad.child.once('exit', r));
      expect(code).not.toBe(0);
      expect(bad.output()).toContain('TASKWIRE_WORKER_CONCURRENCY');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the worker-only metrics port off serve, which serves /metrics on its API port', async () => {
    const bad = serve(['--worker-metrics-port', '9464', '--port', '0']);
    const code = await new Promise<number | null>((r) => bad.child.once('exit', r));
    expect(code).not.toBe(0);
    expect(bad.output()).toMatch(/unknown option '--worker-metrics-port'/);
  });

  it('keeps secrets off the command line', async () => {
    const bad = serve(['--master-key', '00'.repeat(32), '--port', '0']);
    const code = await new Promise<number | null>((r) => bad.child.once('exit', r));
    expect(code).not.toBe(0);
    expect(bad.output()).toMatch(/unknown option '--master-key'/);
  });
});
