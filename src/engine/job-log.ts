// The job log: lifecycle steps written inside the transactions that make them happen, and
// the action's `ctx.log` lines. Secrets never get here: action messages are scrubbed before.
import { randomUUID } from 'node:crypto';

import type { Kysely } from 'kysely';

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
  const at = isoNow(clock);
  await db
    .insertInto('job_log')
    .values(
      entries.map((entry) => ({
        id: entryId(at),
        job_id: entry.jobId,
        attempt: entry.attempt,
        kind: entry.kind,
        message: entry.message.slice(0, 2000),
        data: entry.data && Object.keys(entry.data).length > 0 ? toJson(entry.data) : null,
        at,
      })),
    )
    .execute();
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
