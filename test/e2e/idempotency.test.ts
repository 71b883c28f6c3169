// The Idempotency-Key header on POST /task over HTTP: byte-identical replays marked
// Idempotent-Replayed, 422 for another body, one job for concurrent duplicates, per-account
// scope, expiry, refused submissions not remembered, and malformed keys refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { grant } from '../../src/ledger/index.js';
import { testCatalog } from '../fixtures/catalogs/test-catalog.js';
import { call, startTestServer, type TestServer } from '../support/taskwire.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ catalogs: [testCatalog], env: { TASKWIRE_WORKER: 'false' } });
});
afterAll(async () => server?.close());

const task = (n: number) => ({
  action_id: 'test_flaky',
  params: { key: `idem-${n}`, failures: 0 },
});

function submit(
  target: TestServer,
  key: string,
  idempotencyKey: string,
  body: unknown,
  prefix = '/v1/wire',
) {
  return call(target, 'POST', `${prefix}/task`, {
    key,
    body,
    headers: { 'idempotency-key': idempotencyKey },
  });
}

const balanceOf = async (target: TestServer, key: string) =>
  (await call(target, 'GET', '/v1/wire/credits', { key })).body.balance as number;

describe('Idempotency-Key on POST /task', () => {
  it('replays the first answer byte for byte, on either prefix, charging once', async () => {
    const account = await server.newAccount(10);
    const first = await submit(server, account.key, 'order-1', task(1));
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const replay = await submit(server, account.key, 'order-1', task(1));
    expect(replay.status).toBe(202);
    expect(replay.text).toBe(first.text);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    // Keys are not per prefix; the poll_url takes the prefix the replayed request came in on.
    const other = await submit(server, account.key, 'order-1', task(1), '/v1/holocron');
    expect(other.headers.get('idempotent-replayed')).toBe('true');
    expect(other.body).toEqual({
      ...first.body,
      poll_url: `/v1/holocron/jobs/${first.body.job_id}`,
    });
    // Key order in the body does not matter; the values do.
    const reordered = await submit(server, account.key, 'order-1', {
      params: { failures: 0, key: 'idem-1' },
      action_id: 'test_flaky',
    });
    expect(reordered.text).toBe(first.text);

    expect(await balanceOf(server, account.key)).toBe(7);
  });

  it('answers 422 IDEMPOTENCY_KEY_REUSED for the same key with another body', async () => {
    const account = await server.newAccount(10);
    await submit(server, account.key, 'order-2', task(2));
    const res = await submit(server, account.key, 'order-2', task(3));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(res.body.error.message).toContain("'order-2'");
    expect(await balanceOf(server, account.key)).toBe(7);
  });

  it('gives 50 concurrent requests with one key the one job and one debit', async () => {
    const account = await server.newAccount(10);
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => submit(server, account.key, 'burst', task(4))),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(202));
    const ids = new Set(responses.map((r) => r.body.job_id as string));
    expect(ids.size).toBe(1);
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    const jobs = await server.taskwire.store.db
      .selectFrom('jobs')
      .select('id')
      .where('account_id', '=', account.accountId)
      .execute();
    expect(jobs).toEqual([{ id: [...ids][0] }]);
    expect(await balanceOf(server, account.key)).toBe(7);
  });

  it('keeps keys per account', async () => {
    const a = await server.newAccount(10);
    const b = await server.newAccount(10);
    const first = await submit(server, a.key, 'shared-key', task(5));
    const second = await submit(server, b.key, 'shared-key', task(5));
    expect(second.status).toBe(202);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(second.body.job_id).not.toBe(first.body.job_id);
    expect(await balanceOf(server, b.key)).toBe(7);
  });

  it('does not remember a 402: after a top-up the same key is accepted', async () => {
    const account = await server.newAccount(1);
    const poor = await submit(server, account.key, 'top-up', task(6));
    expect(poor.status).toBe(402);
    await grant(server.taskwire.store.db, account.accountId, 10);
    const retried = await submit(server, account.key, 'top-up', task(6));
    expect(retried.status).toBe(202);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(await balanceOf(server, account.key)).toBe(8);
  });

  it('replays a sync action’s 200 with its result', async () => {
    const worker = await startTestServer({ catalogs: [testCatalog] });
    try {
      const body = { action_id: 'test_echo', params: { message: 'once' } };
      const first = await submit(worker, worker.key, 'sync-1', body);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ status: 'completed', data: { message: 'once' } });
      const replay = await submit(worker, worker.key, 'sync-1', body);
      expect(replay.status).toBe(200);
      expect(replay.text).toBe(first.text);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(await balanceOf(worker, worker.key)).toBe(99);
    } finally {
      await worker.close();
    }
  });

  it('forgets a key once its retention has passed', async () => {
    const shortLived = await startTestServer({
      catalogs: [testCatalog],
      env: { TASKWIRE_WORKER: 'false', TASKWIRE_IDEMPOTENCY_TTL_MS: '50' },
    });
    try {
      const first = await submit(shortLived, shortLived.key, 'brief', task(7));
      await new Promise((r) => setTimeout(r, 100));
      const later = await submit(shortLived, shortLived.key, 'brief', task(7));
      expect(later.status).toBe(202);
      expect(later.headers.get('idempotent-replayed')).toBeNull();
      expect(later.body.job_id).not.toBe(first.body.job_id);
      expect(await balanceOf(shortLived, shortLived.key)).toBe(94);
    } finally {
      await shortLived.close();
    }
  });

  it.each([
    ['empty', ''],
    ['256 characters long', 'k'.repeat(256)],
    ['not ASCII', 'caf\u00e9'],
    ['holding a control character', 'a\tb'],
  ])('refuses a key that is %s with 400, charging nothing', async (_case, value) => {
    const account = await server.newAccount(10);
    const res = await submit(server, account.key, value, task(8));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'BAD_REQUEST',
      issues: [{ path: '/headers/idempotency-key' }],
    });
    expect(await balanceOf(server, account.key)).toBe(10);
  });

  it('accepts a key of exactly 255 printable characters', async () => {
    const account = await server.newAccount(10);
    const res = await submit(server, account.key, `~ ${'k'.repeat(253)}`, task(9));
    expect(res.status).toBe(202);
  });
});
