// First-seen and last-changed times of each catalog, so `created_at` / `updated_at` stay put
// across restarts and change only when a catalog's definition does.
import type { Kysely } from 'kysely';

import { type Clock, isoNow, systemClock } from './clock.js';
import type { Database } from './schema.js';

export interface CatalogTimes {
  created_at: string;
  updated_at: string;
}

export async function syncCatalogRecord(
  db: Kysely<Database>,
  record: { slug: string; id: string; fingerprint: string },
  clock: Clock = systemClock,
): Promise<CatalogTimes> {
  const existing = await db
    .selectFrom('catalog_records')
    .selectAll()
    .where('slug', '=', record.slug)
    .executeTakeFirst();
  const now = isoNow(clock);
  if (!existing) {
    await db
      .insertInto('catalog_records')
      .values({ ...record, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('slug').doNothing())
      .execute();
    return { created_at: now, updated_at: now };
  }
  if (existing.fingerprint !== record.fingerprint) {
    await db
      .updateTable('catalog_records')
      .set({ fingerprint: record.fingerprint, updated_at: now })
      .where('slug', '=', record.slug)
      .execute();
    return { created_at: existing.created_at, updated_at: now };
  }
  return { created_at: existing.created_at, updated_at: existing.updated_at };
}
