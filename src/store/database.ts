// Opens the database named by a URL (`sqlite:/path/taskwire.db` or `postgres://...`) and
// brings its schema up to date. Everything above the store sees only `Kysely<Database>`.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';

import { createWriter, type Writer } from './group-commit.js';
import { createNotifier, type Notifier } from './notifier.js';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';
import { ImmediateSqliteDialect } from './sqlite-dialect.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Runs a write transaction; on SQLite concurrent writes share one COMMIT. */
  write: Writer;
  /** Wake-ups between processes; opened on first use (admin commands never need one). */
  readonly notifier: Notifier;
  /**
   * SQLite only: a number that changes whenever another connection (another process) commits
   * to the database, read synchronously (`PRAGMA data_version`). Lets a process trust what it
   * remembers until someone else writes.
   */
  dataVersion?: () => number;
  close(): Promise<void>;
}

/** Adds the lazily opened notifier and closes it with the database. */
function withNotifier(
  base: { db: Kysely<Database>; dialect: Dialect; write: Writer; dataVersion?: () => number },
  url: string,
  onConnectionError: ((error: Error) => void) | undefined,
): Store {
  let notifier: Notifier | undefined;
  return {
    ...base,
    get notifier() {
      notifier ??= createNotifier(base.dialect, url, onConnectionError);
      return notifier;
    },
    async close() {
      await notifier?.close();
      await base.db.destroy();
    },
  };
}

/** Which dialect a database URL names; anything else is a configuration error. */
export function dialectOf(url: string): Dialect {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return 'postgres';
  throw new Error(`Unsupported database URL '${url}': use sqlite:/path/file.db or postgres://...`);
}

/** Opens a store; `onConnectionError` hears about pooled PostgreSQL connections that broke. */
export function openStore(url: string, onConnectionError?: (error: Error) => void): Store {
  const dialect = dialectOf(url);
  if (dialect === 'sqlite') {
    const path = url.slice('sqlite:'.length);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const sqlite = new BetterSqlite3(path);
    sqlite.pragma('journal_mode = WAL');
    // FULL: a 202 means the debit and the job survived a power cut, not just a crash.
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const db = new Kysely<Database>({
      dialect: new ImmediateSqliteDialect(sqlite),
    });
    // Prepared once: `sqlite.pragma()` would compile the statement on every call.
    const version = sqlite.prepare('pragma data_version').pluck();
    const dataVersion = (): number => version.get() as number;
    return withNotifier(
      { db, dialect, write: createWriter(db, dialect), dataVersion },
      url,
      onConnectionError,
    );
  }
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle connection can die (server restart, admin termination). Unhandled, the pool's
  // 'error' event would crash the process; handled, the pool replaces the connection.
  pool.on('error', (error) => onConnectionError?.(error));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return withNotifier({ db, dialect, write: createWriter(db, dialect) }, url, onConnectionError);
}

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    const reason = error instanceof Error ? error.message : JSON.stringify(error);
    throw new Error(`Migration ${failed?.migrationName ?? '(unknown)'} failed: ${reason}`);
  }
}
