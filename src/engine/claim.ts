// Claiming due jobs for a worker, fairly between accounts and within each account's cap on
// running jobs. SQLite has one writer, so a claim there simply reads and updates. PostgreSQL
// workers claim concurrently: each locks only the accounts it claims for (a transaction-scoped
// advisory lock, tried without waiting, so workers spread over accounts instead of queueing),
// counts their running jobs after taking the lock, and picks the jobs with
// `FOR UPDATE SKIP LOCKED`, all of one claim's jobs in a single UPDATE.
import { type Kysely, sql, type Transaction } from 'kysely';

import {
  type Clock,
  type Database,
  type Dialect,
  isoAfter,
  isoNow,
  type JobRow,
  type Writer,
} from '../store/index.js';
import { touchCredentials } from '../vault/index.js';
import { appendJobLog, appendJobLogs } from './job-log.js';

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
  return write(async (trx) => {
    const claim = { workerId, leaseMs, clock, limit, policy };
    const claimed =
      dialect === 'postgres' ? await claimOnPostgres(trx, claim) : await claimOnSqlite(trx, claim);
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

/** The longest-waiting accounts with due jobs, each with its running count, oldest first. */
async function dueAccounts(trx: Db, now: string): Promise<Waiting[]> {
  const rows = await trx
    .selectFrom('jobs as q')
    .select((eb) => [
      'q.account_id',
      eb.fn.min('q.run_at').as('first'),
      eb
        .selectFrom('jobs as r')
        .select((r) => r.fn.countAll().as('n'))
        .whereRef('r.account_id', '=', 'q.account_id')
        .where('r.status', '=', 'running')
        .as('running'),
    ])
    .where('q.status', '=', 'queued')
    .where('q.run_at', '<=', now)
    .groupBy('q.account_id')
    .orderBy('first')
    .limit(CANDIDATE_ACCOUNTS)
    .execute();
  return rows.map((r) => ({ accountId: r.account_id, running: Number(r.running ?? 0) }));
}

/** The single writer: nothing else claims meanwhile, so read, share out and update. */
async function claimOnSqlite(trx: Transaction<Database>, claim: Claim): Promise<JobRow[]> {
  const { workerId, leaseMs, clock } = claim;
  const now = isoNow(clock);
  const waiting = await dueAccounts(trx, now);
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
      if (row) {
        claimed.push(row);
        await appendJobLog(trx, startedEntry(row, workerId), clock);
      }
    }
  }
  return claimed;
}

/** How many rounds a PostgreSQL claim re-shares slots that accounts locked by others left. */
const LOCK_ROUNDS = 3;

/**
 * Concurrent claimers: lock the accounts this claim will take jobs from, skipping those another
 * worker is claiming for right now (their slots go to the next accounts). If every account it
 * wants is taken, it waits for the first one rather than leave its slots idle. Once an account
 * is locked no one else can start its jobs, so its running count, read by the next statement
 * (a fresh snapshot, after the previous holder's COMMIT), is exact and the cap holds.
 */
async function claimOnPostgres(trx: Transaction<Database>, claim: Claim): Promise<JobRow[]> {
  const { workerId, leaseMs, clock, policy } = claim;
  const now = isoNow(clock);
  const waiting = await dueAccounts(trx, now);
  if (waiting.length === 0) return [];

  const locked = new Set<string>();
  const skipped = new Set<string>();
  let shares = new Map<string, number>();
  let first: string | undefined;
  for (let round = 0; round < LOCK_ROUNDS; round += 1) {
    shares = allocate(
      waiting.filter((w) => !skipped.has(w.accountId)),
      claim.limit,
      policy.perAccount,
    );
    const wanted = [...shares.keys()].filter((a) => !locked.has(a));
    first ??= wanted[0];
    if (wanted.length === 0) break;
    const { rows } = await sql<{ account_id: string }>`
      select a as account_id from unnest(${wanted}::text[]) as t(a)
      where pg_try_advisory_xact_lock(${ACCOUNT_LOCK_SPACE}, hashtext(a))`.execute(trx);
    const got = new Set(rows.map((r) => r.account_id));
    for (const accountId of wanted) (got.has(accountId) ? locked : skipped).add(accountId);
    if (got.size === wanted.length) break;
  }
  if (first === undefined) return []; // every account with work is at its cap
  if (locked.size === 0) {
    // Every account it wants is being claimed for by another worker: queue behind the
    // least-busy one, so these slots start its next jobs as soon as that claim commits.
    await sql`select pg_advisory_xact_lock(${ACCOUNT_LOCK_SPACE}, hashtext(${first}))`.execute(trx);
    locked.add(first);
    shares.set(first, Math.min(claim.limit, policy.perAccount));
  }

  const accounts = [...locked].filter((a) => (shares.get(a) ?? 0) > 0);
  if (accounts.length === 0) return [];
  const wants = accounts.map((a) => shares.get(a)!);
  // The picks are a MATERIALIZED CTE, computed once: as a subquery in FROM the planner may
  // rescan it per joined row, and each rescan would pick (and claim) further jobs.
  const { rows: claimed } = await sql<JobRow>`
    with pick as materialized (
      select p.id
      from unnest(${accounts}::text[], ${wants}::int[]) as s(account_id, want)
      cross join lateral (
        select least(s.want, ${policy.perAccount} - (
          select count(*) from jobs r where r.account_id = s.account_id and r.status = 'running'
        ))::int as n
      ) as free
      cross join lateral (
        select q.id from jobs q
        where q.account_id = s.account_id and q.status = 'queued' and q.run_at <= ${now}
        order by q.run_at, q.created_at
        limit greatest(free.n, 0)
        for update skip locked
      ) as p
    )
    update jobs as j
    set status = 'running', attempts = j.attempts + 1, lease_until = ${isoAfter(leaseMs, clock)},
        worker_id = ${workerId}, started_at = ${now}
    from pick
    where j.id = pick.id and j.status = 'queued'
    returning j.*`.execute(trx);
  await appendJobLogs(
    trx,
    claimed.map((row) => startedEntry(row, workerId)),
    clock,
  );
  return claimed;
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
