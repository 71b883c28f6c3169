// Bad input gets a precise 4xx in the Wire envelope and changes nothing: malformed JSON,
// wrong types, unknown fields, huge bodies, unknown and foreign ids, missing or bad keys.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { testCatalog } from '../fixtures/catalogs/test-catalog.js';
import { call, startTestServer, type TestServer, waitForJob } from '../support/taskwire.js';
import { builtInCatalogs } from '../../src/actions/index.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    catalogs: [...builtInCatalogs, testCatalog],
    env: { TASKWIRE_BODY_LIMIT: '65536', TASKWIRE_DISABLED_ACTIONS: 'test_wrong_shape' },
  });
});
afterAll(async () => server?.close());

const balance = async (key = server.key) =>
  (await call(server, 'GET', '/v1/wire/credits', { key })).body.balance as number;
const jobCount = async () =>
  Number(
    (
      await server.taskwire.store.db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

function expectEnvelope(res: { body: any; headers: Headers }, code: string) {
  expect(res.body.status).toBe('error');
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
  expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
}

describe('POST /task input errors', () => {
  const cases: Array<
    [string, { rawBody?: string; body?: unknown; headers?: Record<string, string> }, number, string]
  > = [
    [
      'malformed JSON',
      { rawBody: '{"action_id": "test_echo",', headers: { 'content-type': 'application/json' } },
      400,
      'BAD_REQUEST',
    ],
    [
      'an empty JSON body',
      { rawBody: '', headers: { 'content-type': 'application/json' } },
      400,
      'BAD_REQUEST',
    ],
    ['a JSON array', { body: [1, 2] }, 400, 'BAD_REQUEST'],
    ['a number for action_id', { body: { action_id: 5 } }, 400, 'BAD_REQUEST'],
    ['an array for params', { body: { action_id: 'test_echo', params: [] } }, 400, 'BAD_REQUEST'],
    [
      'an unknown top-level field',
      { body: { action_id: 'test_echo', params: { message: 'x' }, balance: 1e6 } },
      400,
      'BAD_REQUEST',
    ],
    [
      'a credential_id that is not a UUID',
      { body: { action_id: 'test_echo', params: { message: 'x' }, credential_id: 'abc' } },
      400,
      'BAD_REQUEST',
    ],
    [
      'a __proto__ key',
      {
        rawBody: '{"action_id":"test_echo","params":{"__proto__":{"x":1}}}',
        headers: { 'content-type': 'application/json' },
      },
      400,
      'BAD_REQUEST',
    ],
    [
      'text/plain',
      { rawBody: 'action_id=test_echo', headers: { 'content-type': 'text/plain' } },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a body over the limit',
      { body: { action_id: 'test_echo', params: { message: 'x'.repeat(70_000) } } },
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'a string where params needs an object field',
      { body: { action_id: 'test_echo', params: { message: 5 } } },
      400,
      'INVALID_PARAMS',
    ],
    [
      'a missing required param',
      { body: { action_id: 'test_echo', params: {} } },
      400,
      'INVALID_PARAMS',
    ],
    [
      'an unknown param',
      { body: { action_id: 'test_echo', params: { message: 'x', extra: true } } },
      400,
      'INVALID_PARAMS',
    ],
    [
      'an unknown action',
      { body: { action_id: 'li_profle_scrape', params: {} } },
      404,
      'NOT_FOUND',
    ],
    [
      'a disabled action',
      { body: { action_id: 'test_wrong_shape', params: {} } },
      503,
      'ACTION_UNAVAILABLE',
    ],
  ];

  it.each(cases)(
    'rejects %s with a precise error and charges nothing',
    async (_name, request, status, code) => {
      const [before, jobsBefore] = [await balance(), await jobCount()];
      const res = await call(server, 'POST', '/v1/holocron/task', { key: server.key, ...request });
      expect(res.status).toBe(status);
      expectEnvelope(res, code);
      expect(await balance()).toBe(before);
      expect(await jobCount()).toBe(jobsBefore);
    },
  );

  it('names the offending fields of INVALID_PARAMS in details and issues', async () => {
    const res = await call(server, 'POST', '/v1/wire/task', {
      key: server.key,
      body: { action_id: 'test_echo', params: { message: 5, extra: 1 } },
    });
    expect(res.body.error.issues).toEqual(
      expect.arrayContaining([
        { path: '/message', message: expect.any(String) },
        { path: '/extra', message: "unknown field 'extra'" },
      ]),
    );
    expect(res.body.error.details).toContain('/message');
  });

  it('quotes the unknown action_id back', async () => {
    const res = await call(server, 'POST', '/v1/wire/task', {
      key: server.key,
      body: { action_id: 'li_profle_scrape' },
    });
    expect(res.body.error.message).toBe("Unknown action_id 'li_profle_scrape'");
  });
});

describe('authentication', () => {
  it('answers 401 UNAUTHORIZED without a key, with a bad key, and with a revoked key', async () => {
    const none = await call(server, 'GET', '/v1/wire/jobs');
    expect(none.status).toBe(401);
    expectEnvelope(none, 'UNAUTHORIZED');
    const bad = await call(server, 'GET', '/v1/wire/jobs', { key: 'tw_nope' });
    expect(bad.status).toBe(401);
    const account = await server.newAccount(0);
    const { revokeApiKey } = await import('../../src/accounts/index.js');
    await revokeApiKey(server.taskwire.store.db, account.key.split('_')[1]!);
    const revoked = await call(server, 'GET', '/v1/wire/jobs', { key: account.key });
    expect(revoked.status).toBe(401);
  });

  it('records when a key was last used', async () => {
    const account = await server.newAccount(0);
    const before = await server.taskwire.store.db
      .selectFrom('api_keys')
      .select('last_used_at')
      .where('account_id', '=', account.accountId)
      .executeTakeFirstOrThrow();
    expect(before.last_used_at).toBeNull();
    await call(server, 'GET', '/v1/wire/credits', { key: account.key });
    await new Promise((r) => setTimeout(r, 100));
    const after = await server.taskwire.store.db
      .selectFrom('api_keys')
      .select('last_used_at')
      .where('account_id', '=', account.accountId)
      .executeTakeFirstOrThrow();
    expect(after.last_used_at).toMatch(/Z$/);
  });

  it('accepts Authorization: Bearer as well as X-API-Key', async () => {
    const res = await call(server, 'GET', '/v1/wire/credits', {
      headers: { authorization: `Bearer ${server.key}` },
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
  });
});

describe('ids that are not the caller’s', () => {
  it('gives 404 for an unknown job id and the same answer for someone else’s job', async () => {
    const other = await server.newAccount(5);
    const submitted = await call(server, 'POST', '/v1/wire/task', {
      key: other.key,
      body: { action_id: 'test_echo', params: { message: 'mine' } },
    });
    expect(submitted.status).toBe(200);
    const foreign = await call(server, 'GET', `/v1/wire/jobs/${submitted.body.job_id}`, {
      key: server.key,
    });
    const unknown = await call(
      server,
      'GET',
      '/v1/wire/jobs/00000000-0000-4000-8000-000000000000',
      { key: server.key },
    );
    expect(foreign.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(foreign.body.error.code).toBe('NOT_FOUND');
    expect(foreign.body.error.message.replace(submitted.body.job_id, 'X')).toBe(
      unknown.body.error.message.replace('00000000-0000-4000-8000-000000000000', 'X'),
    );
  });

  it('answers 404 in the envelope for unknown routes', async () => {
    const res = await call(server, 'GET', '/v1/wire/nothing-here', { key: server.key });
    expect(res.status).toBe(404);
    expectEnvelope(res, 'NOT_FOUND');
  });
});

describe('500 EXECUTION_FAILED', () => {
  it('charges nothing and stores nothing when the job cannot be stored', async () => {
    const db = server.taskwire.store.db;
    const before = await balance();
    const entries = (await call(server, 'GET', '/v1/wire/credits', { key: server.key })).body
      .total_count;
    await sql`alter table jobs rename to jobs_unavailable`.execute(db);
    try {
      const res = await call(server, 'POST', '/v1/wire/task', {
        key: server.key,
        body: { action_id: 'test_echo', params: { message: 'x' } },
      });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({
        status: 'error',
        error: { code: 'EXECUTION_FAILED', message: 'Failed to submit task. Please try again.' },
      });
    } finally {
      await sql`alter table jobs_unavailable rename to jobs`.execute(db);
    }
    expect(await balance()).toBe(before);
    expect(
      (await call(server, 'GET', '/v1/wire/credits', { key: server.key })).body.total_count,
    ).toBe(entries);
  });
});

describe('500 INTERNAL_ERROR', () => {
  it('answers an unexpected fault with a generic message and no internals', async () => {
    const db = server.taskwire.store.db;
    await sql`alter table ledger_entries rename to ledger_unavailable`.execute(db);
    try {
      const res = await call(server, 'GET', '/v1/wire/credits', { key: server.key });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({
        status: 'error',
        error: {
          code: 'INTERNAL_ERROR',
          message: 'Something went wrong on our side. Please try again.',
        },
      });
      expect(res.text).not.toMatch(/ledger|sqlite|select/i);
      expect(server.logs.join('\n')).toContain(res.headers.get('x-request-id')!);
    } finally {
      await sql`alter table ledger_unavailable rename to ledger_entries`.execute(db);
    }
  });
});

describe('sync actions and job outcomes', () => {
  it('answers a sync action with 200 and the finished job body', async () => {
    const res = await call(server, 'POST', '/v1/wire/task', {
      key: server.key,
      body: { action_id: 'test_echo', params: { message: 'hi' } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'completed',
      job_id: expect.any(String),
      data: { message: 'hi' },
      credits_used: 1,
      execution_ms: expect.any(Number),
    });
  });

  it('retries a blocked attempt and completes, charging once', async () => {
    const before = await balance();
    const res = await call(server, 'POST', '/v1/wire/task', {
      key: server.key,
      body: { action_id: 'test_flaky', params: { key: 'e2e-1', failures: 1 } },
    });
    expect(res.status).toBe(202);
    const done = await waitForJob(server, server.key, res.body.job_id);
    expect(done).toMatchObject({ status: 'completed', data: { attempts: 2 }, credits_used: 3 });
    expect(await balance()).toBe(before - 3);
  });

  it('fails and refunds once attempts are spent', async () => {
    const before = await balance();
    const res = await call(server, 'POST', '/v1/wire/task', {
      key: server.key,
      body: { action_id: 'test_flaky', params: { key: 'e2e-2', failures: 5 } },
    });
    const done = await waitForJob(server, server.key, res.body.job_id);
    expect(done).toMatchObject({
      status: 'failed',
      credits_used: 0,
      error: { code: 'UPSTREAM_BLOCKED' },
    });
    expect(await balance()).toBe(before);
  });

  it('fails a job past its time budget with TIMEOUT and refunds it', async () => {
    const before = await balance();
    const res = await call(server, 'POST', '/v1/wire/task', {
      key: server.key,
      body: { action_id: 'test_slow', params: { ms: 5000 } },
    });
    const done = await waitForJob(server, server.key, res.body.job_id);
    expect(done).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT' } });
    expect(await balance()).toBe(before);
  });

  it('scrubs a credential secret quoted by a failing action', async () => {
    const identity = await call(server, 'POST', '/v1/wire/identities', {
      key: server.key,
      body: {
        catalog_id: 'test',
        name: 'tok',
        credential: { type: 'token', data: { token: 'SECRET-TOKEN-abc123' } },
      },
    });
    const res = await call(server, 'POST', '/v1/wire/task', {
      key: server.key,
      body: {
        action_id: 'test_broken',
        credential_id: identity.body.identity.credentials[0].id,
        params: {},
      },
    });
    const done = await waitForJob(server, server.key, res.body.job_id);
    expect(done.status).toBe('failed');
    expect(done.error.message).toBe('Upstream refused token [redacted]');
    expect(server.logs.join('\n')).not.toContain('SECRET-TOKEN-abc123');
  });
});
