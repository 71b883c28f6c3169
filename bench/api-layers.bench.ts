// Where a poll's time goes: the same Taskwire server (embedded default, SQLite) answering
// routes that each add one layer of what `GET /v1/wire/jobs/{id}` does, measured with
// autocannon like `npm run bench`. Read the drop from one row to the next as that layer's cost.
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import autocannon from 'autocannon';
import pino from 'pino';

import { createAccount, createApiKey, createKeyVerifier } from '../src/accounts/index.js';
import { builtInCatalogs } from '../src/actions/index.js';
import { createAuth } from '../src/api/auth.js';
import { createTaskwire } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';

const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

interface Target {
  url: string;
  key: string;
  jobId: string;
}

/** The server, in its own process: Taskwire plus one route per layer. */
async function serve(): Promise<Target> {
  const config = loadConfig({
    TASKWIRE_DATA_DIR: mkdtempSync(join(tmpdir(), 'taskwire-layers-')),
    TASKWIRE_PORT: '0',
    // The limiter is a layer of its own, measured by the last two rows.
    TASKWIRE_RATE_LIMIT_PER_MINUTE: process.env.LAYERS_LIMITED ? '100000000' : '0',
    TASKWIRE_ANON_RATE_LIMIT_PER_MINUTE: process.env.LAYERS_LIMITED ? '100000000' : '0',
  });
  const app = await createTaskwire({
    config,
    catalogs: builtInCatalogs,
    logger: pino({ level: 'warn' }),
  });
  const account = await createAccount(app.store.db, { name: 'layers', credits: 10 });
  const key = (await createApiKey(app.store.db, account.id)).key;
  // A settled job to read, without a worker or a website: cancelled while queued.
  const queued = await app.engine.submit({
    accountId: account.id,
    actionId: 'web_scrape',
    params: { url: 'https://example.com' },
  });
  const job = await app.engine.cancel(account.id, queued.id);
  const auth = createAuth(app.store.db, createKeyVerifier(app.store.db, app.store.dataVersion));
  const response = { 200: { type: 'object', properties: { status: { type: 'string' } } } };
  void app.server.register(async (layers) => {
    layers.get('/layers/plain', { schema: { response } }, async () => ({ status: 'ok' }));
    layers.get('/layers/auth', { preHandler: auth.required, schema: { response } }, async () => ({
      status: 'ok',
    }));
    layers.get('/layers/job', { preHandler: auth.required, schema: { response } }, async (req) => {
      const row = await app.engine.poll(req.principal!.accountId, job.id);
      return { status: row.status };
    });
    layers.get(
      '/layers/job-files',
      { preHandler: auth.required, schema: { response } },
      async (req) => {
        const row = await app.engine.poll(req.principal!.accountId, job.id);
        await app.engine.files(row);
        return { status: row.status };
      },
    );
  });
  const url = await app.listen();
  return { url, key, jobId: job.id };
}

async function measure(): Promise<void> {
  const rows: Array<[string, number]> = [];
  for (const limited of [false, true]) {
    const child = fork(new URL(import.meta.url).pathname, ['serve'], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...(limited ? { LAYERS_LIMITED: '1' } : {}) },
    });
    const target = await new Promise<Target>((resolve) =>
      child.once('message', (m) => resolve(m as Target)),
    );
    const paths = limited
      ? ['/layers/plain', `/v1/wire/jobs/${target.jobId}`]
      : [
          '/layers/plain',
          '/layers/auth',
          '/layers/job',
          '/layers/job-files',
          `/v1/wire/jobs/${target.jobId}`,
        ];
    const options = (path: string) => ({
      url: `${target.url}${path}`,
      headers: { 'x-api-key': target.key },
      connections: CONNECTIONS,
    });
    // Every route warmed before any is measured, so none is measured while the JIT and the
    // sockets are still settling.
    for (const path of paths) await autocannon({ ...options(path), duration: 2 });
    for (const path of paths) {
      const result = await autocannon({ ...options(path), duration: DURATION });
      if (result.non2xx > 0) throw new Error(`${path}: ${result.non2xx} non-2xx answers`);
      const name = `${path.startsWith('/v1/') ? 'GET /v1/wire/jobs/{id}' : path}${limited ? ', rate limiter on' : ''}`;
      rows.push([name, result.requests.average]);
    }
    child.kill('SIGKILL');
  }
  console.log(`\nPoll layers, ${DURATION}s per route, ${CONNECTIONS} connections, loopback\n`);
  console.log('| route | what it adds | req/s | µs per request |');
  console.log('|---|---|---|---|');
  const adds: Record<string, string> = {
    '/layers/plain': "Taskwire's Fastify instance, hooks and logger",
    '/layers/auth': 'API key verification',
    '/layers/job': "reading the caller's job",
    '/layers/job-files': "reading the job's files",
  };
  for (const [name, rps] of rows) {
    const what = name.endsWith('rate limiter on')
      ? 'the same with `@fastify/rate-limit` counting every request'
      : (adds[name] ?? 'the real route: validation, body, response schema');
    console.log(`| ${name} | ${what} | ${Math.round(rps)} | ${(1e6 / rps).toFixed(1)} |`);
  }
}

if (process.argv[2] === 'serve') process.send?.(await serve());
else await measure();
