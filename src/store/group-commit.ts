// Group commit for SQLite. With synchronous=FULL every COMMIT waits for the disk, and
// better-sqlite3 waits synchronously, stalling the whole process. Writes that arrive
// together are therefore run as savepoints inside one transaction and committed with one
// flush. Each write still succeeds or fails alone (its savepoint rolls back), and nobody
// hears "done" before the shared COMMIT. PostgreSQL groups commits itself, so there each
// write is simply its own transaction.
import type { Kysely, Transaction } from 'kysely';

import type { Dialect } from './database.js';
import type { Database } from './schema.js';

/** Runs `fn` in a transaction, alone or batched with others; resolves after COMMIT. */
export type Writer = (<T>(fn: (trx: Transaction<Database>) => Promise<T>) => Promise<T>) & {
  /**
   * PostgreSQL only: where a write that is one statement runs as its own (implicit)
   * transaction, without the BEGIN and COMMIT round trips of `write`. Absent on SQLite, where
   * writes share a batch's transaction.
   */
  readonly statement?: Kysely<Database>;
};

interface Pending {
  fn: (trx: Transaction<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** How many writes one COMMIT carries at most, so a burst cannot hold the lock for long. */
const MAX_BATCH = 256;

export function createWriter(db: Kysely<Database>, dialect: Dialect): Writer {
  if (dialect === 'postgres') {
    const write = <T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> =>
      db.transaction().execute(fn);
    return Object.assign(write, { statement: db });
  }

  let queue: Pending[] = [];
  let running = false;

  async function runBatch(batch: Pending[]): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    let trx;
    try {
      trx = await db.startTransaction().execute();
      for (const item of batch) {
        const sp = await trx.savepoint('w').execute();
        try {
          const value = await item.fn(sp);
          await sp.releaseSavepoint('w').execute();
          outcomes.push({ ok: true, value });
        } catch (error) {
          await sp.rollbackToSavepoint('w').execute();
          await sp.releaseSavepoint('w').execute();
          outcomes.push({ ok: false, error });
        }
      }
      await trx.commit().execute();
    } catch (error) {
      // The batch as a whole did not commit: nothing in it happened.
      if (trx && !trx.isCommitted && !trx.isRolledBack)
        await trx
          .rollback()
          .execute()
          .catch(() => {});
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }

  async function drain(): Promise<void> {
    running = true;
    try {
      while (queue.length > 0) {
        const batch = queue.slice(0, MAX_BATCH);
        queue = queue.slice(batch.length);
        await runBatch(batch);
      }
    } finally {
      running = false;
    }
  }

  return <T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      // Let the writes of this turn of the event loop join before the batch starts.
      if (!running && queue.length === 1) setImmediate(() => void drain());
    });
}
