// Changing and deleting identities and credentials over HTTP: rename (409 on a clash), default
// switching, deletes that take credentials along, 404 for foreign ids, 400 for bad bodies, no
// secret in any answer or log line, and a queued job whose credential was deleted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { builtInCatalogs } from '../../src/actions/index.js';
import { testCatalog } from '../fixtures/catalogs/test-catalog.js';
import { call, startTestServer, type TestServer, waitForJob } from '../support/taskwire.js';

const catalogs = [...builtInCatalogs, testCatalog];
const SECRET = 'CANARY-manage-4d1c8a';
let server: TestServer;
/** Every response body this file received, checked for the canary at the end. */
const seen: string[] = [];

beforeAll(async () => {
  server = await startTestServer({ catalogs });
});
afterAll(async () => {
  for (const text of [...seen, server.logs.join('\n')]) expect(text).not.toContain(SECRET);
  await server?.close();
});

async function api(method: string, path: string, key: string, body?: unknown) {
  const res = await call(server, method, path, { key, ...(body !== undefined ? { body } : {}) });
  seen.push(res.text);
  return res;
}

/** Creates an identity with a token credential holding the canary. */
async function identity(key: string, name: string, catalog = 'web', isDefault = false) {
  const res = await api('POST', '/v1/wire/identities', key, {
    catalog_id: catalog,
    name,
    is_default: isDefault,
    credential: { type: 'token', data: { token: SECRET } },
  });
  expect(res.status).toBe(201);
  return res.body.identity as { id: string; credentials: { id: string }[] };
}

const defaultsOf = async (key: string, catalog: string) =>
  (await api('GET', `/v1/wire/identities?catalog_id=${catalog}`, key, undefined)).body.identities
    .filter((i: { is_default: boolean }) => i.is_default)
    .map((i: { id: string }) => i.id);

describe('PATCH /identities/{id}', () => {
  it('renames an identity, and answers 409 CONFLICT when the catalog already has that name', async () => {
    const account = await server.newAccount(0);
    const a = await identity(account.key, 'Alpha');
    await identity(account.key, 'Beta');
    await identity(account.key, 'Gamma', 'test');

    const renamed = await api('PATCH', `/v1/holocron/identities/${a.id}`, account.key, {
      name: '  Alpha 2 ',
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toEqual({ status: 'ok' });
    const read = await api('GET', `/v1/wire/identities/${a.id}`, account.key);
    expect(read.body.identity.name).toBe('Alpha 2');

    const clash = await api('PATCH', `/v1/wire/identities/${a.id}`, account.key, { name: 'Beta' });
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe('CONFLICT');
    // The same name in another catalog is no clash.
    const elsewhere = await api('PATCH', `/v1/wire/identities/${a.id}`, account.key, {
      name: 'Gamma',
    });
    expect(elsewhere.status).toBe(200);
  });

  it('switches the default so that exactly one identity of the catalog is default', async () => {
    const account = await server.newAccount(0);
    const a = await identity(account.key, 'A', 'web', true);
    const b = await identity(account.key, 'B');
    const other = await identity(account.key, 'Other', 'test', true);
    expect(await defaultsOf(account.key, 'web')).toEqual([a.id]);

    const set = await api('PATCH', `/v1/wire/identities/${b.id}`, account.key, {
      is_default: true,
    });
    expect(set.status).toBe(200);
    expect(await defaultsOf(account.key, 'web')).toEqual([b.id]);
    expect(await defaultsOf(account.key, 'test')).toEqual([other.id]);

    await api('PATCH', `/v1/holocron/identities/${b.id}`, account.key, {
      name: 'B renamed',
      is_default: false,
    });
    expect(await defaultsOf(account.key, 'web')).toEqual([]);
  });

  it('answers 400 BAD_REQUEST for an empty body, unknown fields, wrong types and blank names', async () => {
    const account = await server.newAccount(0);
    const a = await identity(account.key, 'Target');
    const path = `/v1/wire/identities/${a.id}`;
    for (const body of [
      {},
      { nickname: 'x' },
      { name: 'ok', user_id: 'someone-else' },
      { name: 5 },
      { name: '' },
      { name: '   ' },
      { is_default: 'yes' },
      { name: 'x'.repeat(201) },
    ]) {
      const res = await api('PATCH', path, account.key, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('BAD_REQUEST');
    }
    const empty = await api('PATCH', path, account.key, {});
    expect(empty.body.error.issues).toEqual([{ path: '', message: 'must have at least 1 field' }]);
    const notJson = await call(server, 'PATCH', path, {
      key: account.key,
      rawBody: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    expect((await api('GET', path, account.key)).body.identity.name).toBe('Target');
  });
});

describe('DELETE /identities/{id} and /credentials/{id}', () => {
  it('deletes an identity together with its credentials', async () => {
    const account = await server.newAccount(0);
    const a = await identity(account.key, 'Doomed');
    const extra = await api('POST', `/v1/wire/identities/${a.id}/credentials`, account.key, {
      credential_type: 'api_key',
      data: SECRET,
    });
    expect(extra.status).toBe(201);

    const deleted = await api('DELETE', `/v1/wire/identities/${a.id}`, account.key);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ status: 'ok' });
    expect((await api('GET', `/v1/wire/identities/${a.id}`, account.key)).status).toBe(404);
    expect((await api('GET', `/v1/wire/identities/${a.id}/credentials`, account.key)).status).toBe(
      404,
    );
    expect((await api('GET', '/v1/wire/identities', account.key)).body.identities).toEqual([]);
    const rows = await server.taskwire.store.db
      .selectFrom('credentials')
      .select('id')
      .where('identity_id', '=', a.id)
      .execute();
    expect(rows).toEqual([]);
    expect((await api('DELETE', `/v1/wire/identities/${a.id}`, account.key)).status).toBe(404);
  });

  it('deletes one credential and leaves the identity and its other credentials', async () => {
    const account = await server.newAccount(0);
    const a = await identity(account.key, 'Keeper');
    const second = await api('POST', `/v1/wire/identities/${a.id}/credentials`, account.key, {
      credential_type: 'token',
      data: { token: SECRET },
    });
    const gone = a.credentials[0]!.id;
    const res = await api('DELETE', `/v1/holocron/credentials/${gone}`, account.key);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    const listed = await api('GET', `/v1/wire/identities/${a.id}/credentials`, account.key);
    expect(listed.body.credentials.map((c: { id: string }) => c.id)).toEqual([
      second.body.credential.id,
    ]);
    expect((await api('DELETE', `/v1/wire/credentials/${gone}`, account.key)).status).toBe(404);
  });
});

describe("someone else's ids", () => {
  it('answer 404 NOT_FOUND on every route, exactly like unknown ids, and change nothing', async () => {
    const owner = await server.newAccount(0);
    const stranger = await server.newAccount(0);
    const a = await identity(owner.key, 'Private', 'web', true);
    const credentialId = a.credentials[0]!.id;
    const unknown = '00000000-0000-4000-8000-000000000000';
    const routes = (identityId: string, credential: string) =>
      [
        ['PATCH', `/v1/wire/identities/${identityId}`, { name: 'Mine now' }],
        ['PATCH', `/v1/holocron/identities/${identityId}`, { is_default: false }],
        ['DELETE', `/v1/wire/identities/${identityId}`, undefined],
        ['DELETE', `/v1/holocron/credentials/${credential}`, undefined],
      ] as const;
    const foreign = routes(a.id, credentialId);
    const missing = routes(unknown, unknown);
    for (const [i, [method, path, body]] of foreign.entries()) {
      const res = await api(method, path, stranger.key, body);
      const ref = await api(missing[i]![0], missing[i]![1], stranger.key, missing[i]![2]);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
      expect(res.text.replaceAll(a.id, unknown).replaceAll(credentialId, unknown)).toBe(ref.text);
    }
    const still = await api('GET', `/v1/wire/identities/${a.id}`, owner.key);
    expect(still.body.identity).toMatchObject({ name: 'Private', is_default: true });
    expect(still.body.identity.credentials).toHaveLength(1);
  });

  it('need an API key', async () => {
    for (const [method, path] of [
      ['PATCH', '/v1/wire/identities/x'],
      ['DELETE', '/v1/wire/identities/x'],
      ['DELETE', '/v1/wire/credentials/x'],
    ] as const) {
      const res = await call(
        server,
        method,
        path,
        method === 'PATCH' ? { body: { name: 'n' } } : {},
      );
      expect(res.status).toBe(401);
    }
  });
});

describe('a queued job whose credential was deleted', () => {
  it('fails with EXECUTION_FAILED and is refunded when a worker picks it up', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'taskwire-deleted-cred-'));
    try {
      const first = await startTestServer({ dataDir, catalogs, env: { TASKWIRE_WORKER: 'false' } });
      let jobId: string;
      try {
        const owned = await call(first, 'POST', '/v1/wire/identities', {
          key: first.key,
          body: {
            catalog_id: 'test',
            name: 'tok',
            credential: { type: 'token', data: { token: SECRET } },
          },
        });
        const credentialId = owned.body.identity.credentials[0].id;
        const task = await call(first, 'POST', '/v1/wire/task', {
          key: first.key,
          body: { action_id: 'test_broken', credential_id: credentialId },
        });
        expect(task.status).toBe(202);
        jobId = task.body.job_id;
        const del = await call(first, 'DELETE', `/v1/wire/credentials/${credentialId}`, {
          key: first.key,
        });
        expect(del.status).toBe(200);
      } finally {
        await first.close();
      }

      const second = await startTestServer({ dataDir, catalogs });
      try {
        const done = await waitForJob(second, first.key, jobId);
        expect(done).toMatchObject({
          status: 'failed',
          credits_used: 0,
          error: { code: 'EXECUTION_FAILED' },
        });
        expect(done.error.message).toMatch(
          /credential could not be opened: the credential was deleted/,
        );
        const credits = await call(second, 'GET', '/v1/wire/credits', { key: first.key });
        expect(credits.body.balance).toBe(100);
        expect(credits.body.ledger.map((e: { kind: string }) => e.kind)).toEqual(
          expect.arrayContaining(['debit', 'refund']),
        );
        for (const text of [JSON.stringify(done), second.logs.join('\n'), first.logs.join('\n')])
          expect(text).not.toContain(SECRET);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
