// The servers the API benchmark measures, each started in its own process so the load
// generator does not share its event loop: a bare Fastify JSON route (the baseline) and
// Taskwire in its embedded default (SQLite, in-process worker) with a no-op action.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Fastify from 'fastify';
import pino from 'pino';
import { Type } from 'typebox';

import { createAccount, createApiKey } from '../src/accounts/index.js';
import { builtInCatalogs, defineAction, defineCatalog } from '../src/actions/index.js';
import { createTaskwire } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';

/** Does nothing, so the benchmark measures Taskwire, not a website. */
const noop = defineCatalog({
  slug: 'bench',
  name: 'Bench',
  url: 'https://bench.invalid',
  domain: 'bench.invalid',
  category: 'testing',
  description: 'Benchmark actions.',
  logoUrl: '/static/logos/bench.svg',
  authTypes: [],
  actions: [
    defineAction({
      id: 'bench_noop',
      name: 'No-op',
      description: 'Returns its input at once.',
      tags: ['bench'],
      authMode: 'none',
      credits: 1,
      params: Type.Object({ n: Type.Integer() }, { additionalProperties: false }),
      output: Type.Object({ n: Type.Integer() }),
      run: async ({ params }) => ({ n: params.n }),
    }),
    defineAction({
      id: 'bench_hold',
      name: 'Hold',
      description: 'Runs until the benchmark ends, so a poll sees a job still processing.',
      tags: ['bench'],
      authMode: 'none',
      credits: 1,
      timeoutMs: 600_000,
      params: Type.Object({}, { additionalProperties: false }),
      output: Type.Object({}),
      run: ({ signal }) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(new Error('stopped')));
        }),
    }),
  ],
});

async function bare(): Promise<string> {
  const app = Fastify();
  const body = Type.Object({
    action_id: Type.String(),
    params: Type.Object({ n: Type.Integer() }),
  });
  app.get('/bare', async () => ({ status: 'processing', retry_after_ms: 1000 }));
  app.post('/bare', { schema: { body } }, async (_req, reply) =>
    reply.status(202).send({
      status: 'processing',
      job_id: '00000000-0000-4000-8000-000000000000',
      poll_url: '/v1/wire/jobs/x',
    }),
  );
  return app.listen({ host: '127.0.0.1', port: 0 });
}

async function taskwire(): Promise<{
  url: string;
  key: string;
  jobId: string;
  runningJobId: string;
}> {
  const config = loadConfig({
    TASKWIRE_DATA_DIR: mkdtempSync(join(tmpdir(), 'taskwire-bench-')),
    TASKWIRE_PORT: '0',
    // The benchmark measures throughput, not the limiter.
    TASKWIRE_RATE_LIMIT_PER_MINUTE: '0',
  });
  const app = await createTaskwire({
    config,
    catalogs: [...builtInCatalogs, noop],
    logger: pino({ level: 'warn' }),
  });
  const account = await createAccount(app.store.db, { name: 'bench', credits: 100_000_000 });
  const key = (await createApiKey(app.store.db, account.id)).key;
  const url = await app.listen();
  const job = await app.engine.submit({
    accountId: account.id,
    actionId: 'bench_noop',
    params: { n: 0 },
  });
  const running = await app.engine.submit({
    accountId: account.id,
    actionId: 'bench_hold',
    params: {},
  });
  // Both are polled once settled in their states: the no-op completed, the hold running.
  for (;;) {
    const [done, held] = await Promise.all([
      app.engine.job(account.id, job.id),
      app.engine.job(account.id, running.id),
    ]);
    if (done.status === 'succeeded' && held.status === 'running') break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { url, key, jobId: job.id, runningJobId: running.id };
}

const kind = process.argv[2];
const info = kind === 'bare' ? { url: await bare() } : await taskwire();
process.send?.(info);
