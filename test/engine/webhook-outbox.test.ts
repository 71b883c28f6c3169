// The webhook outbox on both dialects: a terminal state's deliveries are written in the very
// transaction that makes it terminal (settle, cancel), so a lost fence writes none and a
// failed insert undoes the settle; claims lease each delivery to one sender at a time.
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';

import { createAccount } from '../../src/accounts/index.js';
import type { Engine } from '../../src/engine/index.js';
import { settleFailed, settleSucceeded } from '../../src/engine/settle.js';
import { systemClock } from '../../src/store/index.js';
import { createWebhooks } from '../../src/webhooks/index.js';
import { claimDeliveries, enqueueEvent, recordTry } from '../../src/webhooks/delivery.repo.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { engineFor, testRegistry } from '../support/engines.js';

const TASK_URL = 'https://hooks.example.com/task';

describe.each(DIALECTS)('webhook outbox on %s', (dialect) => {
  let database: TestDatabase;
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.stop(1000);
    engine = undefined;
    await database?.drop();
  });

  const deliveriesOf = (jobId: string) =>
    database.store.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('job_id', '=', jobId)
      .orderBy('event')
      .orderBy('url')
      .execute();

  /** An account, endpoints for completed and for failed jobs, and a job held by attempt 1. */
  async function setUp() {
    database = await createTestDatabase(dialect);
    const { db, write } = database.store;
    engine = engineFor(database);
    const account = await createAccount(db, { name: 'a', credits: 100 });
    const webhooks = createWebhooks({ db, write, clock: systemClock, checkTarget: () => {} });
    const onCompleted = await webhooks.createEndpoint(account.id, {
      url: 'https://hooks.example.com/completed',
      events: ['job.completed'],
    });
    const onFailed = await webhooks.createEndpoint(account.id, {
      url: 'https://hooks.example.com/failed',
      events: ['job.failed', 'credential.expired'],
    });
    const running = async (credentialId: string | null = null) => {
      const job = await engine!.submit({
        accountId: account.id,
        actionId: 'test_echo',
        params: { message: 'x' },
        webhookUrl: TASK_URL,
      });
      await db
        .updateTable('jobs')
        .set({ status: 'running', attempts: 1, worker_id: 'w', credential_id: credentialId })
        .where('id', '=', job.id)
        .execute();
      return { ...job, attempts: 1, credential_id: credentialId };
    };
    return { db, write, account, onCompleted, onFailed, running };
  }

  it('queues job.completed for the task URL and subscribed endpoints with the settle', async () => {
    const { write, onCompleted, running } = await setUp();
    const job = await running();
    expect(await settleSucceeded(write, job, { message: 'x' }, 7, systemClock)).toBe(true);
    const rows = await deliveriesOf(job.id);
    expect(rows.map((r) => [r.url, r.webhook_id, r.event, r.status, r.attempts])).toEqual([
      ['https://hooks.example.com/completed', onCompleted.id, 'job.completed', 'pending', 0],
      [TASK_URL, null, 'job.completed', 'pending', 0],
    ]);
    expect(JSON.parse(rows[0]!.payload)).toEqual({
      event: 'job.completed',
      job_id: job.id,
      status: 'completed',
      data: { message: 'x' },
      credits_used: 1,
      execution_ms: 7,
    });
    expect(rows[0]!.payload).toBe(rows[1]!.payload);
  });

  it('queues nothing for a settle that lost its fence', async () => {
    const { db, write, running } = await setUp();
    const job = await running();
    await db.updateTable('jobs').set({ attempts: 2 }).where('id', '=', job.id).execute();
    expect(await settleSucceeded(write, job, { message: 'x' }, 5, systemClock)).toBe(false);
    const failure = { code: 'EXECUTION_FAILED', message: 'stale' };
    expect(await settleFailed(write, job, failure, systemClock)).toBe(false);
    expect(await deliveriesOf(job.id)).toEqual([]);
  });

  it('rolls the settle back when its deliveries cannot be written', async () => {
    const { db, write, running } = await setUp();
    const job = await running();
    await sql`alter table webhook_deliveries rename to webhook_deliveries_away`.execute(db);
    try {
      await expect(settleSucceeded(write, job, { message: 'x' }, 5, systemClock)).rejects.toThrow();
    } finally {
      await sql`alter table webhook_deliveries_away rename to webhook_deliveries`.execute(db);
    }
    const row = await db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirst();
    expect(row).toMatchObject({ status: 'running', attempts: 1, data: null });
    expect(await deliveriesOf(job.id)).toEqual([]);
  });

  it('queues credential.expired once, with job.failed, when a job finds the login rejected', async () => {
    const { db, write, account, onFailed, running } = await setUp();
    const now = new Date().toISOString();
    await db
      .insertInto('identities')
      .values({
        id: '11111111-1111-4111-8111-111111111111',
        account_id: account.id,
        catalog_slug: 'test',
        name: 'main',
        is_default: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const credentialId = '22222222-2222-4222-8222-222222222222';
    await db
      .insertInto('credentials')
      .values({
        id: credentialId,
        identity_id: '11111111-1111-4111-8111-111111111111',
        account_id: account.id,
        catalog_slug: 'test',
        credential_type: 'token',
        status: 'active',
        status_reason: null,
        sealed: 'unused',
        key_id: 'test',
        metadata: '{}',
        expires_at: null,
        last_used_at: null,
        last_verified_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const failure = {
      code: 'AUTH_EXPIRED',
      message: 'The site rejected the stored login.',
      expireCredential: 'session_rejected',
    };
    const first = await running(credentialId);
    expect(await settleFailed(write, first, failure, systemClock)).toBe(true);
    const rows = await deliveriesOf(first.id);
    expect(rows.map((r) => [r.event, r.webhook_id])).toEqual([
      ['credential.expired', onFailed.id],
      ['job.failed', onFailed.id],
      ['job.failed', null],
    ]);
    expect(JSON.parse(rows[0]!.payload)).toEqual({
      event: 'credential.expired',
      credential_id: credentialId,
      identity_id: '11111111-1111-4111-8111-111111111111',
      catalog_id: testRegistry.catalog('test')!.uuid,
      status_reason: 'session_rejected',
      job_id: first.id,
      at: expect.stringMatching(/Z$/),
    });
    // A second job on the same, already expired login announces its failure only.
    const second = await running(credentialId);
    expect(await settleFailed(write, second, failure, systemClock)).toBe(true);
    expect((await deliveriesOf(second.id)).map((r) => r.event)).toEqual([
      'job.failed',
      'job.failed',
    ]);
  });

  it('queues job.failed with CANCELLED in the cancel transaction', async () => {
    const { account, running } = await setUp();
    const job = await running();
    await engine!.cancel(account.id, job.id);
    const rows = await deliveriesOf(job.id);
    expect(rows.map((r) => r.url)).toEqual(['https://hooks.example.com/failed', TASK_URL]);
    expect(JSON.parse(rows[0]!.payload)).toEqual({
      event: 'job.failed',
      job_id: job.id,
      status: 'failed',
      error: { code: 'CANCELLED', message: 'The job was cancelled.' },
      credits_used: 0,
    });
  });

  it('leases each due delivery to one claimer, and fences a lapsed claim out', async () => {
    database = await createTestDatabase(dialect);
    const { db, write } = database.store;
    const account = await createAccount(db, { name: 'a', credits: 0 });
    for (let i = 0; i < 20; i += 1) {
      await write((trx) =>
        enqueueEvent(
          trx,
          {
            accountId: account.id,
            event: 'job.completed',
            payload: { n: i },
            taskUrl: `https://hooks.example.com/${i}`,
          },
          systemClock,
        ),
      );
    }
    const [a, b] = await Promise.all([
      claimDeliveries(write, dialect, 60_000, systemClock, 20),
      claimDeliveries(write, dialect, 60_000, systemClock, 20),
    ]);
    const ids = [...a, ...b].map((d) => d.id);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    expect(await claimDeliveries(write, dialect, 60_000, systemClock, 20)).toEqual([]);

    // A claim whose lease lapsed is taken over; the first claimer's record changes nothing.
    await db
      .updateTable('webhook_deliveries')
      .set({ next_attempt_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', ids[0]!)
      .execute();
    const [fresh] = await claimDeliveries(write, dialect, 60_000, systemClock, 20);
    expect(fresh).toMatchObject({ id: ids[0], attempts: 2 });
    const at = new Date().toISOString();
    const ok = { at, statusCode: 200, durationMs: 3 };
    const staleClaim = { id: ids[0]!, attempts: 1 };
    expect(await recordTry(write, staleClaim, ok, { status: 'delivered' }, systemClock)).toBe(
      false,
    );
    expect(await recordTry(write, fresh!, ok, { status: 'delivered' }, systemClock)).toBe(true);
    const row = await db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('id', '=', ids[0]!)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'delivered', attempts: 2, next_attempt_at: null });
    const tries = await db
      .selectFrom('webhook_attempts')
      .select('status_code')
      .where('delivery_id', '=', ids[0]!)
      .execute();
    expect(tries).toHaveLength(2);
  });
});
