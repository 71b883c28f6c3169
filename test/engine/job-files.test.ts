// Job files on both dialects: what an action attaches with ctx.files is stored byte for byte
// with its successful settle (and only then), listed in order, read back by the owner only,
// fenced like the rest of the settle, carried in the webhook payload, and pruned with the job.
import { afterEach, describe, expect, it } from 'vitest';

import { createAccount } from '../../src/accounts/index.js';
import { type Engine, jobBody } from '../../src/engine/index.js';
import { claimJobs } from '../../src/engine/job.repo.js';
import { settleFailed, settleSucceeded } from '../../src/engine/settle.js';
import { reconcile } from '../../src/ledger/index.js';
import { systemClock } from '../../src/store/index.js';
import { patternBytes } from '../fixtures/catalogs/test-catalog.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { engineFor, until } from '../support/engines.js';

describe.each(DIALECTS)('job files on %s', (dialect) => {
  let database: TestDatabase;
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.stop(1000);
    engine = undefined;
    await database?.drop();
  });

  async function setUp(overrides: Parameters<typeof engineFor>[1] = {}) {
    database = await createTestDatabase(dialect);
    const account = await createAccount(database.store.db, { name: 'a', credits: 100 });
    engine = engineFor(database, overrides);
    engine.startWorker();
    return account.id;
  }

  async function run(accountId: string, params: Record<string, unknown>, webhookUrl?: string) {
    const job = await engine!.submit({
      accountId,
      actionId: 'test_files',
      params,
      ...(webhookUrl ? { webhookUrl } : {}),
    });
    const done = await engine!.waitForJob(accountId, job.id, 10_000);
    expect(['succeeded', 'failed']).toContain(done.status);
    return done;
  }

  const rowsOf = (jobId: string) =>
    database.store.db.selectFrom('job_files').select('name').where('job_id', '=', jobId).execute();

  it('stores the files with the completed job, byte for byte, in the order they were added', async () => {
    const accountId = await setUp();
    const job = await run(accountId, {
      files: [
        { name: 'data.bin', content_type: 'application/octet-stream', size: 300_000 },
        { name: 'notes.txt', content_type: 'text/plain; charset=utf-8', text: 'héllo' },
        { name: 'empty.bin', content_type: 'application/octet-stream', size: 0 },
      ],
    });
    expect(job.status).toBe('succeeded');
    expect(await engine!.files(job)).toEqual([
      { name: 'data.bin', content_type: 'application/octet-stream', size_bytes: 300_000 },
      { name: 'notes.txt', content_type: 'text/plain; charset=utf-8', size_bytes: 6 },
      { name: 'empty.bin', content_type: 'application/octet-stream', size_bytes: 0 },
    ]);
    const data = await engine!.file(accountId, job.id, 'data.bin');
    expect(Buffer.isBuffer(data.content)).toBe(true);
    expect(data.content.equals(patternBytes(300_000))).toBe(true);
    expect((await engine!.file(accountId, job.id, 'notes.txt')).content.toString('utf8')).toBe(
      'héllo',
    );
    expect((await engine!.file(accountId, job.id, 'empty.bin')).content).toHaveLength(0);
    const events = await engine!.jobLog(accountId, job.id);
    expect(events.find((e) => e.kind === 'succeeded')?.data).toEqual({
      files: ['data.bin', 'notes.txt', 'empty.bin'],
    });
  });

  it('answers 400 for a file the job does not have and 404 for a job that is not yours', async () => {
    const accountId = await setUp();
    const job = await run(accountId, {
      files: [{ name: 'a.txt', content_type: 'text/plain', text: 'a' }],
    });
    await expect(engine!.file(accountId, job.id, 'b.txt')).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      status: 400,
      message: `Job '${job.id}' has no file 'b.txt'.`,
    });
    const other = await createAccount(database.store.db, { name: 'b', credits: 0 });
    await expect(engine!.file(other.id, job.id, 'a.txt')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
    });
  });

  it('keeps no files when the action fails after attaching them, and refunds it', async () => {
    const accountId = await setUp();
    const job = await run(accountId, {
      files: [{ name: 'partial.txt', content_type: 'text/plain', text: 'half' }],
      fail: true,
    });
    expect(job).toMatchObject({ status: 'failed', error_code: 'EXECUTION_FAILED' });
    expect(await rowsOf(job.id)).toEqual([]);
    expect(await engine!.files(job)).toEqual([]);
    expect(await reconcile(database.store.db)).toEqual([]);
  });

  it.each([
    [
      'an unsafe name',
      [{ name: '../etc/passwd', content_type: 'text/plain', text: 'x' }],
      "File name '../etc/passwd' is not allowed",
    ],
    [
      'a duplicate name',
      [
        { name: 'a.txt', content_type: 'text/plain', text: '1' },
        { name: 'a.txt', content_type: 'text/plain', text: '2' },
      ],
      "The job already has a file named 'a.txt'.",
    ],
    [
      'a file over the size limit',
      [{ name: 'huge.bin', content_type: 'application/octet-stream', size: 21 * 1024 * 1024 }],
      "File 'huge.bin' is 21 MiB; a file may be at most 20 MiB.",
    ],
    [
      'too many files',
      Array.from({ length: 21 }, (_, i) => ({
        name: `f${i}.txt`,
        content_type: 'text/plain',
        text: 'x',
      })),
      "File 'f20.txt' is one too many: a job may have at most 20 files.",
    ],
  ])('fails the job with a clear EXECUTION_FAILED for %s', async (_what, files, message) => {
    const accountId = await setUp();
    const job = await run(accountId, { files });
    expect(job.status).toBe('failed');
    expect(job.error_code).toBe('EXECUTION_FAILED');
    expect(job.error_message).toContain(message);
    expect(await rowsOf(job.id)).toEqual([]);
  });

  it('writes no files when the settle has lost its fence', async () => {
    database = await createTestDatabase(dialect);
    const { db, write } = database.store;
    const account = await createAccount(db, { name: 'a', credits: 10 });
    engine = engineFor(database);
    const job = await engine.submit({
      accountId: account.id,
      actionId: 'test_files',
      params: { files: [] },
    });
    const files = [{ name: 'late.txt', contentType: 'text/plain', bytes: Buffer.from('late') }];
    // Not running (never claimed): a stale attempt's settle changes nothing, files included.
    expect(await settleSucceeded(write, job, {}, 1, systemClock, files)).toBe(false);
    expect(await rowsOf(job.id)).toEqual([]);
    const [claimed] = await claimJobs(write, dialect, 'w', 30_000, systemClock, 1, {
      perAccount: 10,
    });
    expect(claimed?.id).toBe(job.id);
    // The previous attempt number is fenced out even while the job runs.
    expect(await settleSucceeded(write, job, {}, 1, systemClock, files)).toBe(false);
    expect(await rowsOf(job.id)).toEqual([]);
    expect(await settleSucceeded(write, claimed!, {}, 1, systemClock, files)).toBe(true);
    expect(await rowsOf(job.id)).toEqual([{ name: 'late.txt' }]);
  });

  it('stores the files of a failed settle with the failure and its refund', async () => {
    database = await createTestDatabase(dialect);
    const { db, write } = database.store;
    const account = await createAccount(db, { name: 'a', credits: 10 });
    engine = engineFor(database);
    await engine.submit({ accountId: account.id, actionId: 'test_files', params: { files: [] } });
    const [claimed] = await claimJobs(write, dialect, 'w', 30_000, systemClock, 1, {
      perAccount: 10,
    });
    const shot = { name: 'failure.png', contentType: 'image/png', bytes: patternBytes(5000) };
    const failure = { code: 'EXECUTION_FAILED', message: 'Markup changed.', files: [shot] };
    expect(await settleFailed(write, claimed!, failure, systemClock)).toBe(true);
    const job = await engine.job(account.id, claimed!.id);
    expect(jobBody(job, await engine.files(job))).toEqual({
      status: 'failed',
      error: { code: 'EXECUTION_FAILED', message: 'Markup changed.' },
      credits_used: 0,
      files: [{ name: 'failure.png', content_type: 'image/png', size_bytes: 5000 }],
    });
    const stored = await engine.file(account.id, job.id, 'failure.png');
    expect(stored.content.equals(patternBytes(5000))).toBe(true);
    // A second settle of the same attempt is fenced out and adds nothing.
    expect(await settleFailed(write, claimed!, failure, systemClock)).toBe(false);
    expect(await rowsOf(job.id)).toHaveLength(1);
    expect(await reconcile(db)).toEqual([]);
  });

  it("lists the files in the job's webhook payload", async () => {
    const accountId = await setUp();
    const job = await run(
      accountId,
      { files: [{ name: 'a.csv', content_type: 'text/csv', text: 'x,y\n1,2\n' }] },
      'https://hooks.example.com/taskwire',
    );
    const delivery = await database.store.db
      .selectFrom('webhook_deliveries')
      .select('payload')
      .where('job_id', '=', job.id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(delivery.payload)).toMatchObject({
      event: 'job.completed',
      status: 'completed',
      files: [{ name: 'a.csv', content_type: 'text/csv', size_bytes: 8 }],
    });
  });

  it('deletes the files with their job when retention prunes it', async () => {
    const accountId = await setUp({ retentionMs: 200 });
    const job = await run(accountId, {
      files: [{ name: 'a.bin', content_type: 'application/octet-stream', size: 1000 }],
    });
    expect(job.status).toBe('succeeded');
    expect(await rowsOf(job.id)).toHaveLength(1);
    await until(
      async () =>
        (await database.store.db
          .selectFrom('jobs')
          .select('id')
          .where('id', '=', job.id)
          .executeTakeFirst()) === undefined,
    );
    expect(await rowsOf(job.id)).toEqual([]);
  });
});
