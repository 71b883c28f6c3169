// The job engine end to end, against a minimal hand-written claim loop on the same database
// (bench/claim-baseline.ts), on SQLite and, when it is reachable, PostgreSQL. Two figures:
// - throughput: N no-op jobs submitted through the engine (each a durable debit + job insert)
//   by C concurrent submitters while K worker slots claim, run and settle them; jobs per second
//   from the first submit to the last settle, and the ratio to the baseline doing the same;
// - submit-to-running latency: jobs submitted one every few ms to idle workers; from the
//   submit's COMMIT (when `submit` resolves) to the claim's `started_at`, p50 and p99.
// Configurations: SQLite with the in-process worker (the default deployment); PostgreSQL with
// the in-process worker; PostgreSQL with the worker in another process (`taskwire worker`,
// woken by LISTEN/NOTIFY). Targets: ≥ 0.5× the baseline's jobs/s; p50 ≤ 5 ms on SQLite and
// ≤ 10 ms on PostgreSQL.
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

import pino from 'pino';
import pg from 'pg';

import { createAccount } from '../src/accounts/index.js';
import { createTaskwire, type Taskwire } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { testCatalog } from '../test/fixtures/catalogs/test-catalog.js';
import {
  type Baseline,
  postgresBaseline,
  type QueueRun,
  sqliteBaseline,
} from './claim-baseline.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 3000);
const LATENCY_JOBS = Number(process.env.BENCH_LATENCY_JOBS ?? 300);
const PACE_MS = 10;
const SUBMITTERS = Number(process.env.BENCH_SUBMITTERS ?? 16);
const SLOTS = Number(process.env.BENCH_SLOTS ?? 8);
const POSTGRES_ADMIN_URL =
  process.env.TASKWIRE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const WORKER_ENTRY = new URL('../test/fixtures/processes/taskwire-node.ts', import.meta.url)
  .pathname;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// PostgreSQL statements this process sends (every pg client goes through this prototype), so
// the report can say how much SQL a job costs; the baseline's connections are counted too but
// not during Taskwire's runs.
let statements = 0;
const client = pg.Client.prototype as unknown as {
  query: (this: pg.Client, ...args: unknown[]) => unknown;
};
const query = client.query;
client.query = function (this: pg.Client, ...args: unknown[]) {
  statements += 1;
  return query.apply(this, args);
};

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

interface Deployment {
  name: string;
  dialect: 'sqlite' | 'postgres';
  url: string;
  /** The worker runs in another process (`taskwire worker`). */
  remoteWorker: boolean;
}

const env = (url: string, dir: string, worker: boolean): Record<string, string> => ({
  TASKWIRE_DATABASE_URL: url,
  TASKWIRE_DATA_DIR: dir,
  TASKWIRE_MASTER_KEY: '11'.repeat(32),
  TASKWIRE_WORKER: String(worker),
  TASKWIRE_WORKER_CONCURRENCY: String(SLOTS),
  TASKWIRE_ACCOUNT_CONCURRENCY: String(SLOTS),
  TASKWIRE_LOG_LEVEL: 'warn',
});

async function startWorkerProcess(vars: Record<string, string>): Promise<ChildProcess> {
  const child = fork(WORKER_ENTRY, ['worker'], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...vars },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
  return child;
}

/** Waits until no job is queued or running. */
async function drained(taskwire: Taskwire): Promise<void> {
  for (;;) {
    const row = await taskwire.store.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirstOrThrow();
    if (Number(row.n) === 0) return;
    await sleep(5);
  }
}

interface EngineRun extends QueueRun {
  /** CPU time of this process per job (with an in-process worker: submit, claim, settle). */
  cpuMsPerJob: number;
  /** PostgreSQL statements this process sent per job. */
  statementsPerJob: number;
}

async function taskwireRun(
  taskwire: Taskwire,
  accountId: string,
  jobs: number,
  paceMs?: number,
): Promise<EngineRun> {
  const committed = new Map<string, number>();
  const submit = async (n: number): Promise<void> => {
    const job = await taskwire.engine.submit({ accountId, actionId: 'test_noop', params: { n } });
    committed.set(job.id, Date.now());
  };
  const cpu0 = process.cpuUsage();
  const statements0 = statements;
  const t0 = performance.now();
  if (paceMs !== undefined) {
    for (let i = 0; i < jobs; i++) {
      await submit(i);
      await sleep(paceMs);
    }
  } else {
    let next = 0;
    await Promise.all(
      Array.from({ length: SUBMITTERS }, async () => {
        while (next < jobs) await submit(next++);
      }),
    );
  }
  await drained(taskwire);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuMsPerJob = (cpu.user + cpu.system) / 1000 / jobs;
  const statementsPerJob = (statements - statements0) / jobs;
  const rows = await taskwire.store.db
    .selectFrom('jobs')
    .select(['id', 'started_at', 'status'])
    .where('id', 'in', [...committed.keys()].slice(0, 30_000))
    .execute();
  const failed = rows.filter((r) => r.status !== 'succeeded').length;
  if (failed > 0) throw new Error(`${failed} benchmark jobs did not succeed`);
  // A claim can begin before the submitter has heard its COMMIT back: that counts as 0.
  const latencies = rows.map((r) => Math.max(0, Date.parse(r.started_at!) - committed.get(r.id)!));
  return { jobsPerSecond: jobs / seconds, latencies, cpuMsPerJob, statementsPerJob };
}

interface Row {
  deployment: string;
  dialect: 'sqlite' | 'postgres';
  taskwire: EngineRun;
  taskwireLatency: EngineRun;
  baseline: QueueRun;
  baselineLatency: QueueRun;
}

async function measure(deployment: Deployment, dir: string): Promise<Row> {
  const vars = env(deployment.url, dir, !deployment.remoteWorker);
  const taskwire = await createTaskwire({
    config: loadConfig(vars),
    catalogs: [testCatalog],
    logger: pino({ level: 'warn' }),
  });
  let worker: ChildProcess | undefined;
  try {
    const account = await createAccount(taskwire.store.db, { name: 'bench', credits: 100_000_000 });
    if (deployment.remoteWorker)
      worker = await startWorkerProcess({ ...vars, TASKWIRE_WORKER: 'true' });
    else taskwire.work();
    await sleep(300); // the LISTEN connection, on PostgreSQL
    // Warm-up: JIT, statement caches, connections.
    await taskwireRun(taskwire, account.id, Math.min(300, JOBS));
    const throughput = await taskwireRun(taskwire, account.id, JOBS);
    const latency = await taskwireRun(taskwire, account.id, LATENCY_JOBS, PACE_MS);
    // The baseline runs alone: Taskwire's workers are idle (nothing is queued).
    const baseline: Baseline =
      deployment.dialect === 'sqlite'
        ? sqliteBaseline(deployment.url.slice('sqlite:'.length))
        : await postgresBaseline(deployment.url, SLOTS + SUBMITTERS);
    try {
      await baseline.run(Math.min(300, JOBS), SUBMITTERS, SLOTS);
      const baseThroughput = await baseline.run(JOBS, SUBMITTERS, SLOTS);
      const baseLatency = await baseline.run(LATENCY_JOBS, SUBMITTERS, SLOTS, PACE_MS);
      return {
        deployment: deployment.name,
        dialect: deployment.dialect,
        taskwire: throughput,
        taskwireLatency: latency,
        baseline: baseThroughput,
        baselineLatency: baseLatency,
      };
    } finally {
      await baseline.close();
    }
  } finally {
    worker?.kill('SIGTERM');
    await taskwire.close();
    if (worker && worker.exitCode === null) await new Promise((r) => worker!.once('exit', r));
  }
}

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({
    connectionString: POSTGRES_ADMIN_URL,
    connectionTimeoutMillis: 2000,
  });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

async function withAdmin(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

const rows: Row[] = [];
const dir = mkdtempSync(join(tmpdir(), 'taskwire-engine-bench-'));
try {
  rows.push(
    await measure(
      {
        name: 'SQLite, in-process worker',
        dialect: 'sqlite',
        url: `sqlite:${join(dir, 'bench.db')}`,
        remoteWorker: false,
      },
      dir,
    ),
  );
  if (await postgresReachable()) {
    for (const remoteWorker of [false, true]) {
      const name = `taskwire_bench_${randomBytes(5).toString('hex')}`;
      await withAdmin(`create database ${name}`);
      try {
        rows.push(
          await measure(
            {
              name: remoteWorker
                ? 'PostgreSQL, worker process (NOTIFY)'
                : 'PostgreSQL, in-process worker',
              dialect: 'postgres',
              url: POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`),
              remoteWorker,
            },
            dir,
          ),
        );
      } finally {
        // Pool sockets close a moment after the pool has ended.
        await sleep(300);
        await withAdmin(`drop database if exists ${name} with (force)`);
      }
    }
  } else {
    console.warn(`PostgreSQL not reachable at ${POSTGRES_ADMIN_URL}: SQLite only.`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const f = (n: number, digits = 0): string => n.toFixed(digits);
console.log(
  `\nEngine throughput: ${JOBS} no-op jobs, ${SUBMITTERS} submitters, ${SLOTS} worker slots; ` +
    `latency: ${LATENCY_JOBS} jobs one per ${PACE_MS} ms. ${cpus().length} CPUs, Node ${process.version}\n`,
);
console.log(
  '| deployment | Taskwire jobs/s | baseline jobs/s | ratio | submit→running p50 / p99 ms | baseline p50 / p99 ms | CPU ms/job | SQL statements/job | targets |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
let allMet = true;
for (const row of rows) {
  const ratio = row.taskwire.jobsPerSecond / row.baseline.jobsPerSecond;
  const p50 = percentile(row.taskwireLatency.latencies, 50);
  const p99 = percentile(row.taskwireLatency.latencies, 99);
  const limit = row.dialect === 'sqlite' ? 5 : 10;
  const met = ratio >= 0.5 && p50 <= limit;
  allMet &&= met;
  const sqlPerJob = row.dialect === 'postgres' ? f(row.taskwire.statementsPerJob, 1) : '—';
  console.log(
    `| ${row.deployment} | ${f(row.taskwire.jobsPerSecond)} | ${f(row.baseline.jobsPerSecond)} | ${f(ratio, 2)}× | ` +
      `${p50} / ${p99} | ${percentile(row.baselineLatency.latencies, 50)} / ${percentile(row.baselineLatency.latencies, 99)} | ` +
      `${f(row.taskwire.cpuMsPerJob, 2)} | ${sqlPerJob} | ` +
      `${ratio >= 0.5 ? 'met' : 'NOT met'} ≥ 0.5×; ${p50 <= limit ? 'met' : 'NOT met'} p50 ≤ ${limit} ms |`,
  );
}
console.log(
  `\nTargets (≥ 0.5× baseline jobs/s; p50 ≤ 5 ms SQLite, ≤ 10 ms PostgreSQL): ${allMet ? 'met' : 'NOT all met'}`,
);
