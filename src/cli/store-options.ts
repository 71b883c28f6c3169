// What the operator commands share: the --data-dir / --database-url / --json flags, opening
// (and migrating) the store they name, and printing a result as text or JSON.
import type { Command } from 'commander';

import { type Config, loadConfig } from '../config/index.js';
import { migrateToLatest, openStore, type Store } from '../store/index.js';

export interface StoreFlags {
  dataDir?: string;
  databaseUrl?: string;
  json?: boolean;
}

/** The config with the flags on top of the environment. */
export const configFor = (flags: StoreFlags): Config =>
  loadConfig(process.env, {
    ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
    ...(flags.databaseUrl ? { databaseUrl: flags.databaseUrl } : {}),
  });

/** Opens (and migrates) the store the flags name, runs `fn`, and always closes it. */
export async function withStore<T>(
  flags: StoreFlags,
  fn: (store: Store, config: Config) => Promise<T>,
): Promise<T> {
  const config = configFor(flags);
  const store = openStore(config.databaseUrl);
  try {
    await migrateToLatest(store.db);
    return await fn(store, config);
  } finally {
    await store.close();
  }
}

/** Prints `value` as one JSON line with --json, else `text`. */
export function print(flags: StoreFlags, value: unknown, text: string): void {
  process.stdout.write(flags.json ? `${JSON.stringify(value)}\n` : `${text}\n`);
}

/** Adds the store flags to a command. */
export const storeOptions = (command: Command): Command =>
  command
    .option('--data-dir <dir>', 'data directory (default: TASKWIRE_DATA_DIR or ./.data)')
    .option('--database-url <url>', 'database URL (default: SQLite in the data directory)')
    .option('--json', 'print JSON');

/** A commander parser for a whole number of at least `min`. */
export const wholeNumber =
  (min: number) =>
  (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`Expected a whole number ≥ ${min}, got '${raw}'.`);
    return n;
  };
