// The client-side CLI against a real server: `taskwire run` and the jobs / catalog /
// identities / credits commands, with clean JSON when piped and the documented exit codes.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { builtInCatalogs } from '../../src/actions/index.js';
import { testCatalog } from '../fixtures/catalogs/test-catalog.js';
import { call, startTestServer, type TestServer } from '../support/taskwire.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
let server: TestServer;

beforeAll(async () => {
  if (!existsSync(CLI))
    throw new Error('dist/cli/main.js is missing: run `npm run build` (npm test does).');
  server = await startTestServer({ catalogs: [...builtInCatalogs, testCatalog] });
});
afterAll(async () => server?.close());

/** Runs the CLI with output piped (so JSON) and returns its exit code and streams. */
function taskwire(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: any; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, TASKWIRE_URL: server.url, TASKWIRE_API_KEY: server.key, ...env } },
      (error, stdout, stderr) => {
        let out: unknown = stdout;
        try {
          out = JSON.parse(stdout);
        } catch {
          // Not JSON: keep the text.
        }
        resolve({ code: error ? Number(error.code ?? 1) : 0, out, stderr });
      },
    );
  });
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
    expect(search.out[0].action_id).toBe('li_profile_scrape');
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
