// The claim's per-account reads: each account's running count (its cap) and its next due
// jobs. Without this index both walk the whole queue, or the account's whole history, when
// one account has queued far more than the others.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('jobs_account_status_run')
    .on('jobs')
    .columns(['account_id', 'status', 'run_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('jobs_account_status_run').execute();
}
