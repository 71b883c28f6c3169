// Identities over HTTP: create with a sealed credential, read back metadata only, 409 on a
// duplicate name, 404 for someone else's, 400 for malformed credential data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { call, startTestServer, type TestServer } from '../support/taskwire.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const SECRET = 'CANARY-li-at-7f3e9b';

describe('identities', () => {
  it('creates an identity with a browser_state credential and never returns the secret', async () => {
    const res = await call(server, 'POST', '/v1/holocron/identities', {
      key: server.key,
      body: {
        catalog_id: 'linkedin',
        name: 'Personal LinkedIn',
        is_default: true,
        credential: {
          type: 'browser_state',
          data: {
            cookies: [{ name: 'li_at', value: SECRET, domain: '.linkedin.com', path: '/' }],
            origins: [],
          },
          metadata: { label: 'laptop' },
        },
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.identity).toMatchObject({
      user_id: server.accountId,
      name: 'Personal LinkedIn',
      is_default: true,
      credentials: [
        { credential_type: 'browser_state', status: 'active', metadata: { label: 'laptop' } },
      ],
    });
    const catalog = await call(server, 'GET', '/v1/holocron/catalog/linkedin');
    expect(res.body.identity.catalog_id).toBe(catalog.body.catalog.id);

    const list = await call(
      server,
      'GET',
      `/v1/holocron/identities?catalog_id=${catalog.body.catalog.id}`,
      { key: server.key },
    );
    expect(list.body.status).toBe('ok');
    expect(list.body.identities).toHaveLength(1);
    const one = await call(server, 'GET', `/v1/holocron/identities/${res.body.identity.id}`, {
      key: server.key,
    });
    expect(one.body.identity.id).toBe(res.body.identity.id);

    for (const text of [res.text, list.text, one.text, server.logs.join('\n')])
      expect(text).not.toContain(SECRET);
    const raw = await server.taskwire.store.db.selectFrom('credentials').select('sealed').execute();
    expect(JSON.stringify(raw)).not.toContain(SECRET);
  });

  it('accepts a cookie-export list and api_key / token credentials', async () => {
    const cookieExport = [
      {
        name: 'li_at',
        value: 'v',
        domain: '.linkedin.com',
        path: '/',
        expirationDate: 1893456000,
        sameSite: 'no_restriction',
      },
    ];
    const a = await call(server, 'POST', '/v1/wire/identities', {
      key: server.key,
      body: {
        catalog_id: 'linkedin',
        name: 'export',
        credential: { type: 'browser_state', data: cookieExport },
      },
    });
    expect(a.status).toBe(201);
    const b = await call(server, 'POST', '/v1/wire/identities', {
      key: server.key,
      body: {
        catalog_id: 'web',
        name: 'k',
        credential: { type: 'api_key', data: { api_key: 'abcd1234' } },
      },
    });
    expect(b.status).toBe(201);
  });

  it('answers 409 CONFLICT for a duplicate name in the same catalog', async () => {
    const body = { catalog_id: 'linkedin', name: 'Twice' };
    expect(
      (await call(server, 'POST', '/v1/wire/identities', { key: server.key, body })).status,
    ).toBe(201);
    const again = await call(server, 'POST', '/v1/wire/identities', { key: server.key, body });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
  });

  it('answers 400 for malformed credential data and a type the catalog does not take', async () => {
    const bad = await call(server, 'POST', '/v1/wire/identities', {
      key: server.key,
      body: {
        catalog_id: 'linkedin',
        name: 'bad',
        credential: { type: 'browser_state', data: { cookies: [{ name: 'li_at' }] } },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues).toEqual(
      expect.arrayContaining([{ path: '/data/cookies/0/value', message: 'must be a string' }]),
    );
    const wrongType = await call(server, 'POST', '/v1/wire/identities', {
      key: server.key,
      body: { catalog_id: 'linkedin', name: 'tok', credential: { type: 'token', data: 'abc' } },
    });
    expect(wrongType.status).toBe(400);
    const unknownCatalog = await call(server, 'POST', '/v1/wire/identities', {
      key: server.key,
      body: { catalog_id: 'myspace', name: 'x' },
    });
    expect(unknownCatalog.status).toBe(404);
    const names = (
      await call(server, 'GET', '/v1/wire/identities', { key: server.key })
    ).body.identities.map((i: { name: string }) => i.name);
    expect(names).not.toContain('bad');
    expect(names).not.toContain('tok');
  });

  it("answers 404 for someone else's identity and lists only the caller's", async () => {
    const other = await server.newAccount(0);
    const mine = await call(server, 'POST', '/v1/wire/identities', {
      key: server.key,
      body: { catalog_id: 'web', name: 'private' },
    });
    const peek = await call(server, 'GET', `/v1/wire/identities/${mine.body.identity.id}`, {
      key: other.key,
    });
    expect(peek.status).toBe(404);
    const addCred = await call(
      server,
      'POST',
      `/v1/wire/identities/${mine.body.identity.id}/credentials`,
      {
        key: other.key,
        body: { credential_type: 'api_key', data: 'abcd1234' },
      },
    );
    expect(addCred.status).toBe(404);
    expect(
      (await call(server, 'GET', '/v1/wire/identities', { key: other.key })).body.identities,
    ).toEqual([]);
  });

  it('adds and lists credentials on an identity', async () => {
    const identity = await call(server, 'POST', '/v1/wire/identities', {
      key: server.key,
      body: { catalog_id: 'web', name: 'creds' },
    });
    const path = `/v1/wire/identities/${identity.body.identity.id}/credentials`;
    const added = await call(server, 'POST', path, {
      key: server.key,
      body: { credential_type: 'token', data: { token: 'abcd1234' } },
    });
    expect(added.status).toBe(201);
    expect(added.body.credential).toMatchObject({ credential_type: 'token', status: 'active' });
    const listed = await call(server, 'GET', path, { key: server.key });
    expect(listed.body.credentials.map((c: { id: string }) => c.id)).toEqual([
      added.body.credential.id,
    ]);
  });
});
