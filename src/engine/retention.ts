// Retention: settled jobs past the retention period are deleted with everything that holds
// their data (log, files, webhook deliveries and their tries); the ledger that charged and
// refunded them stays, so balances still add up.
import type { Kysely } from 'kysely';

import type { Database, Writer } from '../store/index.js';
import { pruneDeliveries } from '../webhooks/index.js';

type Db = Kysely<Database>;

export interface Pruned {
  jobs: number;
  deliveries: number;
}

/**
 * Deletes up to `batch` settled jobs that finished before `cutoff` (their logs and files go by
 * cascade), their finished webhook deliveries, and any finished delivery created before
 * `cutoff` (account events such as `credential.expired` have no job). One transaction.
 */
export async function pruneExpired(write: Writer, cutoff: string, batch = 500): Promise<Pruned> {
  return write(async (trx) => {
    const jobIds = await expiredJobIds(trx, cutoff, batch);
    const deliveries = await pruneDeliveries(trx, jobIds, cutoff, batch);
    if (jobIds.length === 0) return { jobs: 0, deliveries };
    const result = await trx.deleteFrom('jobs').where('id', 'in', jobIds).executeTakeFirst();
    return { jobs: Number(result.numDeletedRows), deliveries };
  });
}

async function expiredJobIds(db: Db, cutoff: string, batch: number): Promise<string[]> {
  const rows = await db
    .selectFrom('jobs')
    .select('id')
    .where('status', 'in', ['succeeded', 'failed'])
    .where('completed_at', '<', cutoff)
    .limit(batch)
    .execute();
  return rows.map((r) => r.id);
}
