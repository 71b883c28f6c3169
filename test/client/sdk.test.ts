// The TypeScript SDK against a real Taskwire on loopback: running actions, typed errors,
// job listing, discovery, identities, credits, cancelling, aborting and timing out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { JobFailedError, Taskwire, TaskwireError, TimeoutError } from '../../client/src/index.js';
import { builtInCatalogs } from '../../src/actions/index.js';
import { testCatalog } from '../fixtures/catalogs/test-catalog.js';
import { startTestServer, type TestServer } from '../support/taskwire.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let server: TestServer;
let tw: Taskwire;
beforeAll(async () => {
  server = await startTestServer({ catalogs: [...builtInCatalogs, testCatalog], credits: 1000 });
  tw = new Taskwire({ apiKey: server.key, baseUrl: server.url });
});
afterAll(async () => server?.close());

/** A client whose every request is recorded as `METHOD path?query`. */
function recordingClient(apiKey: string, options: { prefix?: string } = {}) {
  const seen: string[] = [];
  const client = new Taskwire({
    apiKey,
    baseUrl: server.url,
    ...options,
    fetch: (input, init) => {
      const url = new URL(input instanceof Request ? input.url : input);
      seen.push(`${init?.method ?? 'GET'} ${url.pathname}${url.search}`);
      return fetch(input, init);
    },
  });
  return { client, seen };
}

/** The caller's newest processing job, once it exists. */
async function processingJob(client: Taskwire): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const [job] = (await client.listJobs({ status: 'processing', limit: 1 })).jobs;
    if (job) return job.id;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no processing job appeared');
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (error: unknown) => error,
  );
}

describe('run', () => {
  it('returns a sync action’s data from the submit answer, without polling', async () => {
    const { client, seen } = recordingClient(server.key);
    interface EchoParams {
      message: string;
    }
    const params: EchoParams = { message: 'hi' };
    const data = await client.run<{ message: string }>('test_echo', params);
    expect(data).toEqual({ message: 'hi' });
    expect(seen).toEqual(['POST /v1/wire/task']);
  });

  it('long-polls an async job and returns its typed data', async () => {
    const { client, seen } = recordingClient(server.key);
    const data = await client.run<{ attempts: number }>('test_flaky', {
      key: `run-${Date.now()}`,
      failures: 1,
    });
    expect(data.attempts).toBe(2);
    expect(seen[1]).toMatch(/^GET \/v1\/wire\/jobs\/[0-9a-f-]{36}\?wait=30$/);
  });

  it('throws JobFailedError with the job’s code when the job fails', async () => {
    const error = await rejection(tw.run('test_slow', { ms: 2000 }));
    expect(error).toBeInstanceOf(JobFailedError);
    const failed = error as JobFailedError;
    expect(failed).toBeInstanceOf(TaskwireError);
    expect(failed).toMatchObject({ code: 'TIMEOUT', status: 0, name: 'JobFailedError' });
    expect(failed.jobId).toMatch(UUID);
    expect(failed.job).toMatchObject({ status: 'failed', credits_used: 0 });

    const broken = await rejection(tw.run('test_broken'));
    expect(broken).toMatchObject({ code: 'EXECUTION_FAILED' });
  });
});

describe('submit, job and waitForJob', () => {
  it('answers a sync action with its body and replays it under the same key', async () => {
    const idempotencyKey = `sync-${Date.now()}`;
    const first = await tw.submit('test_echo', { message: 'once' }, { idempotencyKey });
    expect(first).toMatchObject({
      status: 'completed',
      data: { message: 'once' },
      credits_used: 1,
      idempotencyKey,
      replayed: false,
    });
    const again = await tw.submit('test_echo', { message: 'once' }, { idempotencyKey });
    expect(again).toMatchObject({ status: 'completed', jobId: first.jobId, replayed: true });

    const reused = await rejection(
      tw.submit('test_echo', { message: 'other' }, { idempotencyKey }),
    );
    expect(reused).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', status: 422, attempts: 1 });
  });

  it('answers an async action with a poll URL under the prefix it was called on', async () => {
    const holocron = new Taskwire({
      apiKey: server.key,
      baseUrl: server.url,
      prefix: '/v1/holocron/',
    });
    const sub = await holocron.submit('test_slow', { ms: 10 });
    expect(sub).toMatchObject({ status: 'processing', replayed: false });
    expect(sub.idempotencyKey).toMatch(UUID);
    if (sub.status !== 'processing') throw new Error('expected processing');
    expect(sub.pollUrl).toBe(`/v1/holocron/jobs/${sub.jobId}`);

    const done = await holocron.waitForJob<{ waited: number }>(sub.jobId);
    expect(done).toMatchObject({ status: 'completed', data: { waited: 10 } });
    expect(await tw.job(sub.jobId)).toEqual(done);
  });

  it('returns a failed job from waitForJob rather than throwing', async () => {
    const sub = await tw.submit('test_broken');
    const job = await tw.waitForJob(sub.jobId);
    expect(job).toMatchObject({ status: 'failed', error: { code: 'EXECUTION_FAILED' } });
  });
});

describe('errors', () => {
  it('carries balance and required on 402, with the request id', async () => {
    const poor = await server.newAccount(0);
    const client = new Taskwire({ apiKey: poor.key, baseUrl: server.url });
    const error = await rejection(client.run('test_echo', { message: 'x' }));
    expect(error).toBeInstanceOf(TaskwireError);
    expect(error).toMatchObject({
      code: 'INSUFFICIENT_CREDITS',
      status: 402,
      balance: 0,
      required: 1,
      attempts: 1,
      message: 'You need 1 credits. Current balance: 0',
    });
    expect((error as TaskwireError).requestId).toMatch(UUID);
    expect((error as TaskwireError).body).toMatchObject({ status: 'error' });
  });

  it('says NOT_FOUND for an unknown action', async () => {
    const error = await rejection(tw.run('test_nope'));
    expect(error).toMatchObject({ code: 'NOT_FOUND', status: 404, attempts: 1 });
    expect((error as Error).message).toContain('test_nope');
  });

  it('lists the issues of INVALID_PARAMS', async () => {
    const error = (await rejection(tw.run('test_echo', { message: 5 }))) as TaskwireError;
    expect(error).toMatchObject({ code: 'INVALID_PARAMS', status: 400 });
    expect(typeof error.details).toBe('string');
    expect(error.issues).toEqual([expect.objectContaining({ path: '/message' })]);
  });

  it('says UNAUTHORIZED for a bad key', async () => {
    const client = new Taskwire({ apiKey: 'tw_nope', baseUrl: server.url });
    const error = await rejection(client.credits());
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
    expect((error as TaskwireError).requestId).toMatch(UUID);
  });

  it('says NOT_FOUND for an unknown job', async () => {
    const error = await rejection(tw.job('00000000-0000-4000-8000-000000000000'));
    expect(error).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });
});

describe('jobs', () => {
  it('iterates every job across pages, newest first', async () => {
    const account = await server.newAccount(20);
    const { client, seen } = recordingClient(account.key);
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      created.push((await client.submit('test_echo', { message: `m${i}` })).jobId);
    }
    seen.length = 0;
    const listed: string[] = [];
    for await (const job of client.jobs({ limit: 2 })) listed.push(job.id);
    expect(listed).toEqual(created.reverse());
    expect(seen).toEqual([1, 2, 3].map((p) => `GET /v1/wire/jobs?limit=2&page=${p}`));

    const page1 = await client.listJobs({ limit: 2 });
    expect(page1).toMatchObject({ total_count: 5, page: 1, total_pages: 3 });
    expect(page1.stats).toMatchObject({ completed: 5 });
    expect((await client.listJobs({ limit: 2, page: 3 })).stats).toBeUndefined();
    expect((await client.listJobs({ search: 'm3' })).jobs.map((j) => j.params)).toEqual([
      { message: 'm3' },
    ]);
  });
});

describe('discovery, identities and credits', () => {
  it('reads the catalog, one catalog entry, search and resolve', async () => {
    const slugs = (await tw.catalog()).map((c) => c.slug);
    expect(slugs).toEqual(expect.arrayContaining(['web', 'test']));
    expect(await tw.catalog({ scope: 'my' })).toEqual([]);

    const detail = await tw.catalogEntry('test');
    expect(detail.catalog.slug).toBe('test');
    expect(detail.actions.find((a) => a.action_id === 'test_echo')?.mode).toBe('sync');
    expect(await rejection(tw.catalogEntry('nope'))).toMatchObject({ code: 'NOT_FOUND' });

    expect((await tw.search('echo'))[0]?.action_id).toBe('test_echo');
    const optional = await tw.search(undefined, { catalog: 'test', authMode: 'optional' });
    expect(optional.map((r) => r.action_id)).toEqual(['test_broken']);

    const resolved = await tw.resolve('echo', { limit: 1 });
    expect(resolved.next).toBe('POST /v1/wire/task with {action_id, params}');
    expect(resolved.results).toHaveLength(1);
    expect(resolved.results[0]).toMatchObject({ action_id: 'test_echo', auth_satisfied: true });
    const anonymous = new Taskwire({ baseUrl: server.url });
    expect((await anonymous.resolve('echo')).results[0]?.auth_satisfied).toBeNull();
    expect(await rejection(tw.resolve(' '))).toMatchObject({ code: 'BAD_REQUEST', status: 400 });
  });

  it('creates and reads identities without ever returning the secret', async () => {
    const account = await server.newAccount(0);
    const client = new Taskwire({ apiKey: account.key, baseUrl: server.url });
    const created = await client.createIdentity({
      catalogId: 'test',
      name: 'Work',
      isDefault: true,
      credential: { type: 'token', data: 'tok-very-secret' },
    });
    expect(created).toMatchObject({ name: 'Work', is_default: true });
    expect(created.credentials).toEqual([
      expect.objectContaining({ credential_type: 'token', status: 'active' }),
    ]);
    expect(await client.identities({ catalogId: 'test' })).toEqual([created]);
    expect(await client.identities({ catalogId: 'web' })).toEqual([]);
    expect(await client.identity(created.id)).toEqual(created);
    expect(JSON.stringify(await client.identities())).not.toContain('tok-very-secret');

    const duplicate = await rejection(client.createIdentity({ catalogId: 'test', name: 'Work' }));
    expect(duplicate).toMatchObject({ code: 'CONFLICT', status: 409 });
  });

  it('reads the balance and the ledger', async () => {
    const account = await server.newAccount(10);
    const client = new Taskwire({ apiKey: account.key, baseUrl: server.url });
    await client.run('test_echo', { message: 'pay' });
    const credits = await client.credits({ limit: 1 });
    expect(credits).toMatchObject({ status: 'ok', balance: 9, total_count: 2, limit: 1 });
    expect(credits.ledger).toEqual([expect.objectContaining({ kind: 'debit', amount: -1 })]);
  });
});

describe('cancel', () => {
  it('cancels a running job, and a second cancel is a CONFLICT', async () => {
    const sub = await tw.submit('test_wait', { key: `cancel-${Date.now()}`, ms: 30_000 });
    const job = await tw.cancel(sub.jobId);
    expect(job).toEqual({
      status: 'failed',
      error: { code: 'CANCELLED', message: 'The job was cancelled.' },
      credits_used: 0,
    });
    const again = await rejection(tw.cancel(sub.jobId));
    expect(again).toMatchObject({ code: 'CONFLICT', status: 409, attempts: 1 });
  });

  it('makes a waiting run() fail with CANCELLED at once', async () => {
    const account = await server.newAccount(10);
    const client = new Taskwire({ apiKey: account.key, baseUrl: server.url });
    const running = rejection(
      client.run('test_wait', { key: `run-cancel-${Date.now()}`, ms: 30_000 }),
    );
    const started = Date.now();
    await client.cancel(await processingJob(client));
    expect(await running).toMatchObject({ name: 'JobFailedError', code: 'CANCELLED' });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('abort and timeout', () => {
  it('rejects run() with the signal’s reason and stops polling', async () => {
    const account = await server.newAccount(10);
    const { client, seen } = recordingClient(account.key);
    const controller = new AbortController();
    const running = rejection(
      client.run(
        'test_wait',
        { key: `abort-${Date.now()}`, ms: 30_000 },
        { signal: controller.signal },
      ),
    );
    const jobId = await processingJob(client);
    await new Promise((r) => setTimeout(r, 200));
    const reason = new Error('user went away');
    const abortedAt = Date.now();
    controller.abort(reason);
    expect(await running).toBe(reason);
    expect(Date.now() - abortedAt).toBeLessThan(500);

    const count = seen.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(seen.length).toBe(count);
    expect((await client.job(jobId)).status).toBe('processing');
    await client.cancel(jobId);
  });

  it('sends nothing when the signal is already aborted', async () => {
    const { client, seen } = recordingClient(server.key);
    const error = await rejection(
      client.run('test_echo', { message: 'x' }, { signal: AbortSignal.abort() }),
    );
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([]);
  });

  it('throws TimeoutError past timeoutMs, leaving the job running', async () => {
    const account = await server.newAccount(10);
    const client = new Taskwire({ apiKey: account.key, baseUrl: server.url });
    const started = Date.now();
    const error = await rejection(
      client.run('test_wait', { key: `timeout-${Date.now()}`, ms: 30_000 }, { timeoutMs: 1_500 }),
    );
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: 'WAIT_TIMEOUT', status: 0, timeoutMs: 1_500 });
    expect(elapsed).toBeGreaterThanOrEqual(1_450);
    expect(elapsed).toBeLessThan(2_500);
    const { jobId } = error as TimeoutError;
    expect(jobId).toMatch(UUID);
    expect((await client.job(jobId!)).status).toBe('processing');
    await client.cancel(jobId!);
  });
});
