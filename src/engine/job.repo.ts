// SQL for the jobs table. Every write after the claim is fenced by the attempt number, so a
// worker that lost its lease can no longer change the job.
import { type Kysely, sql } from 'kysely';

import {
  type Clock,
  type Database,
  isoAfter,
  isoNow,
  type JobRow,
  prepared,
  type JobStatus,
  type Writer,
} from '../store/index.js';

type Db = Kysely<Database>;

export async function insertJob(db: Db, row: JobRow): Promise<void> {
  await db.insertInto('jobs').values(row).execute();
}

const selectJob = prepared((db, args: { id: string; accountId: string }) =>
  db
    .selectFrom('jobs')
    .selectAll()
    .where('id', '=', args.id)
    .where('account_id', '=', args.accountId),
);

/** The caller's job; someone else's id reads exactly like an unknown one. */
export async function findJob(db: Db, accountId: string, id: string): Promise<JobRow | undefined> {
  const [row] = await selectJob(db, { id, accountId });
  return row;
}

/** What `GET /jobs/{id}` reads of a job: its Wire body, and its place in its account's queue. */
export type PolledJob = Pick<
  JobRow,
  | 'id'
  | 'account_id'
  | 'status'
  | 'run_at'
  | 'created_at'
  | 'data'
  | 'credits_used'
  | 'execution_ms'
  | 'error_code'
  | 'error_message'
>;

// Only the columns a poll needs: turning a whole row's 23 columns into an object cost more
// than the lookup itself.
const selectPolledJob = prepared((db, args: { id: string; accountId: string }) =>
  db
    .selectFrom('jobs')
    .select([
      'id',
      'account_id',
      'status',
      'run_at',
      'created_at',
      'data',
      'credits_used',
      'execution_ms',
      'error_code',
      'error_message',
    ])
    .where('id', '=', args.id)
    .where('account_id', '=', args.accountId),
);

/** The caller's job as a poll reads it; someone else's id reads like an unknown one. */
export async function findPolledJob(
  db: Db,
  accountId: string,
  id: string,
): Promise<PolledJob | undefined> {
  const [row] = await selectPolledJob(db, { id, accountId });
  return row;
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

// Claiming lives in claim.ts; re-exported for the callers that read the jobs table here.
export { allocate, type ClaimPolicy, claimJobs } from './claim.js';

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
