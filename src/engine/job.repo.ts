// SQL for the jobs table. Every write after the claim is fenced by the attempt number, so a
// worker that lost its lease can no longer change the job.
import { type Kysely, sql } from 'kysely';

import {
  type Clock,
  type Database,
  type Dialect,
  isoAfter,
  isoNow,
  type JobRow,
  type JobStatus,
  type Writer,
} from '../store/index.js';
import { touchCredentials } from '../vault/index.js';
import { appendJobLog } from './job-log.js';

type Db = Kysely<Database>;

export async function insertJob(db: Db, row: JobRow): Promise<void> {
  await db.insertInto('jobs').values(row).execute();
}

/** The caller's job; someone else's id reads exactly like an unknown one. */
export async function findJob(db: Db, accountId: string, id: string): Promise<JobRow | undefined> {
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
}

export interface JobFilter {
  page: number;
  limit: number;
  catalog?: string;
  status?: JobStatus[];
  search?: string;
}

export async function listJobs(
  db: Db,
  accountId: string,
  filter: JobFilter,
): Promise<{ rows: JobRow[]; total: number }> {
  let query = db.selectFrom('jobs').where('account_id', '=', accountId);
  if (filter.catalog) query = query.where('catalog_slug', '=', filter.catalog);
  if (filter.status && filter.status.length > 0) query = query.where('status', 'in', filter.status);
  if (filter.search) {
    const like = `%${filter.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([
        eb(sql<string>`lower(action_id)`, 'like', sql<string>`${like} escape '\\'`),
        eb(sql<string>`lower(params)`, 'like', sql<string>`${like} escape '\\'`),
        eb(
          sql<string>`lower(coalesce(error_message, ''))`,
          'like',
          sql<string>`${like} escape '\\'`,
        ),
      ]),
    );
  }
  const [rows, count] = await Promise.all([
    query
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit)
      .offset((filter.page - 1) * filter.limit)
      .execute(),
    query.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Job counts by stored status for one account. */
export async function countByStatus(db: Db, accountId: string): Promise<Record<JobStatus, number>> {
  const rows = await db
    .selectFrom('jobs')
    .select(['status', (eb) => eb.fn.countAll().as('n')])
    .where('account_id', '=', accountId)
    .groupBy('status')
    .execute();
  const counts: Record<JobStatus, number> = { queued: 0, running: 0, succeeded: 0, failed: 0 };
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

/** How a claim shares the workers between accounts. */
export interface ClaimPolicy {
  /** Jobs one account may have running at once, across every worker. */
  perAccount: number;
}

/** Accounts with due work considered per claim: the longest-waiting ones. */
const CANDIDATE_ACCOUNTS = 200;

/**
 * Leases up to `limit` due queued jobs to `workerId`, in one transaction, sharing them fairly:
 * accounts with the fewest running jobs go first (then the longest-waiting), one job per
 * account per round, and no account past `policy.perAccount` running jobs. One account's ten
 * thousand queued jobs therefore cannot starve another's one. On PostgreSQL claims take a
 * transaction-scoped advisory lock so concurrent workers count running jobs consistently.
 * Claiming also stamps the credentials those jobs will use.
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
    if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${CLAIM_LOCK})`.execute(trx);
    const now = isoNow(clock);
    const waiting = await trx
      .selectFrom('jobs')
      .select(['account_id', (eb) => eb.fn.min('run_at').as('first')])
      .where('status', '=', 'queued')
      .where('run_at', '<=', now)
      .groupBy('account_id')
      .orderBy('first')
      .limit(CANDIDATE_ACCOUNTS)
      .execute();
    if (waiting.length === 0) return [];
    const running = new Map(
      (
        await trx
          .selectFrom('jobs')
          .select(['account_id', (eb) => eb.fn.countAll().as('n')])
          .where('status', '=', 'running')
          .where(
            'account_id',
            'in',
            waiting.map((w) => w.account_id),
          )
          .groupBy('account_id')
          .execute()
      ).map((r) => [r.account_id, Number(r.n)]),
    );
    const shares = allocate(
      waiting.map((w) => ({ accountId: w.account_id, running: running.get(w.account_id) ?? 0 })),
      limit,
      policy.perAccount,
    );
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
          await appendJobLog(
            trx,
            {
              jobId: row.id,
              attempt: row.attempts,
              kind: 'started',
              message: `Attempt ${row.attempts} of ${row.max_attempts} started.`,
              data: { worker: workerId },
            },
            clock,
          );
        }
      }
    }
    const credentialIds = claimed.flatMap((j) => (j.credential_id ? [j.credential_id] : []));
    await touchCredentials(trx, credentialIds, clock);
    return claimed;
  });
}

/** Arbitrary constant naming the claim lock among PostgreSQL advisory locks. */
const CLAIM_LOCK = 7_351_042;

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

/** Where a queued job stands in its account's queue: 1 is next. */
export async function queuePosition(
  db: Db,
  job: Pick<JobRow, 'id' | 'account_id' | 'run_at' | 'created_at'>,
): Promise<number> {
  const row = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('account_id', '=', job.account_id)
    .where('status', '=', 'queued')
    .where((eb) =>
      eb.or([
        eb('run_at', '<', job.run_at),
        eb.and([eb('run_at', '=', job.run_at), eb('created_at', '<', job.created_at)]),
        eb.and([
          eb('run_at', '=', job.run_at),
          eb('created_at', '=', job.created_at),
          eb('id', '<', job.id),
        ]),
      ]),
    )
    .executeTakeFirstOrThrow();
  return Number(row.n) + 1;
}

/** Extends a running job's lease; false means the lease was lost and the attempt must stop. */
export async function renewLease(
  write: Writer,
  job: Pick<JobRow, 'id' | 'attempts'>,
  leaseMs: number,
  clock: Clock,
): Promise<boolean> {
  const result = await write((trx) =>
    trx
      .updateTable('jobs')
      .set({ lease_until: isoAfter(leaseMs, clock) })
      .where('id', '=', job.id)
      .where('attempts', '=', job.attempts)
      .where('status', '=', 'running')
      .executeTakeFirst(),
  );
  return Number(result.numUpdatedRows) === 1;
}

/** Running jobs whose lease has lapsed: their worker died or stalled. */
export async function expiredLeases(db: Db, clock: Clock): Promise<JobRow[]> {
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('status', '=', 'running')
    .where('lease_until', '<', isoNow(clock))
    .limit(100)
    .execute();
}

/** When the earliest queued job is due, or undefined when none is queued. */
export async function nextRunAt(db: Db): Promise<string | undefined> {
  const row = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.min('run_at').as('run_at'))
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return row?.run_at ?? undefined;
}
