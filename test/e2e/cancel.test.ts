// POST /jobs/{id}/cancel over HTTP: queued and running jobs end failed/CANCELLED with one
// refund, finished jobs are a 409, other accounts' jobs a 404, and a cancel racing the
// job's own completion leaves one consistent outcome.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { reconcile } from '../../src/ledger/index.js';
import { testCatalog, waits } from '../fixtures/catalogs/test-catalog.js';
import { until } from '../support/engines.js';
import { call, startTestServer, type TestServer, waitForJob } from '../support/taskwire.js';

let server: TestServer;
/** The same kind of server with no worker, so that submitted jobs stay queued. */
let idle: TestServer;
beforeAll(async () => {
  server = await startTestServer({ catalogs: [testCatalog] });
  idle = await startTestServer({ catalogs: [testCatalog], env: { TASKWIRE_WORKER: 'false' } });
});
afterAll(async () => {
  await server?.close();
  await idle?.close();
});

const cancelledBody = {
  status: 'failed',
  error: { code: 'CANCELLED', message: 'The job was cancelled.' },
  credits_used: 0,
};

async function ledgerFor(target: TestServer, key: string, jobId: string) {
  const res = await call(target, 'GET', '/v1/wire/credits', { key });
  const entries = res.body.ledger.filter((e: { job_id?: string }) => e.job_id === jobId);
  return { balance: res.body.balance as number, entries };
}

describe('POST /jobs/{id}/cancel', () => {
  it('cancels a queued job and refunds it once', async () => {
    const account = await idle.newAccount(10);
    const submitted = await call(idle, 'POST', '/v1/wire/task', {
      key: account.key,
      body: { action_id: 'test_wait', params: { key: 'e2e-queued', ms: 10 } },
    });
    expect(submitted.status).toBe(202);
    const id = submitted.body.job_id as string;
    expect((await ledgerFor(idle, account.key, id)).balance).toBe(8);

    const res = await call(idle, 'POST', `/v1/wire/jobs/${id}/cancel`, { key: account.key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(cancelledBody);
    expect((await call(idle, 'GET', `/v1/wire/jobs/${id}`, { key: account.key })).text).toBe(
      res.text,
    );

    const again = await call(idle, 'POST', `/v1/holocron/jobs/${id}/cancel`, { key: account.key });
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({ code: 'CONFLICT', message: 'Job is already failed.' });

    const { balance, entries } = await ledgerFor(idle, account.key, id);
    expect(balance).toBe(10);
    expect(entries.map((e: { kind: string; amount: number }) => [e.kind, e.amount]).sort()).toEqual(
      [
        ['debit', -2],
        ['refund', 2],
      ],
    );
  });

  it('cancels a running job, aborting its attempt, even with an empty JSON body', async () => {
    const account = await server.newAccount(10);
    const submitted = await call(server, 'POST', '/v1/holocron/task', {
      key: account.key,
      body: { action_id: 'test_wait', params: { key: 'e2e-running', ms: 20_000 } },
    });
    const id = submitted.body.job_id as string;
    await until(() => waits.get('e2e-running') === 'started');

    const res = await call(server, 'POST', `/v1/holocron/jobs/${id}/cancel`, {
      key: account.key,
      rawBody: '',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(cancelledBody);
    await until(() => waits.get('e2e-running') === 'aborted', 1000);
    await until(() => server.taskwire.engine.activeJobs() === 0, 1000);

    expect(await waitForJob(server, account.key, id)).toEqual(cancelledBody);
    const { balance, entries } = await ledgerFor(server, account.key, id);
    expect(balance).toBe(10);
    expect(entries).toHaveLength(2);
  });

  it('refuses to cancel a completed job with 409', async () => {
    const account = await server.newAccount(10);
    const done = await call(server, 'POST', '/v1/wire/task', {
      key: account.key,
      body: { action_id: 'test_echo', params: { message: 'hi' } },
    });
    expect(done.status).toBe(200);
    const res = await call(server, 'POST', `/v1/wire/jobs/${done.body.job_id}/cancel`, {
      key: account.key,
    });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      status: 'error',
      error: { code: 'CONFLICT', message: 'Job is already completed.' },
    });
    expect((await ledgerFor(server, account.key, done.body.job_id)).balance).toBe(9);
  });

  it('answers 404 for someone else’s job or an unknown id, and 401 without a key', async () => {
    const owner = await idle.newAccount(10);
    const other = await idle.newAccount(10);
    const submitted = await call(idle, 'POST', '/v1/wire/task', {
      key: owner.key,
      body: { action_id: 'test_wait', params: { key: 'e2e-foreign', ms: 10 } },
    });
    const id = submitted.body.job_id as string;
    const foreign = await call(idle, 'POST', `/v1/wire/jobs/${id}/cancel`, { key: other.key });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('NOT_FOUND');
    const unknown = await call(idle, 'POST', `/v1/wire/jobs/${crypto.randomUUID()}/cancel`, {
      key: owner.key,
    });
    expect(unknown.status).toBe(404);
    expect((await call(idle, 'POST', `/v1/wire/jobs/${id}/cancel`)).status).toBe(401);
    // Still the owner's, still queued, still charged.
    expect((await call(idle, 'GET', `/v1/wire/jobs/${id}`, { key: owner.key })).body.status).toBe(
      'processing',
    );
    expect((await ledgerFor(idle, owner.key, id)).balance).toBe(8);
  });

  it('races cancels against completions: one outcome per job, never a double refund', async () => {
    const account = await server.newAccount(100);
    for (let i = 0; i < 20; i += 1) {
      const submitted = await call(server, 'POST', '/v1/wire/task', {
        key: account.key,
        body: { action_id: 'test_wait', params: { key: `e2e-race-${i}`, ms: i % 5 } },
      });
      const id = submitted.body.job_id as string;
      await new Promise((r) => setTimeout(r, (i * 7) % 12));
      const cancel = await call(server, 'POST', `/v1/wire/jobs/${id}/cancel`, {
        key: account.key,
      });
      const final = await waitForJob(server, account.key, id);
      const { entries } = await ledgerFor(server, account.key, id);
      const refunds = entries.filter((e: { kind: string }) => e.kind === 'refund');
      if (cancel.status === 200) {
        expect(final).toEqual(cancelledBody);
        expect(refunds).toHaveLength(1);
      } else {
        expect(cancel.body.error).toEqual({
          code: 'CONFLICT',
          message: 'Job is already completed.',
        });
        expect(final).toMatchObject({ status: 'completed', credits_used: 2 });
        expect(refunds).toHaveLength(0);
      }
    }
    expect(await reconcile(server.taskwire.store.db)).toEqual([]);
  });
});
