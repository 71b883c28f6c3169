// Job listing, credits ledger, and durability across a restart of the server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { builtInCatalogs } from '../../src/actions/index.js';
import { testCatalog } from '../fixtures/catalogs/test-catalog.js';
import { call, startTestServer, type TestServer, waitForJob } from '../support/taskwire.js';

const catalogs = [...builtInCatalogs, testCatalog];
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ catalogs });
});
afterAll(async () => server?.close());

describe('GET /jobs', () => {
  it('lists the caller’s jobs newest first, paginated, filtered, with stats on page 1', async () => {
    const account = await server.newAccount(50);
    const ids: string[] = [];
    for (const message of ['alpha', 'beta', 'gamma']) {
      const res = await call(server, 'POST', '/v1/wire/task', {
        key: account.key,
        body: { action_id: 'test_echo', params: { message } },
      });
      ids.push(res.body.job_id);
    }
    const failed = await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: { action_id: 'test_slow', params: { ms: 2000 } },
    });
    await waitForJob(server, account.key, failed.body.job_id);

    const page1 = await call(server, 'GET', '/v1/wire/jobs?limit=2', { key: account.key });
    expect(page1.body).toMatchObject({ total_count: 4, page: 1, limit: 2, total_pages: 2 });
    expect(page1.body.stats).toMatchObject({ completed: 3, failed: 1, processing: 0 });
    expect(page1.body.jobs[0].id).toBe(failed.body.job_id);
    const page2 = await call(server, 'GET', '/v1/wire/jobs?limit=2&page=2', { key: account.key });
    expect(page2.body).not.toHaveProperty('stats');
    expect(page2.body.jobs.map((j: { id: string }) => j.id)).toEqual([ids[1], ids[0]]);

    const completed = await call(server, 'GET', '/v1/wire/jobs?status=completed&search=gamma', {
      key: account.key,
    });
    expect(completed.body.jobs).toHaveLength(1);
    expect(completed.body.jobs[0]).toMatchObject({
      id: ids[2],
      user_id: account.accountId,
      action_id: 'test_echo',
      action_name: 'Echo',
      catalog_slug: 'test',
      params: { message: 'gamma' },
      status: 'completed',
      result: { message: 'gamma' },
      credits_used: 1,
      created_at: expect.stringMatching(/Z$/),
      completed_at: expect.stringMatching(/Z$/),
    });
    const failures = await call(server, 'GET', '/v1/wire/jobs?status=failed', { key: account.key });
    expect(failures.body.jobs[0]).toMatchObject({
      status: 'failed',
      credits_used: 0,
      error: expect.stringContaining('300 ms'),
    });
    expect(failures.body.jobs[0]).not.toHaveProperty('result');

    const bad = await call(server, 'GET', '/v1/wire/jobs?limit=1000', { key: account.key });
    expect(bad.status).toBe(400);
  });

  it('shows a processing job with the credits it has already been charged', async () => {
    const account = await server.newAccount(5);
    const res = await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: { action_id: 'test_wait', params: { key: 'list-charged', ms: 30_000 } },
    });
    const list = await call(server, 'GET', '/v1/wire/jobs?status=processing', { key: account.key });
    expect(list.body.jobs).toEqual([
      expect.objectContaining({ id: res.body.job_id, status: 'processing', credits_used: 2 }),
    ]);
    await call(server, 'POST', `/v1/wire/jobs/${res.body.job_id}/cancel`, { key: account.key });
  });

  it('never shows another account’s jobs', async () => {
    const other = await server.newAccount(0);
    expect((await call(server, 'GET', '/v1/wire/jobs', { key: other.key })).body).toMatchObject({
      jobs: [],
      total_count: 0,
    });
  });
});

describe('GET /credits', () => {
  it('shows the balance and the ledger behind it', async () => {
    const account = await server.newAccount(10);
    const job = await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: { action_id: 'test_echo', params: { message: 'x' } },
    });
    const res = await call(server, 'GET', '/v1/wire/credits', { key: account.key });
    expect(res.body).toMatchObject({ status: 'ok', balance: 9, total_count: 2 });
    expect(
      res.body.ledger.map((e: { kind: string; amount: number }) => [e.kind, e.amount]).sort(),
    ).toEqual([
      ['debit', -1],
      ['grant', 10],
    ]);
    expect(res.body.ledger.find((e: { kind: string }) => e.kind === 'debit').job_id).toBe(
      job.body.job_id,
    );
  });
});

describe('GET /jobs/{id}/events', () => {
  it('shows the timeline: submitted, each attempt, the retry, the outcome, and action log lines', async () => {
    const account = await server.newAccount(20);
    const res = await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: { action_id: 'test_flaky', params: { key: 'events-1', failures: 1 } },
    });
    await waitForJob(server, account.key, res.body.job_id);
    const events = (
      await call(server, 'GET', `/v1/wire/jobs/${res.body.job_id}/events`, { key: account.key })
    ).body;
    expect(events.status).toBe('ok');
    expect(
      events.events.map((e: { kind: string; attempt?: number }) => [e.kind, e.attempt ?? null]),
    ).toEqual([
      ['submitted', null],
      ['started', 1],
      ['retry', 1],
      ['started', 2],
      ['succeeded', 2],
    ]);
    expect(events.events[2].message).toContain('Blocked on attempt 1');

    const echo = await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: { action_id: 'test_echo', params: { message: 'hey' } },
    });
    await new Promise((r) => setTimeout(r, 100));
    const echoEvents = (
      await call(server, 'GET', `/v1/wire/jobs/${echo.body.job_id}/events`, { key: account.key })
    ).body.events;
    expect(echoEvents).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'log',
          message: 'Echoing the message.',
          data: { length: 3 },
        }),
      ]),
    );

    const cancelled = await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: { action_id: 'test_wait', params: { key: 'events-2', ms: 5000 } },
    });
    await call(server, 'POST', `/v1/wire/jobs/${cancelled.body.job_id}/cancel`, {
      key: account.key,
    });
    const cancelEvents = (
      await call(server, 'GET', `/v1/wire/jobs/${cancelled.body.job_id}/events`, {
        key: account.key,
      })
    ).body.events;
    expect(cancelEvents.at(-1)).toMatchObject({ kind: 'cancelled', data: { refunded: 2 } });

    const stranger = await server.newAccount(0);
    expect(
      (await call(server, 'GET', `/v1/wire/jobs/${res.body.job_id}/events`, { key: stranger.key }))
        .status,
    ).toBe(404);
  });
});

describe('queue position', () => {
  it('tells a queued job where it stands in its account’s queue', async () => {
    const idle = await startTestServer({ catalogs, env: { TASKWIRE_WORKER: 'false' } });
    try {
      const submit = () =>
        call(idle, 'POST', '/v1/wire/task', {
          key: idle.key,
          body: { action_id: 'test_flaky', params: { key: 'qp', failures: 0 } },
        });
      const first = await submit();
      const second = await submit();
      const poll = async (id: string) =>
        (await call(idle, 'GET', `/v1/wire/jobs/${id}`, { key: idle.key })).body;
      expect(await poll(first.body.job_id)).toEqual({
        status: 'processing',
        retry_after_ms: 2000,
        queue_position: 1,
      });
      expect((await poll(second.body.job_id)).queue_position).toBe(2);
    } finally {
      await idle.close();
    }
  });
});

describe('restart', () => {
  it('runs jobs that were queued when the server stopped once it starts again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'taskwire-restart-'));
    try {
      const first = await startTestServer({ dataDir, catalogs, env: { TASKWIRE_WORKER: 'false' } });
      const res = await call(first, 'POST', '/v1/wire/task', {
        key: first.key,
        body: { action_id: 'test_flaky', params: { key: 'restart', failures: 0 } },
      });
      expect(res.status).toBe(202);
      expect(
        (await call(first, 'GET', `/v1/wire/jobs/${res.body.job_id}`, { key: first.key })).body
          .status,
      ).toBe('processing');
      await first.close();

      const second = await startTestServer({ dataDir, catalogs });
      try {
        const done = await waitForJob(second, first.key, res.body.job_id);
        expect(done).toMatchObject({ status: 'completed', data: { attempts: 1 } });
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
