// The documented example, exactly as a user runs it: the built `taskwire serve` on an empty
// data dir prints a key; curl, Python requests and JavaScript fetch then submit
// li_profile_scrape with a stored login and poll it to completion.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  type LinkedInSite,
  linkedInStorageState,
  SLUGS,
  startLinkedInSite,
} from '../fixtures/sites/linkedin/site.js';

const run = promisify(execFile);
const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;

let site: LinkedInSite;
/** Sits between Taskwire and the stand-in; while closed it holds every request. */
let gate: { server: Server; origin: string; open: boolean; held: Array<() => void> };
let child: ChildProcess;
let dataDir: string;
let url: string;
let key: string;
let stdout = '';

const env = (): NodeJS.ProcessEnv => ({
  ...process.env,
  TASKWIRE_ORIGIN_LINKEDIN: gate.origin,
  TASKWIRE_POLL_MS: '100',
});

beforeAll(async () => {
  if (!existsSync(CLI))
    throw new Error('dist/cli/main.js is missing: run `npm run build` (npm test does).');
  site = await startLinkedInSite();
  site.validSessions.add('AQEDAR-cli-session');
  gate = await startGate(site.origin);
  dataDir = mkdtempSync(join(tmpdir(), 'taskwire-cli-'));
  child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dataDir], {
    env: env(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const deadline = Date.now() + 20_000;
  while (!/\n {2}tw_\S+/.test(stdout) || !/listening on (\S+)/.test(stdout)) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`taskwire serve did not start:\n${stdout}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  url = /listening on (\S+)/.exec(stdout)![1]!;
  key = /\n {2}(tw_\S+)/.exec(stdout)![1]!;
});

afterAll(async () => {
  child?.kill('SIGTERM');
  await new Promise((r) => (child?.exitCode !== null ? r(null) : child.once('exit', r)));
  await site?.close();
  gate?.server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A forwarding proxy to `target` that holds requests while `open` is false. */
async function startGate(target: string): Promise<typeof gate> {
  const state = { open: true, held: [] as Array<() => void> } as typeof gate;
  state.server = createServer((req, res) => {
    const forward = (): void => {
      const upstream = request(
        `${target}${req.url}`,
        { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    };
    if (state.open) forward();
    else state.held.push(forward);
  });
  await new Promise<void>((r) => state.server.listen(0, '127.0.0.1', r));
  state.origin = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}`;
  return state;
}

async function curl(...args: string[]): Promise<{ status: number; body: any }> {
  const { stdout: out } = await run('curl', ['-s', '-w', '\n%{http_code}', ...args]);
  const lines = out.trimEnd().split('\n');
  const status = Number(lines.pop());
  return { status, body: JSON.parse(lines.join('\n')) };
}

async function connect(): Promise<string> {
  const res = await curl(
    '-X',
    'POST',
    `${url}/v1/holocron/identities`,
    '-H',
    `X-API-Key: ${key}`,
    '-H',
    'Content-Type: application/json',
    '-d',
    JSON.stringify({
      catalog_id: 'linkedin',
      name: `cli ${Math.random()}`,
      credential: { type: 'browser_state', data: linkedInStorageState('AQEDAR-cli-session') },
    }),
  );
  expect(res.status).toBe(201);
  return res.body.identity.credentials[0].id as string;
}

describe('taskwire serve, first start', () => {
  it('prints the API key once with a ready-to-paste curl line, and starting credits', async () => {
    expect(stdout).toContain('curl -s -X POST');
    const credits = await curl(`${url}/v1/wire/credits`, '-H', `X-API-Key: ${key}`);
    expect(credits.body.balance).toBe(100);
    expect(await fetch(`${url}/health`).then((r) => r.status)).toBe(200);
  });

  it('does the documented curl example end to end: processing, then completed', async () => {
    const credentialId = await connect();
    gate.open = false;
    const submitted = await curl(
      '-X',
      'POST',
      `${url}/v1/holocron/task`,
      '-H',
      `X-API-Key: ${key}`,
      '-H',
      'Content-Type: application/json',
      '-d',
      JSON.stringify({
        action_id: 'li_profile_scrape',
        credential_id: credentialId,
        params: { profile_url: `https://www.linkedin.com/in/${SLUGS.full}` },
      }),
    );
    expect(submitted.status).toBe(202);
    expect(submitted.body).toEqual({
      status: 'processing',
      job_id: expect.any(String),
      poll_url: `/v1/holocron/jobs/${submitted.body.job_id}`,
    });
    // LinkedIn has not answered yet: the job is still processing.
    let job = await curl(`${url}${submitted.body.poll_url}`, '-H', `X-API-Key: ${key}`);
    expect(job.status).toBe(200);
    expect(job.body).toMatchObject({ status: 'processing', retry_after_ms: expect.any(Number) });
    gate.open = true;
    for (const release of gate.held.splice(0)) release();
    for (let i = 0; i < 200 && job.body.status === 'processing'; i += 1) {
      await new Promise((r) => setTimeout(r, 50));
      job = await curl(`${url}${submitted.body.poll_url}`, '-H', `X-API-Key: ${key}`);
    }
    expect(job.body).toMatchObject({
      status: 'completed',
      credits_used: 2,
      execution_ms: expect.any(Number),
      data: { name: expect.any(String) },
    });
  });

  it('does the same with Python requests', async () => {
    const credentialId = await connect();
    const script = `
import json, sys, time, requests
base, key, cred, profile = sys.argv[1:5]
r = requests.post(base + "/v1/holocron/task", headers={"X-API-Key": key},
                  json={"action_id": "li_profile_scrape", "credential_id": cred, "params": {"profile_url": profile}})
assert r.status_code == 202, r.text
poll = r.json()["poll_url"]
for _ in range(200):
    job = requests.get(base + poll, headers={"X-API-Key": key}).json()
    if job["status"] != "processing":
        break
    time.sleep(0.05)
print(json.dumps(job))
`;
    const { stdout: out } = await run('python3', [
      '-c',
      script,
      url,
      key,
      credentialId,
      `https://www.linkedin.com/in/${SLUGS.full}`,
    ]);
    expect(JSON.parse(out)).toMatchObject({
      status: 'completed',
      credits_used: 2,
      data: { name: expect.any(String) },
    });
  });

  it('does the same with JavaScript fetch and Authorization: Bearer', async () => {
    const credentialId = await connect();
    const submitted = await fetch(`${url}/v1/wire/task`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        action_id: 'li_profile_scrape',
        credential_id: credentialId,
        params: { profile_url: `https://www.linkedin.com/in/${SLUGS.full}` },
      }),
    });
    expect(submitted.status).toBe(202);
    const { poll_url } = (await submitted.json()) as { poll_url: string };
    expect(poll_url).toMatch(/^\/v1\/wire\/jobs\//);
    const job = (await (
      await fetch(`${url}${poll_url}?wait=20`, { headers: { Authorization: `Bearer ${key}` } })
    ).json()) as { status: string };
    expect(job).toMatchObject({ status: 'completed', credits_used: 2 });
  });

  it('runs the admin commands against the same data dir while the server runs', async () => {
    const created = await run(
      process.execPath,
      [
        CLI,
        'accounts',
        'create',
        '--name',
        'second',
        '--credits',
        '25',
        '--json',
        '--data-dir',
        dataDir,
      ],
      { env: env() },
    );
    const account = JSON.parse(created.stdout) as {
      account_id: string;
      api_key: string;
      balance: number;
    };
    expect(account).toEqual({
      account_id: expect.any(String),
      api_key: expect.stringMatching(/^tw_/),
      balance: 25,
    });
    const credits = await curl(`${url}/v1/wire/credits`, '-H', `X-API-Key: ${account.api_key}`);
    expect(credits.body.balance).toBe(25);

    const granted = await run(
      process.execPath,
      [
        CLI,
        'credits',
        'grant',
        '--account',
        account.account_id,
        '--amount',
        '5',
        '--json',
        '--data-dir',
        dataDir,
      ],
      { env: env() },
    );
    expect(JSON.parse(granted.stdout)).toEqual({ account_id: account.account_id, balance: 30 });

    const keys = await run(
      process.execPath,
      [CLI, 'keys', 'list', '--account', account.account_id, '--json', '--data-dir', dataDir],
      { env: env() },
    );
    const [listed] = JSON.parse(keys.stdout) as Array<{ id: string }>;
    expect(keys.stdout).not.toContain(account.api_key);
    await run(process.execPath, [CLI, 'keys', 'revoke', listed!.id, '--data-dir', dataDir], {
      env: env(),
    });
    expect(
      (await curl(`${url}/v1/wire/credits`, '-H', `X-API-Key: ${account.api_key}`)).status,
    ).toBe(401);

    const verified = await run(
      process.execPath,
      [CLI, 'verify-ledger', '--json', '--data-dir', dataDir],
      { env: env() },
    );
    expect(JSON.parse(verified.stdout)).toEqual({ ok: true, mismatches: [] });
  });
});
