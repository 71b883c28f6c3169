// Job files: what an action attached with `ctx.files` (or the failure screenshot of a browser
// action), stored in the database so any API node can serve them, and deleted with the job.
import { type Kysely, PostgresAdapter } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The one type the schema builder cannot spell for both: raw bytes are `bytea` on
  // PostgreSQL and `blob` on SQLite. Both drivers read them back as Buffers.
  const bytes = db.getExecutor().adapter instanceof PostgresAdapter ? 'bytea' : 'blob';
  await db.schema
    .createTable('job_files')
    .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    // The order the action added them, which is the order `files[]` lists them in.
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('content', bytes, (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    // A name is unique per job; the key also serves the lookups, which are all by job.
    .addPrimaryKeyConstraint('job_files_pk', ['job_id', 'name'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('job_files').execute();
}
