// The databases store, ledger and engine tests run against: a fresh SQLite file, and a fresh
// PostgreSQL database on 127.0.0.1:5432 (created and dropped per test file). On CI an
// unreachable PostgreSQL fails the run; on a developer machine that half is skipped.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import { type Dialect, migrateToLatest, openStore, type Store } from '../../src/store/index.js';

export const POSTGRES_ADMIN_URL =
  process.env.TASKWIRE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  store: Store;
  drop(): Promise<void>;
}

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({
    connectionString: POSTGRES_ADMIN_URL,
    connectionTimeoutMillis: 2000,
  });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

const reachable = await postgresReachable();
if (!reachable) {
  if (process.env.CI)
    throw new Error(`PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL}; CI needs it.`);
  console.warn(
    `PostgreSQL not reachable at ${POSTGRES_ADMIN_URL}: skipping the PostgreSQL half of the dialect tests.`,
  );
}

/** The dialects to run against here: both, or SQLite alone when PostgreSQL is absent locally. */
export const DIALECTS: readonly Dialect[] = reachable ? ['sqlite', 'postgres'] : ['sqlite'];

export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'taskwire-db-'));
    const url = `sqlite:${join(dir, 'test.db')}`;
    const store = openStore(url);
    await migrateToLatest(store.db);
    return {
      url,
      store,
      async drop() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `taskwire_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  const store = openStore(url);
  await migrateToLatest(store.db);
  return {
    url,
    store,
    async drop() {
      await store.close();
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
