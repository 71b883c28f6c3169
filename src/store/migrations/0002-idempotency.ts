// Idempotency keys for POST /task: the answer a key got, remembered per account until it expires.
// Written with Kysely's schema builder only, so it runs unchanged on SQLite and PostgreSQL.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('account_id', 'text', (c) =>
      c.notNull().references('accounts.id').onDelete('cascade'),
    )
    .addColumn('key', 'text', (c) => c.notNull())
    // SHA-256 of method, route and canonical body: a reused key with another body is a 422.
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    // No foreign key: the row is written before the job in the same transaction, so the
    // key's primary key is what serialises concurrent duplicates on PostgreSQL.
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('response_status', 'integer', (c) => c.notNull())
    .addColumn('response_body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['account_id', 'key'])
    .execute();
  // The reaper deletes expired keys oldest first.
  await db.schema
    .createIndex('idempotency_keys_expires')
    .on('idempotency_keys')
    .column('expires_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('idempotency_keys').execute();
}
