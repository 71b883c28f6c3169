// `keys rotate-master` with its key files: the new key is staged before anything is re-wrapped
// and installed only when everything is, an interrupted run resumes with the staged key, a
// running server keeps opening credentials throughout, and startup fails closed without the key.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterEach, describe, expect, it } from 'vitest';

import { openStore } from '../../src/store/index.js';
import {
  generateMasterKey,
  KEY_FILES,
  type KeyringSettings,
  parseMasterKey,
  type RewrapOptions,
  rotateMasterKey,
  type RotationTarget,
} from '../../src/vault/index.js';
import { call, startTestServer, type TestServer } from '../support/taskwire.js';

const run = promisify(execFile);
const CLI = new URL('../../src/cli/main.ts', import.meta.url).pathname;

let dataDir: string;
const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const keyIn = (name: string) => parseMasterKey(readFileSync(join(dataDir, name), 'utf8'), name).id;
const settings = (overrides: Partial<KeyringSettings> = {}): KeyringSettings => ({
  masterKey: '',
  previousMasterKeys: [],
  dataDir,
  ...overrides,
});

/** A server on `dataDir` (worker off) with `count` token credentials; returns their ids. */
async function serverWithCredentials(count: number, env: Record<string, string> = {}) {
  const server = await startTestServer({ dataDir, env: { TASKWIRE_WORKER: 'false', ...env } });
  servers.push(server);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await call(server, 'POST', '/v1/wire/identities', {
      key: server.key,
      body: {
        catalog_id: 'web',
        name: `id-${i}-${Math.random()}`,
        credential: { type: 'token', data: `CANARY-rotate-${i}` },
      },
    });
    expect(res.status).toBe(201);
    ids.push(res.body.identity.credentials[0].id);
  }
  return { server, ids };
}

/** Rotates through a store of its own on the same SQLite file, as the CLI would. */
async function rotate(s: KeyringSettings, target: RotationTarget, options?: RewrapOptions) {
  const store = openStore(`sqlite:${join(dataDir, 'taskwire.db')}`);
  try {
    return await rotateMasterKey(store.db, s, target, options);
  } finally {
    await store.close();
  }
}

describe('keys rotate-master with a key file', () => {
  it('re-wraps while the server runs, then installs the new key and keeps the old as master.key.previous (0600)', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'taskwire-rotate-'));
    const { server, ids } = await serverWithCredentials(3);
    const oldId = keyIn(KEY_FILES.current);

    const report = await rotate(settings(), { kind: 'generate' }, { batchSize: 2 });
    expect(report).toMatchObject({ rewrapped: 3, remaining: 0, failed: [], keyFile: 'replaced' });
    expect(keyIn(KEY_FILES.current)).toBe(report.keyId);
    expect(keyIn(KEY_FILES.previous)).toBe(oldId);
    expect(statSync(join(dataDir, KEY_FILES.previous)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, KEY_FILES.current)).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dataDir, KEY_FILES.next))).toBe(false);

    // The running server still holds only the old key in memory; it finds the new one on disk.
    for (const [i, id] of ids.entries())
      expect(await server.taskwire.vault.open(id)).toEqual({
        type: 'token',
        token: `CANARY-rotate-${i}`,
      });
    // It still seals under its old key until restarted: the restart reads master.key.previous,
    // and --finish re-wraps what was written meanwhile.
    const late = await call(server, 'POST', '/v1/wire/identities', {
      key: server.key,
      body: { catalog_id: 'web', name: 'late', credential: { type: 'token', data: 'CANARY-late' } },
    });
    await server.close();
    servers.splice(0);

    const restarted = await startTestServer({ dataDir, env: { TASKWIRE_WORKER: 'false' } });
    servers.push(restarted);
    const lateId = late.body.identity.credentials[0].id as string;
    expect(await restarted.taskwire.vault.open(lateId)).toMatchObject({ token: 'CANARY-late' });
    const finish = await rotate(settings(), { kind: 'finish' });
    expect(finish).toMatchObject({
      rewrapped: 1,
      remaining: 0,
      keyFile: 'unchanged',
      keyId: report.keyId,
    });
  });

  it('resumes an interrupted rotation with the staged key and refuses to start another', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'taskwire-rotate-'));
    const { server, ids } = await serverWithCredentials(3);
    const oldId = keyIn(KEY_FILES.current);
    const first = await rotate(settings(), { kind: 'generate' }, { batchSize: 1, maxBatches: 1 });
    expect(first).toMatchObject({ rewrapped: 1, remaining: 2, keyFile: 'staged' });
    expect(keyIn(KEY_FILES.current)).toBe(oldId);
    expect(keyIn(KEY_FILES.next)).toBe(first.keyId);
    for (const id of ids) await expect(server.taskwire.vault.open(id)).resolves.toBeDefined();

    await expect(rotate(settings(), { kind: 'key', key: generateMasterKey() })).rejects.toThrow(
      `A rotation to master key ${first.keyId} is unfinished`,
    );
    await expect(rotate(settings(), { kind: 'finish' })).rejects.toThrow(/unfinished/);

    const second = await rotate(settings(), { kind: 'generate' });
    expect(second).toMatchObject({
      keyId: first.keyId,
      rewrapped: 2,
      remaining: 0,
      keyFile: 'replaced',
    });
    expect(keyIn(KEY_FILES.current)).toBe(first.keyId);

    // master.key.previous now guards older backups: a further rotation will not overwrite it.
    await expect(rotate(settings(), { kind: 'generate' })).rejects.toThrow(
      /master.key.previous still holds key/,
    );
  });

  it('fails to start, naming the unreadable credentials, when the key that sealed them is gone', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'taskwire-rotate-'));
    const { server, ids } = await serverWithCredentials(2);
    await server.close();
    servers.splice(0);
    const oldKey = readFileSync(join(dataDir, KEY_FILES.current), 'utf8').trim();
    const oldId = keyIn(KEY_FILES.current);
    writeFileSync(join(dataDir, KEY_FILES.current), generateMasterKey().key.toString('base64'));

    const failure = startTestServer({ dataDir });
    await expect(failure).rejects.toThrow(`2 credential(s) are sealed under a master key`);
    await expect(failure).rejects.toThrow(`2 under key ${oldId}`);

    const server2 = await startTestServer({
      dataDir,
      env: { TASKWIRE_WORKER: 'false', TASKWIRE_PREVIOUS_MASTER_KEYS: oldKey },
    });
    servers.push(server2);
    for (const id of ids) await expect(server2.taskwire.vault.open(id)).resolves.toBeDefined();
  });
});

describe('keys rotate-master with TASKWIRE_MASTER_KEY', () => {
  it('refuses --generate, and with --new-key changes no key file', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'taskwire-rotate-'));
    const oldKey = generateMasterKey();
    const newKey = generateMasterKey();
    const env = { TASKWIRE_MASTER_KEY: oldKey.key.toString('hex') };
    const { server, ids } = await serverWithCredentials(2, env);
    await server.close();
    servers.splice(0);

    const envSettings = settings({ masterKey: env.TASKWIRE_MASTER_KEY });
    await expect(rotate(envSettings, { kind: 'generate' })).rejects.toThrow(/--new-key/);
    const report = await rotate(envSettings, { kind: 'key', key: newKey });
    expect(report).toMatchObject({
      keyId: newKey.id,
      rewrapped: 2,
      remaining: 0,
      keyFile: 'unchanged',
    });
    expect(existsSync(join(dataDir, KEY_FILES.current))).toBe(false);

    const after = await startTestServer({
      dataDir,
      env: { TASKWIRE_WORKER: 'false', TASKWIRE_MASTER_KEY: newKey.key.toString('base64') },
    });
    servers.push(after);
    for (const id of ids) await expect(after.taskwire.vault.open(id)).resolves.toBeDefined();
  });
});

describe('the rotate-master command', () => {
  it('prints key ids and next steps as JSON, never a key', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'taskwire-rotate-'));
    const { server } = await serverWithCredentials(1);
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        CLI,
        'keys',
        'rotate-master',
        '--generate',
        '--data-dir',
        dataDir,
        '--json',
      ],
      { env: { ...process.env, TASKWIRE_MASTER_KEY: '' } },
    );
    const out = JSON.parse(stdout);
    expect(out).toMatchObject({ rewrapped: 1, remaining: 0, failed: [], key_file: 'replaced' });
    expect(out.next_steps.join(' ')).toMatch(/--finish/);
    for (const name of [KEY_FILES.current, KEY_FILES.previous]) {
      const key = parseMasterKey(readFileSync(join(dataDir, name), 'utf8'), name).key;
      expect(stdout).not.toContain(key.toString('base64'));
      expect(stdout).not.toContain(key.toString('hex'));
    }
    await server.close();
    servers.splice(0);
  });
});
