// The job log: a job's timeline (submitted, each attempt started, retried, settled) and the
// lines its action logged, kept with the job and removed with it.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('job_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('attempt', 'integer')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('data', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('job_log_job').on('job_log').columns(['job_id', 'at']).execute();
  // Retention deletes old settled jobs; this finds them without scanning the table.
  await db.schema
    .createIndex('jobs_completed')
    .on('jobs')
    .columns(['status', 'completed_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('jobs_completed').execute();
  await db.schema.dropTable('job_log').execute();
}
