// What the multi-process crash tests share: Taskwire child processes tracked and killed by
// PID (their output goes to files under the OS temp dir), the runs `test_block` recorded in
// each process, HTTP submission, and the invariants every crash must leave intact.
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Kysely } from 'kysely';
import { expect } from 'vitest';

import { createAccount, createApiKey } from '../../src/accounts/index.js';
import { reconcile } from '../../src/ledger/index.js';
import type { Database, JobRow } from '../../src/store/index.js';
import type { RunRecord } from '../fixtures/catalogs/test-catalog.js';
import type { Ready, Role } from '../fixtures/processes/taskwire-node.js';

const ENTRY = new URL('../fixtures/processes/taskwire-node.ts', import.meta.url).pathname;
const ROOT = new URL('../..', import.meta.url).pathname;

export interface Child {
  name: string;
  role: Role;
  pid: number;
  /** The API's base URL (roles `api` and `serve`). */
  url: string;
  log: string;
  process: ChildProcess;
  exited: Promise<void>;
}

/**
 * The Taskwire processes of one test run, all on one database. Every child is tracked by PID
 * and `killAll` SIGKILLs whichever are still alive (a stopped one too).
 */
export class Cluster {
  readonly dir: string;
  readonly runsDir: string;
  readonly env: Record<string, string>;
  readonly children: Child[] = [];

  constructor(databaseUrl: string, env: Record<string, string> = {}) {
    this.dir = mkdtempSync(join(tmpdir(), 'taskwire-crash-'));
    this.runsDir = join(this.dir, 'runs');
    mkdirSync(this.runsDir);
    this.env = {
      TASKWIRE_DATABASE_URL: databaseUrl,
      TASKWIRE_DATA_DIR: join(this.dir, 'data'),
      TASKWIRE_MASTER_KEY: randomBytes(32).toString('hex'),
      TASKWIRE_HOST: '127.0.0.1',
      TASKWIRE_PORT: '0',
      TASKWIRE_LEASE_MS: '1000',
      TASKWIRE_POLL_MS: '100',
      TASKWIRE_WORKER_CONCURRENCY: '8',
      TASKWIRE_ACCOUNT_CONCURRENCY: '100',
      TASKWIRE_RATE_LIMIT_PER_MINUTE: '0',
      TASKWIRE_ANON_RATE_LIMIT_PER_MINUTE: '0',
      TASKWIRE_LOG_LEVEL: 'info',
      TASKWIRE_TEST_RUNS_DIR: this.runsDir,
      ...env,
    };
  }

  /** Starts a process and resolves once it is ready (bounded). */
  async start(role: Role, name: string, env: Record<string, string> = {}): Promise<Child> {
    const log = join(this.dir, `${name}.log`);
    const fd = openSync(log, 'a');
    const child = fork(ENTRY, [role], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...this.env, ...env },
      stdio: ['ignore', fd, fd, 'ipc'],
    });
    closeSync(fd);
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    const tracked = { name, role, log, process: child, exited } as Child;
    this.children.push(tracked);
    const ready = await new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name} not ready in 30 s; see ${log}`)),
        30_000,
      );
      child.once('message', (message) => {
        clearTimeout(timer);
        resolve(message as Ready);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code ?? signal}) before it was ready; see ${log}`));
      });
    });
    tracked.pid = ready.pid;
    tracked.url = ready.url ?? '';
    return tracked;
  }

  alive(child: Child): boolean {
    return child.process.exitCode === null && child.process.signalCode === null;
  }

  /** Sends `signal` to one child by its PID. */
  signal(child: Child, signal: NodeJS.Signals): void {
    if (this.alive(child)) process.kill(child.pid, signal);
  }

  /** kill -9, and waits until the process is gone. */
  async kill(child: Child): Promise<void> {
    this.signal(child, 'SIGKILL');
    await child.exited;
  }

  /** SIGTERM (graceful shutdown), then SIGKILL after `graceMs`. */
  async stop(child: Child, graceMs = 5000): Promise<void> {
    if (!this.alive(child)) return;
    this.signal(child, 'SIGCONT');
    this.signal(child, 'SIGTERM');
    const timer = setTimeout(() => this.signal(child, 'SIGKILL'), graceMs);
    await child.exited;
    clearTimeout(timer);
  }

  /** SIGKILLs every child still alive, by PID. */
  async killAll(): Promise<void> {
    await Promise.all(this.children.map((c) => this.kill(c)));
  }

  /** Deletes the logs and runs: called once a test passed (a failure keeps them to read). */
  removeFiles(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Every `test_block` event every process (dead or alive) recorded, in file order. */
  runs(): RunRecord[] {
    return readRuns(this.runsDir);
  }

  /** The runs one process recorded. */
  runsOf(child: Child): RunRecord[] {
    return readRunFile(join(this.runsDir, `runs-${child.pid}.jsonl`));
  }
}

function readRunFile(file: string): RunRecord[] {
  if (!existsSync(file)) return [];
  const records: RunRecord[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      records.push(JSON.parse(line) as RunRecord);
    } catch {
      // A killed process may leave half a line; it recorded nothing whole.
    }
  }
  return records;
}

export function readRuns(dir: string): RunRecord[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readRunFile(join(dir, f)));
}

/** Runs (key + attempt) that started but recorded no end: still going, or cut off by a kill. */
export function unfinished(records: RunRecord[]): RunRecord[] {
  const ended = new Set(
    records.filter((r) => r.event !== 'start').map((r) => `${r.pid}/${r.key}/${r.attempt}`),
  );
  return records.filter((r) => r.event === 'start' && !ended.has(`${r.pid}/${r.key}/${r.attempt}`));
}

export interface TestAccount {
  accountId: string;
  key: string;
  credits: number;
}

export async function createAccounts(
  db: Kysely<Database>,
  credits: readonly number[],
): Promise<TestAccount[]> {
  const accounts: TestAccount[] = [];
  for (const [i, amount] of credits.entries()) {
    const account = await createAccount(db, { name: `crash-${i}`, credits: amount });
    accounts.push({
      accountId: account.id,
      key: (await createApiKey(db, account.id)).key,
      credits: amount,
    });
  }
  return accounts;
}

export interface Response {
  status: number;
  headers: Headers;
  body: any;
}

/** One HTTP request to a node; throws on a network error (a killed node). */
export async function request(
  url: string,
  method: string,
  path: string,
  key: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      'x-api-key': key,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : undefined,
  };
}

/** Runs `task` over `items` with at most `concurrency` at once. */
export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await task(items[index]!, index);
      }
    }),
  );
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` holds; throws after `timeoutMs`. */
export async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await sleep(everyMs);
  }
}

/** Jobs not yet terminal. */
export async function unsettled(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('status', 'in', ['queued', 'running'])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** What a submitted `test_block` job should end as. */
export interface Expected {
  key: string;
  accountId: string;
  jobId: string;
  fail: boolean;
}

export interface Verdict {
  jobs: number;
  succeeded: number;
  failed: number;
  /** Jobs with an attempt cut off by the kill. */
  interrupted: number;
  /** Jobs that ran more than once (retries after a block or a kill). */
  reran: number;
  /** Runs that recorded success in a process that was then killed before settling. */
  lostSuccesses: number;
}

/**
 * The crash invariants, over the database and the runs every process recorded:
 * - every submitted job exists once, and every job is succeeded or failed, as its params say;
 * - no two processes ran the same attempt, no run started after its job completed, no run is
 *   numbered past the job's attempts;
 * - a succeeded job has exactly one successful run outside the killed processes, and it is
 *   the one whose result was stored; a run by a surviving process that did not end the job
 *   was a block (a retry); runs of the killed processes are the only other repeats;
 * - money: one debit per job; one refund per failed job and none per succeeded job; for every
 *   account balance = grants − debits + refunds ≥ 0, and = its grants − the cost of its
 *   succeeded jobs.
 */
export async function verifyCrash(
  db: Kysely<Database>,
  expected: readonly Expected[],
  records: readonly RunRecord[],
  killedPids: ReadonlySet<number>,
): Promise<Verdict> {
  const jobs = await db.selectFrom('jobs').selectAll().execute();
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const problems: string[] = [];
  const problem = (job: JobRow | undefined, what: string): void => {
    if (problems.length < 20) problems.push(`${job?.id ?? '?'}: ${what}`);
  };

  expect(jobs.length).toBe(expected.length);
  const statuses = countBy(jobs, (j) => j.status);
  expect(statuses.get('queued') ?? 0).toBe(0);
  expect(statuses.get('running') ?? 0).toBe(0);

  const runsByKey = new Map<string, RunRecord[]>();
  for (const record of records) {
    const list = runsByKey.get(record.key) ?? [];
    list.push(record);
    runsByKey.set(record.key, list);
  }

  const entries = await db.selectFrom('ledger_entries').selectAll().execute();
  const ledgerByJob = new Map<string, typeof entries>();
  for (const entry of entries) {
    if (!entry.job_id) continue;
    const list = ledgerByJob.get(entry.job_id) ?? [];
    list.push(entry);
    ledgerByJob.set(entry.job_id, list);
  }

  const verdict: Verdict = {
    jobs: jobs.length,
    succeeded: 0,
    failed: 0,
    interrupted: 0,
    reran: 0,
    lostSuccesses: 0,
  };
  for (const want of expected) {
    const job = byId.get(want.jobId);
    if (!job) {
      problem(undefined, `job ${want.jobId} (${want.key}) is missing`);
      continue;
    }
    const params = JSON.parse(job.params) as { key: string };
    if (params.key !== want.key || job.account_id !== want.accountId) {
      problem(job, `is not the job submitted as ${want.key}`);
    }
    if (job.status === 'succeeded') verdict.succeeded += 1;
    else verdict.failed += 1;
    if (want.fail && !(job.status === 'failed' && job.error_message === 'Failed on purpose.')) {
      problem(job, `should have failed on purpose, is ${job.status} ${job.error_message}`);
    }
    if (!want.fail && job.status !== 'succeeded') {
      problem(
        job,
        `should have succeeded, is ${job.status} ${job.error_code} ${job.error_message}`,
      );
    }
    const completedAt = Date.parse(job.completed_at ?? '');
    const runs = runsByKey.get(want.key) ?? [];
    const starts = runs.filter((r) => r.event === 'start');
    if (new Set(starts.map((r) => r.attempt)).size !== starts.length) {
      problem(job, `an attempt ran twice: ${JSON.stringify(starts)}`);
    }
    if (starts.length > 1) verdict.reran += 1;
    for (const start of starts) {
      if (start.attempt > job.attempts)
        problem(job, `ran attempt ${start.attempt} of ${job.attempts}`);
      if (!(start.at <= completedAt))
        problem(job, `attempt ${start.attempt} started after completion`);
      const end = runs.find(
        (r) => r.event !== 'start' && r.attempt === start.attempt && r.pid === start.pid,
      );
      const killed = killedPids.has(start.pid);
      if (killed && !end) verdict.interrupted += 1;
      if (killed) continue;
      if (!end) problem(job, `attempt ${start.attempt} in live process ${start.pid} never ended`);
      else if (start.attempt < job.attempts && end.event !== 'blocked') {
        problem(
          job,
          `attempt ${start.attempt} by live ${start.pid} ended ${end.event} but was not the last`,
        );
      }
    }
    // The successful run whose result was stored, and any others: those may only be runs a
    // kill cut off between the action's success and the settle's COMMIT.
    const dones = runs.filter((r) => r.event === 'done');
    const data = JSON.parse(job.data ?? '{}') as { attempt?: number; pid?: number };
    const stored =
      job.status === 'succeeded'
        ? dones.find((r) => r.pid === data.pid && r.attempt === data.attempt)
        : undefined;
    if (job.status === 'succeeded' && (!stored || stored.attempt !== job.attempts)) {
      problem(job, `stored result ${job.data} is not a successful run of its last attempt`);
    }
    for (const done of dones) {
      if (done === stored) continue;
      if (!killedPids.has(done.pid)) problem(job, `a second successful run by live ${done.pid}`);
      else verdict.lostSuccesses += 1;
    }

    const ledger = ledgerByJob.get(job.id) ?? [];
    const debits = ledger.filter((e) => e.kind === 'debit');
    const refunds = ledger.filter((e) => e.kind === 'refund');
    if (debits.length !== 1 || debits[0]!.amount !== -job.credits_reserved) {
      problem(job, `debits ${JSON.stringify(debits)}`);
    }
    const wantRefunds = job.status === 'failed' ? 1 : 0;
    if (
      refunds.length !== wantRefunds ||
      (wantRefunds === 1 && refunds[0]!.amount !== job.credits_reserved)
    ) {
      problem(job, `${job.status} with refunds ${JSON.stringify(refunds)}`);
    }
    if (ledger.length !== debits.length + refunds.length) problem(job, 'unexpected ledger kinds');
  }
  expect(problems).toEqual([]);

  expect(await reconcile(db)).toEqual([]);
  const accounts = await db.selectFrom('accounts').selectAll().execute();
  for (const account of accounts) {
    expect(account.balance).toBeGreaterThanOrEqual(0);
    const granted = entries
      .filter((e) => e.account_id === account.id && e.kind === 'grant')
      .reduce((sum, e) => sum + e.amount, 0);
    const spent = jobs
      .filter((j) => j.account_id === account.id && j.status === 'succeeded')
      .reduce((sum, j) => sum + j.credits_reserved, 0);
    expect(account.balance).toBe(granted - spent);
  }
  return verdict;
}

function countBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, number> {
  const counts = new Map<K, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** The job mix of the crash tests: quick, slow, failing, and blocked-then-succeeding. */
export function jobParams(
  index: number,
  prefix: string,
): { key: string; ms: number; blocks?: number; fail?: boolean } {
  const key = `${prefix}-${index}`;
  const r = index % 20;
  const jitter = (index * 7919) % 251; // deterministic spread, 0–250
  if (r < 9) return { key, ms: 0 }; // 45% quick
  if (r < 15) return { key, ms: 50 + jitter }; // 30% 50–300 ms
  if (r < 17) return { key, ms: jitter % 50, fail: true }; // 10% fail
  return { key, ms: jitter % 100, blocks: 1 }; // 15% blocked once, then succeed
}
