// The job log: lifecycle steps written inside the transactions that make them happen, and
// the action's `ctx.log` lines. Secrets never get here: action messages are scrubbed before.
import { randomUUID } from 'node:crypto';

import { type Kysely, type RawBuilder, sql } from 'kysely';

import {
  type Clock,
  type Database,
  fromJson,
  isoNow,
  type JobLogKind,
  type JobLogRow,
  toJson,
} from '../store/index.js';

type Db = Kysely<Database>;

export interface JobLogEntry {
  jobId: string;
  attempt: number | null;
  kind: JobLogKind;
  message: string;
  data?: Record<string, unknown>;
}

let sequence = 0;

/**
 * Ids sort in the order entries were written (time, then a per-process counter), so lines
 * logged within one millisecond keep their order.
 */
const entryId = (at: string): string =>
  `${at}:${(sequence++ % 1e8).toString().padStart(8, '0')}:${randomUUID().slice(0, 8)}`;

/** Appends one entry; pass the transaction that made it true, so both commit together. */
export async function appendJobLog(db: Db, entry: JobLogEntry, clock: Clock): Promise<void> {
  await appendJobLogs(db, [entry], clock);
}

/** Appends several entries (one claim's starts) in one statement, in the order given. */
export async function appendJobLogs(
  db: Db,
  entries: readonly JobLogEntry[],
  clock: Clock,
): Promise<void> {
  if (entries.length === 0) return;
  await db.insertInto('job_log').values(jobLogRows(entries, clock)).execute();
}

/**
 * PostgreSQL: an INSERT, for a CTE, that writes `entries` once for each row of the CTE named
 * `source` (none when it has no row), so a line commits with the write that makes it true in
 * one statement.
 */
export function jobLogInsertIf(
  source: string,
  entries: readonly JobLogEntry[],
  clock: Clock,
): RawBuilder<unknown> {
  const columns = ['id', 'job_id', 'attempt', 'kind', 'message', 'data', 'at'] as const;
  return sql`insert into job_log (${sql.join(columns.map((c) => sql.id(c)))})
    select ${sql.join(columns.map((c) => sql.id('r', c)))}
    from ${sql.id(source)},
      json_populate_recordset(null::job_log, ${JSON.stringify(jobLogRows(entries, clock))}::json) as r`;
}

/** `count` entry ids for lines written at one time, in order, for SQL that writes the lines. */
export function jobLogIds(count: number, clock: Clock): { at: string; ids: string[] } {
  const at = isoNow(clock);
  return { at, ids: Array.from({ length: count }, () => entryId(at)) };
}

/** The rows of `entries`, for a statement that writes them along with something else. */
export function jobLogRows(entries: readonly JobLogEntry[], clock: Clock): JobLogRow[] {
  const at = isoNow(clock);
  return entries.map((entry) => ({
    id: entryId(at),
    job_id: entry.jobId,
    attempt: entry.attempt,
    kind: entry.kind,
    message: entry.message.slice(0, 2000),
    data: entry.data && Object.keys(entry.data).length > 0 ? toJson(entry.data) : null,
    at,
  }));
}

export interface JobLogView {
  at: string;
  kind: JobLogKind;
  attempt?: number;
  message: string;
  data?: Record<string, unknown>;
}

/** A job's log, oldest first (at most `limit` entries). */
export async function readJobLog(db: Db, jobId: string, limit = 500): Promise<JobLogView[]> {
  const rows: JobLogRow[] = await db
    .selectFrom('job_log')
    .selectAll()
    .where('job_id', '=', jobId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    at: r.at,
    kind: r.kind,
    message: r.message,
    ...(r.attempt !== null ? { attempt: r.attempt } : {}),
    ...(r.data !== null ? { data: fromJson(r.data) as Record<string, unknown> } : {}),
  }));
}
