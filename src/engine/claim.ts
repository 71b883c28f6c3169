// Claiming due jobs for a worker, fairly between accounts and within each account's cap on
// running jobs. SQLite has one writer, so a claim there simply reads and updates. PostgreSQL
// workers claim concurrently, each claim one statement (its own transaction) that calls
// `taskwire_claim` (migration 0007): it locks only the accounts it claims for (a
// transaction-scoped advisory lock, tried without waiting, so workers spread over accounts
// instead of queueing), counts their running jobs after taking the lock, and picks the jobs with
// `FOR UPDATE SKIP LOCKED`; the statement logs each started attempt with it.
import { type Kysely, sql, type Transaction } from 'kysely';

import {
  type Clock,
  type Database,
  type Dialect,
  isoAfter,
  isoNow,
  type JobRow,
  toJson,
  type Writer,
} from '../store/index.js';
import { touchCredentials } from '../vault/index.js';
import { appendJobLogs, jobLogIds } from './job-log.js';

type Db = Kysely<Database>;

/** How a claim shares the workers between accounts. */
export interface ClaimPolicy {
  /** Jobs one account may have running at once, across every worker. */
  perAccount: number;
}

/** Accounts with due work considered per claim: the longest-waiting ones. */
const CANDIDATE_ACCOUNTS = 200;

/**
 * Names the per-account claim locks among PostgreSQL advisory locks (the two-key form: this,
 * then the hash of the account id). A hash collision only makes two accounts share a lock.
 */
const ACCOUNT_LOCK_SPACE = 7_351_043;

/**
 * Leases up to `limit` due queued jobs to `workerId`, in one transaction, sharing them fairly:
 * accounts with the fewest running jobs go first (then the longest-waiting), one job per
 * account per round, and no account past `policy.perAccount` running jobs. One account's ten
 * thousand queued jobs therefore cannot starve another's one. Claiming also stamps the
 * credentials those jobs will use.
 */
export async function claimJobs(
  write: Writer,
  dialect: Dialect,
  workerId: string,
  leaseMs: number,
  clock: Clock,
  limit: number,
  policy: ClaimPolicy,
): Promise<JobRow[]> {
  const claim = { workerId, leaseMs, clock, limit, policy };
  if (dialect === 'postgres') {
    const claimed = write.statement
      ? await claimOnPostgres(write.statement, claim)
      : await write((trx) => claimOnPostgres(trx, claim));
    // Stamped after the claim commits: a stamp lost to a crash or an error only leaves a
    // credential's `last_used_at` a little stale, and must not fail a claim whose jobs are
    // already leased to this worker.
    const credentialIds = claimed.flatMap((j) => (j.credential_id ? [j.credential_id] : []));
    if (credentialIds.length > 0) {
      await write((trx) => touchCredentials(trx, credentialIds, clock)).catch(() => {});
    }
    return claimed;
  }
  return write(async (trx) => {
    const claimed = await claimOnSqlite(trx, claim);
    const credentialIds = claimed.flatMap((j) => (j.credential_id ? [j.credential_id] : []));
    await touchCredentials(trx, credentialIds, clock);
    return claimed;
  });
}

interface Claim {
  workerId: string;
  leaseMs: number;
  clock: Clock;
  limit: number;
  policy: ClaimPolicy;
}

interface Waiting {
  accountId: string;
  running: number;
}

/**
 * The longest-waiting accounts with due jobs, each with its running count, oldest first. The
 * accounts come from a skip scan of the queued-jobs index (migration 0007): one index probe per
 * account with queued jobs, where grouping the queue would read every queued job on every
 * claim, and a claim comes for every few jobs. SQLite is told the index by name: without
 * statistics its planner prefers another index on `status` and reads the whole queue anyway.
 */
async function dueAccounts(trx: Db, dialect: Dialect, now: string): Promise<Waiting[]> {
  const queuedJobs =
    dialect === 'sqlite' ? sql`jobs as j indexed by jobs_queued_account` : sql`jobs as j`;
  const { rows } = await sql<{ account_id: string; running: number | string }>`
    with recursive queued(account_id) as (
      select min(j.account_id) from ${queuedJobs} where j.status = 'queued'
      union all
      select (
        select min(j.account_id) from ${queuedJobs}
        where j.status = 'queued' and j.account_id > q.account_id
      ) from queued q where q.account_id is not null
    ), firsts as (
      select q.account_id, (
        select min(j.run_at) from ${queuedJobs}
        where j.account_id = q.account_id and j.status = 'queued'
      ) as first
      from queued q where q.account_id is not null
    )
    select f.account_id, (
      select count(*) from jobs r where r.account_id = f.account_id and r.status = 'running'
    ) as running
    from firsts f
    where f.first <= ${now}
    order by f.first
    limit ${CANDIDATE_ACCOUNTS}`.execute(trx);
  return rows.map((r) => ({ accountId: r.account_id, running: Number(r.running) }));
}

/** The single writer: nothing else claims meanwhile, so read, share out and update. */
async function claimOnSqlite(trx: Transaction<Database>, claim: Claim): Promise<JobRow[]> {
  const { workerId, leaseMs, clock } = claim;
  const now = isoNow(clock);
  const waiting = await dueAccounts(trx, 'sqlite', now);
  if (waiting.length === 0) return [];
  const shares = allocate(waiting, claim.limit, claim.policy.perAccount);
  const claimed: JobRow[] = [];
  for (const [accountId, count] of shares) {
    const ids = await trx
      .selectFrom('jobs')
      .select('id')
      .where('status', '=', 'queued')
      .where('account_id', '=', accountId)
      .where('run_at', '<=', now)
      .orderBy('run_at')
      .orderBy('created_at')
      .limit(count)
      .execute();
    // One primary-key update per job: with `id in (...)` SQLite may walk the status index
    // over the whole queue instead.
    for (const { id } of ids) {
      const row = await trx
        .updateTable('jobs')
        .set((eb) => ({
          status: 'running',
          attempts: eb('attempts', '+', 1),
          lease_until: isoAfter(leaseMs, clock),
          worker_id: workerId,
          started_at: now,
        }))
        .where('id', '=', id)
        .where('status', '=', 'queued')
        .returningAll()
        .executeTakeFirst();
      if (row) claimed.push(row);
    }
  }
  await appendJobLogs(
    trx,
    claimed.map((row) => startedEntry(row, workerId)),
    clock,
  );
  return claimed;
}

/**
 * Concurrent claimers, in one statement (`taskwire_claim`, migration 0007): the accounts in
 * fair order with their shares, then the other waiting accounts as stand-ins for slots that
 * accounts locked by another worker's claim leave over. The function locks each account before
 * it counts that account's running jobs, so the cap holds whatever the other workers do; the
 * statement's CTEs log each started attempt in the same implicit transaction.
 */
async function claimOnPostgres(db: Db, claim: Claim): Promise<JobRow[]> {
  const { workerId, leaseMs, clock, limit, policy } = claim;
  const now = isoNow(clock);
  const waiting = await dueAccounts(db, 'postgres', now);
  const shares = allocate(waiting, limit, policy.perAccount);
  if (shares.size === 0) return []; // nothing due, or every account with work is at its cap
  const order = [...shares];
  for (const w of waiting) {
    if (!shares.has(w.accountId) && w.running < policy.perAccount) {
      order.push([w.accountId, policy.perAccount - w.running]);
    }
  }
  const accounts = order.map(([accountId]) => accountId);
  const wants = order.map(([, want]) => want);
  const log = startedLog(limit, workerId, clock);
  const { rows } = await sql<JobRow>`
    with claimed as materialized (
      select * from taskwire_claim(
        ${ACCOUNT_LOCK_SPACE}, ${accounts}::text[], ${wants}::int[], ${limit},
        ${policy.perAccount}, ${now}, ${isoAfter(leaseMs, clock)}, ${workerId})
    ), numbered as (
      select c.*, row_number() over () as n from claimed c
    ), started as (
      insert into job_log (id, job_id, attempt, kind, message, data, at)
      select (${log.ids}::text[])[n], id, attempts, 'started',
        'Attempt ' || attempts || ' of ' || max_attempts || ' started.', ${log.data}, ${log.at}
      from numbered
    )
    select * from claimed`.execute(db);
  return rows;
}

/** The ids, data and time of the 'started' lines of up to `count` attempts (see startedEntry). */
function startedLog(count: number, workerId: string, clock: Clock) {
  const { at, ids } = jobLogIds(count, clock);
  return { at, ids, data: toJson({ worker: workerId }) };
}

const startedEntry = (row: JobRow, workerId: string) => ({
  jobId: row.id,
  attempt: row.attempts,
  kind: 'started' as const,
  message: `Attempt ${row.attempts} of ${row.max_attempts} started.`,
  data: { worker: workerId },
});

/**
 * Splits `limit` slots between accounts round by round: each round gives one slot to every
 * account still under its cap, least-busy first, so shares differ by at most one.
 */
export function allocate(
  accounts: ReadonlyArray<{ accountId: string; running: number }>,
  limit: number,
  perAccount: number,
): Map<string, number> {
  const order = [...accounts].sort((a, b) => a.running - b.running);
  const shares = new Map<string, number>();
  let left = limit;
  for (let progressed = true; left > 0 && progressed;) {
    progressed = false;
    for (const { accountId, running } of order) {
      if (left === 0) break;
      const share = shares.get(accountId) ?? 0;
      if (running + share >= perAccount) continue;
      shares.set(accountId, share + 1);
      left -= 1;
      progressed = true;
    }
  }
  return shares;
}
