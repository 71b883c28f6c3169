// The client-side CLI against a real server: `taskwire run` and the jobs / catalog /
// identities / credentials / credits commands, with clean JSON when piped, a live progress
// line on a terminal, `--help` everywhere and every documented exit code.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { builtInCatalogs } from '../../src/actions/index.js';
import { testCatalog } from '../fixtures/catalogs/test-catalog.js';
import { call, startTestServer, type TestServer } from '../support/taskwire.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
// Every test starts the CLI a few times, and each start loads the whole program: on a busy
// machine that is seconds, not milliseconds.
vi.setConfig({ testTimeout: 120_000 });
let server: TestServer;
let dir: string;

beforeAll(async () => {
  if (!existsSync(CLI))
    throw new Error('dist/cli/main.js is missing: run `npm run build` (npm test does).');
  server = await startTestServer({ catalogs: [...builtInCatalogs, testCatalog] });
  dir = mkdtempSync(join(tmpdir(), 'taskwire-cli-'));
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs the CLI with output piped (so JSON) and returns its exit code and streams; `stdin` is
 * written to its standard input (closed at once otherwise).
 */
function taskwire(
  args: string[],
  env: Record<string, string> = {},
  stdin = '',
): Promise<{ code: number; out: any; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, TASKWIRE_URL: server.url, TASKWIRE_API_KEY: server.key, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      let out: unknown = stdout;
      try {
        out = JSON.parse(stdout);
      } catch {
        // Not JSON: keep the text.
      }
      resolve({ code: code ?? 1, out, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}

/** Runs the CLI on a pseudo-terminal (util-linux `script`): what a person at a terminal sees. */
function onTerminal(args: string[]): Promise<{ code: number; screen: string }> {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(' ');
  return new Promise((resolve) => {
    execFile(
      'script',
      ['-qec', command, '/dev/null'],
      { env: { ...process.env, TASKWIRE_URL: server.url, TASKWIRE_API_KEY: server.key } },
      (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, screen: stdout }),
    );
  });
}

/** A file in the test's temp dir holding `content`. */
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** A loopback URL where nothing listens. */
async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return `http://127.0.0.1:${port}`;
}

describe('taskwire run', () => {
  it('runs a sync action and prints the result as JSON when piped', async () => {
    const res = await taskwire(['run', 'test_echo', '--param', 'message=hello']);
    expect(res.code).toBe(0);
    expect(res.out).toMatchObject({
      status: 'completed',
      data: { message: 'hello' },
      credits_used: 1,
      job_id: expect.any(String),
    });
  });

  it('waits for an async action, parsing JSON param values', async () => {
    const res = await taskwire(['run', 'test_flaky', '-p', 'key=cli-1', '-p', 'failures=0']);
    expect(res.code).toBe(0);
    expect(res.out).toMatchObject({ status: 'completed', data: { attempts: 1 } });
  });

  it('exits 1 for a failed job, showing its error', async () => {
    const res = await taskwire(['run', 'test_slow', '-p', 'ms=2000']);
    expect(res.code).toBe(1);
    expect(res.out).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT' } });
  });

  it('exits 2 for bad input and 3 for a bad key, with the error on stderr', async () => {
    const unknown = await taskwire(['run', 'no_such_action']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('NOT_FOUND');
    const invalid = await taskwire(['run', 'test_echo', '-p', 'message=5']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('/message');
    const denied = await taskwire(['run', 'test_echo', '-p', 'message=x'], {
      TASKWIRE_API_KEY: 'tw_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
    });
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain('UNAUTHORIZED');
  });

  it('returns at once with --no-wait, then follows the job with jobs watch / show', async () => {
    const submitted = await taskwire([
      'run',
      'test_flaky',
      '-p',
      'key=cli-2',
      '-p',
      'failures=0',
      '--no-wait',
    ]);
    expect(submitted.code).toBe(0);
    const jobId = submitted.out.job_id as string;
    const watched = await taskwire(['jobs', 'watch', jobId]);
    expect(watched.code).toBe(0);
    expect(watched.out).toMatchObject({ job_id: jobId, status: 'completed' });
    const shown = await taskwire(['jobs', 'show', jobId]);
    expect(shown.out).toMatchObject({ job_id: jobId, status: 'completed', data: { attempts: 1 } });
  });
});

describe('jobs, catalog, identities, credits', () => {
  it('lists jobs and cancels one', async () => {
    const res = await call(server, 'POST', '/v1/wire/task', {
      key: server.key,
      body: { action_id: 'test_wait', params: { key: 'cli-cancel', ms: 10_000 } },
    });
    const cancelled = await taskwire(['jobs', 'cancel', res.body.job_id]);
    expect(cancelled.code).toBe(0);
    expect(cancelled.out).toMatchObject({ status: 'failed', error: { code: 'CANCELLED' } });
    const list = await taskwire(['jobs', 'list', '--status', 'failed', '--limit', '50']);
    expect(list.out.jobs.map((j: { id: string }) => j.id)).toContain(res.body.job_id);
  });

  it('searches and shows the catalog, lists identities and shows credits', async () => {
    const search = await taskwire(['catalog', 'search', 'linkedin', 'profile']);
    expect(search.out.map((r: { action_id: string }) => r.action_id)).toContain(
      'li_profile_scrape',
    );
    const show = await taskwire(['catalog', 'show', 'web']);
    expect(show.out.actions.map((a: { action_id: string }) => a.action_id)).toContain('web_scrape');
    const list = await taskwire(['catalog']);
    expect(list.out.map((c: { slug: string }) => c.slug)).toEqual(
      expect.arrayContaining(['web', 'linkedin']),
    );
    const identities = await taskwire(['identities']);
    expect(Array.isArray(identities.out)).toBe(true);
    const credits = await taskwire(['credits', 'show']);
    expect(credits.out).toMatchObject({ status: 'ok', balance: expect.any(Number) });
  });
});

describe('taskwire run: params and credentials', () => {
  it('takes params from --params-file (or stdin with -), --param overriding them', async () => {
    const params = file('params.json', '{"message":"from file"}');
    const fromFile = await taskwire(['run', 'test_echo', '--params-file', params]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.out.data).toEqual({ message: 'from file' });
    const overridden = await taskwire([
      'run',
      'test_echo',
      '--params-file',
      params,
      '-p',
      'message=override',
    ]);
    expect(overridden.out.data).toEqual({ message: 'override' });
    const piped = await taskwire(
      ['run', 'test_echo', '--params-file', '-'],
      {},
      '{"message":"piped"}',
    );
    expect(piped.out.data).toEqual({ message: 'piped' });
  });

  it('exits 2 with a clear message for a params file that is not a JSON object', async () => {
    const broken = await taskwire(['run', 'test_echo', '--params-file', file('bad.json', '{nope')]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('is not valid JSON');
    const list = await taskwire(['run', 'test_echo', '--params-file', file('list.json', '[1]')]);
    expect(list.code).toBe(2);
    expect(list.stderr).toContain('must hold a JSON object');
    const missing = await taskwire(['run', 'test_echo', '--params-file', join(dir, 'none.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot be read');
  });

  it('runs with the credential --credential names, and exits 3 for someone else’s', async () => {
    const token = 'tok-cli-credential-5150';
    const created = await taskwire([
      'identities',
      'create',
      '--catalog',
      'test',
      '--name',
      'cli credential',
      '--type',
      'token',
      '--data-file',
      file('token.txt', `${token}\n`),
    ]);
    expect(created.code).toBe(0);
    const credentialId = created.out.credentials[0].id as string;
    const run = await taskwire(['run', 'test_broken', '--credential', credentialId]);
    expect(run.code).toBe(1);
    // The action quotes the token it was given: the one stored, never shown back.
    expect(run.out.error.message).toBe('Upstream refused token [redacted]');
    expect(run.stdout + run.stderr + created.stdout).not.toContain(token);
    const jobs = await taskwire(['jobs', 'list', '--limit', '100']);
    const job = jobs.out.jobs.find((j: { id: string }) => j.id === run.out.job_id);
    expect(job.credential_id).toBe(credentialId);

    const other = await server.newAccount(5);
    const theirs = await call(server, 'POST', '/v1/wire/identities', {
      key: other.key,
      body: { catalog_id: 'test', name: 'theirs', credential: { type: 'token', data: 'tok-x' } },
    });
    const denied = await taskwire([
      'run',
      'test_broken',
      '--credential',
      theirs.body.identity.credentials[0].id,
    ]);
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain('FORBIDDEN');
  });
});

describe('exit codes', () => {
  it('exits 2 for a malformed flag: a --timeout or --limit that is not a number, an unknown option', async () => {
    const timeout = await taskwire(['run', 'test_echo', '-p', 'message=x', '--timeout', 'abc']);
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toContain("option '--timeout <seconds>' argument 'abc' is invalid");
    expect(timeout.stderr).toContain('Give a number of seconds above 0');
    const watch = await taskwire(['jobs', 'watch', 'x', '--timeout', '10s']);
    expect(watch.code).toBe(2);
    const limit = await taskwire(['jobs', 'list', '--limit', 'many']);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toContain('Give a whole number from 1 to 100');
    const unknown = await taskwire(['run', 'test_echo', '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--bogus'");
  });

  it('exits 4 when the server cannot be reached', async () => {
    const res = await taskwire(['credits'], { TASKWIRE_URL: await deadUrl() });
    expect(res.code).toBe(4);
    expect(res.stderr).toContain('NETWORK_ERROR');
  });

  it('exits 5 when --timeout runs out, and the job goes on', async () => {
    const run = await taskwire([
      'run',
      'test_wait',
      '-p',
      'key=cli-timeout',
      '-p',
      'ms=60000',
      '--timeout',
      '1',
    ]);
    expect(run.code).toBe(5);
    const jobId = /taskwire jobs watch ([0-9a-f-]{36})/.exec(run.stderr)?.[1];
    expect(jobId, run.stderr).toBeDefined();
    const watch = await taskwire(['jobs', 'watch', jobId!, '--timeout', '0.5']);
    expect(watch.code).toBe(5);
    const job = await call(server, 'GET', `/v1/wire/jobs/${jobId}`, { key: server.key });
    expect(job.body.status).toBe('processing');
    await call(server, 'POST', `/v1/wire/jobs/${jobId}/cancel`, { key: server.key });
  });
});

describe('identities and credentials', () => {
  it('creates, renames, sets the default, adds and deletes credentials and identities', async () => {
    const secrets = ['tok-from-stdin-8080', 'tok-from-json-9090'];
    const outputs: string[] = [];
    const cli = async (args: string[], stdin = '') => {
      const res = await taskwire(args, {}, stdin);
      outputs.push(res.stdout, res.stderr);
      return res;
    };

    const first = await cli(
      ['identities', 'create', '--catalog', 'test', '--name', 'first', '--type', 'token'],
      secrets[0],
    );
    expect(first.code).toBe(0);
    expect(first.out).toMatchObject({ name: 'first', is_default: false });
    expect(first.out.credentials.map((c: any) => [c.credential_type, c.status])).toEqual([
      ['token', 'active'],
    ]);
    const id = first.out.id as string;
    const second = await cli([
      'identities',
      'create',
      '--catalog',
      'test',
      '--name',
      'second',
      '--default',
    ]);
    expect(second.out).toMatchObject({ name: 'second', is_default: true, credentials: [] });

    const renamed = await cli(['identities', 'rename', id, 'first renamed']);
    expect(renamed.code).toBe(0);
    expect(renamed.out).toMatchObject({ id, name: 'first renamed' });
    const defaulted = await cli(['identities', 'set-default', id]);
    expect(defaulted.out).toMatchObject({ id, is_default: true });
    expect((await cli(['identities', 'show', second.out.id])).out.is_default).toBe(false);

    const added = await cli([
      'identities',
      'add-credential',
      id,
      '--type',
      'token',
      '--data-file',
      file('token.json', JSON.stringify({ token: secrets[1] })),
    ]);
    expect(added.code).toBe(0);
    expect(added.out).toMatchObject({
      identity_id: id,
      credential_type: 'token',
      status: 'active',
    });
    expect((await cli(['identities', 'show', id])).out.credentials).toHaveLength(2);

    const removed = await cli(['credentials', 'delete', added.out.id]);
    expect(removed.out).toEqual({ status: 'ok', deleted: added.out.id });
    expect((await cli(['identities', 'show', id])).out.credentials).toHaveLength(1);
    const again = await cli(['credentials', 'delete', added.out.id]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('NOT_FOUND');

    const deleted = await cli(['identities', 'delete', second.out.id]);
    expect(deleted.out).toEqual({ status: 'ok', deleted: second.out.id });
    const gone = await cli(['identities', 'show', second.out.id]);
    expect(gone.code).toBe(2);
    const listed = await cli(['identities', '--catalog', 'test']);
    expect(listed.out.map((i: { id: string }) => i.id)).toContain(id);
    expect(listed.out.map((i: { id: string }) => i.id)).not.toContain(second.out.id);

    for (const secret of secrets) expect(outputs.join('\n')).not.toContain(secret);
  });

  it('exits 2 for a missing or unknown credential type, empty data and an unknown catalog', async () => {
    const noType = await taskwire(['identities', 'add-credential', 'x'], {}, 'tok');
    expect(noType.code).toBe(2);
    expect(noType.stderr).toContain("required option '--type <type>' not specified");
    const badType = await taskwire(
      ['identities', 'add-credential', 'x', '--type', 'pin'],
      {},
      'tok',
    );
    expect(badType.code).toBe(2);
    expect(badType.stderr).toContain(
      'Allowed choices are browser_state, credentials, api_key, token',
    );
    const empty = await taskwire(
      ['identities', 'add-credential', 'x', '--type', 'token'],
      {},
      ' \n',
    );
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('The credential data on stdin is empty.');
    const catalog = await taskwire(['identities', 'create', '--catalog', 'nope', '--name', 'n']);
    expect(catalog.code).toBe(2);
    expect(catalog.stderr).toContain('NOT_FOUND');
  });
});

describe('credits', () => {
  it('prints the balance for a bare `taskwire credits`', async () => {
    const before = await call(server, 'GET', '/v1/wire/credits', { key: server.key });
    const res = await taskwire(['credits']);
    expect(res.code).toBe(0);
    expect(res.out).toMatchObject({ status: 'ok', balance: before.body.balance });
    const limited = await taskwire(['credits', '--limit', '1']);
    expect(limited.out.ledger).toHaveLength(1);
  });
});

describe('on a terminal', () => {
  it('run draws a live progress line (state, elapsed time), then prints the data', async () => {
    const { code, screen } = await onTerminal([
      'run',
      'test_flaky',
      '-p',
      'key=cli-tty-1',
      '-p',
      'failures=0',
    ]);
    expect(code).toBe(0);
    expect(screen).toMatch(/\r\x1b\[2K[0-9a-f-]{36} {2}completed {2}\d+\.\ds/);
    expect(screen).toContain('"attempts": 1');
  });

  it('jobs watch draws the same progress line', async () => {
    const submitted = await call(server, 'POST', '/v1/wire/task', {
      key: server.key,
      body: { action_id: 'test_flaky', params: { key: 'cli-tty-2', failures: 0 } },
    });
    const id = submitted.body.job_id as string;
    const { code, screen } = await onTerminal(['jobs', 'watch', id]);
    expect(code).toBe(0);
    expect(screen).toContain(`\r\x1b[2K${id}  completed  `);
    expect(screen).toContain(`${id}  completed  `);
  });
});

describe('--help', () => {
  /** The subcommands a help text lists under "Commands:". */
  const subcommands = (help: string): string[] => {
    const section = help.split('\nCommands:\n')[1] ?? '';
    return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)]
      .map((m) => m[1]!)
      .filter((name) => name !== 'help');
  };

  it('answers --help on every command, exiting 0 with its usage', async () => {
    const seen: string[] = [];
    let level: string[][] = [[]];
    while (level.length > 0) {
      // A few at a time: each start loads the whole program.
      const helps: Awaited<ReturnType<typeof taskwire>>[] = [];
      for (let i = 0; i < level.length; i += 4) {
        const batch = level.slice(i, i + 4).map((path) => taskwire([...path, '--help']));
        helps.push(...(await Promise.all(batch)));
      }
      const next: string[][] = [];
      helps.forEach((res, i) => {
        const path = level[i]!;
        const name = ['taskwire', ...path].join(' ');
        expect(res.code, `${name}: ${res.stderr}`).toBe(0);
        expect(res.stdout, name).toContain(`Usage: ${name} `);
        seen.push(path.join(' '));
        for (const sub of subcommands(res.stdout)) next.push([...path, sub]);
      });
      level = next;
    }
    expect(seen).toEqual(
      expect.arrayContaining([
        'run',
        'jobs watch',
        'catalog search',
        'identities create',
        'identities rename',
        'identities set-default',
        'identities delete',
        'identities add-credential',
        'credentials delete',
        'credits show',
        'mcp',
        'serve',
      ]),
    );
  }, 300_000);
});
