// Starts a real Taskwire on loopback for a test: temp data dir, SQLite, an account with
// credits and its API key, stand-in origins from `env`. Tests then speak HTTP to `url`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pino from 'pino';

import { createAccount, createApiKey } from '../../src/accounts/index.js';
import type { CatalogDefinition } from '../../src/actions/index.js';
import { createTaskwire, type Taskwire } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';

export interface TestServer {
  url: string;
  key: string;
  accountId: string;
  taskwire: Taskwire;
  /** Another account with its own key, for isolation tests. */
  newAccount(credits: number): Promise<{ accountId: string; key: string }>;
  /** Every log line the server wrote, for leak checks. */
  logs: string[];
  close(): Promise<void>;
}

export interface TestServerOptions {
  credits?: number;
  env?: Record<string, string>;
  catalogs?: readonly CatalogDefinition[];
  dataDir?: string;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'taskwire-test-'));
  const config = loadConfig({
    TASKWIRE_DATA_DIR: dataDir,
    TASKWIRE_PORT: '0',
    TASKWIRE_POLL_MS: '100',
    TASKWIRE_ALLOWED_TARGET_CIDRS: '127.0.0.2/32',
    TASKWIRE_LOG_LEVEL: 'debug',
    // Tests poll hard; the limits have their own test (rate-limit.test.ts).
    TASKWIRE_RATE_LIMIT_PER_MINUTE: '0',
    TASKWIRE_ANON_RATE_LIMIT_PER_MINUTE: '0',
    ...options.env,
  });
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
  const taskwire = await createTaskwire({
    config,
    logger,
    ...(options.catalogs ? { catalogs: options.catalogs } : {}),
  });
  const db = taskwire.store.db;
  const newAccount = async (credits: number) => {
    const account = await createAccount(db, {
      name: `test-${Math.random().toString(36).slice(2, 8)}`,
      credits,
    });
    return { accountId: account.id, key: (await createApiKey(db, account.id)).key };
  };
  const first = await newAccount(options.credits ?? 100);
  const url = await taskwire.listen();
  return {
    url,
    ...first,
    taskwire,
    newAccount,
    logs,
    async close() {
      await taskwire.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fetch wrapper returning status, headers and parsed JSON body. */
export async function call(
  server: { url: string },
  method: string,
  path: string,
  options: {
    key?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers['x-api-key'] = options.key;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** Polls a job until it leaves `processing` (bounded). */
export async function waitForJob(
  server: { url: string },
  key: string,
  jobId: string,
  timeoutMs = 20_000,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call(server, 'GET', `/v1/holocron/jobs/${jobId}`, { key });
    if (res.body?.status !== 'processing' || Date.now() > deadline) return res.body;
    await new Promise((r) => setTimeout(r, 50));
  }
}
