// The files attached to jobs (`ctx.files`, failure screenshots): written in the transaction
// that settles the job, read by any API node, deleted with the job (foreign key cascade).
import type { Kysely } from 'kysely';

import type { JobFile } from '../runtime/index.js';
import { type Clock, type Database, isoNow, prepared } from '../store/index.js';

type Db = Kysely<Database>;

/** A file as `files[]` of `GET /jobs/{id}` lists it. */
export interface JobFileInfo {
  name: string;
  content_type: string;
  size_bytes: number;
}

/** A file with its bytes, for the download route. */
export interface StoredJobFile extends JobFileInfo {
  content: Buffer;
}

/** Stores an attempt's files; pass the settle's transaction, after its fenced update won. */
export async function insertJobFiles(
  trx: Db,
  jobId: string,
  files: readonly JobFile[],
  clock: Clock,
): Promise<JobFileInfo[]> {
  if (files.length === 0) return [];
  const createdAt = isoNow(clock);
  // One statement per file: a multi-row insert would hold every blob in one parameter list.
  for (const [position, file] of files.entries()) {
    await trx
      .insertInto('job_files')
      .values({
        job_id: jobId,
        name: file.name,
        position,
        content_type: file.contentType,
        size_bytes: file.bytes.length,
        content: file.bytes,
        created_at: createdAt,
      })
      .execute();
  }
  return files.map((f) => ({
    name: f.name,
    content_type: f.contentType,
    size_bytes: f.bytes.length,
  }));
}

const selectJobFiles = prepared((db, args: { jobId: string }) =>
  db
    .selectFrom('job_files')
    .select(['name', 'content_type', 'size_bytes'])
    .where('job_id', '=', args.jobId)
    .orderBy('position'),
);

/** A job's files without their bytes, in the order the action added them. */
export async function listJobFiles(db: Db, jobId: string): Promise<JobFileInfo[]> {
  return selectJobFiles(db, { jobId });
}

/** One file with its bytes, or undefined when the job has no file of that name. */
export async function readJobFile(
  db: Db,
  jobId: string,
  name: string,
): Promise<StoredJobFile | undefined> {
  // Both drivers return blob / bytea columns as Buffers.
  return db
    .selectFrom('job_files')
    .select(['name', 'content_type', 'size_bytes', 'content'])
    .where('job_id', '=', jobId)
    .where('name', '=', name)
    .executeTakeFirst();
}
