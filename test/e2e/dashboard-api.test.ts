// The routes the dashboard added to the API: GET /account, and API keys listed (never the
// keys), created (shown once) and revoked, with the guards that stop a person locking
// themselves out. Against a real server, under both prefixes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { call, startTestServer, type TestServer } from '../support/taskwire.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ credits: 40 });
});
afterAll(async () => {
  await server?.close();
});

describe('GET /account', () => {
  it('names the account of the key and its balance, under both prefixes', async () => {
    for (const prefix of ['/v1/wire', '/v1/holocron']) {
      const res = await call(server, 'GET', `${prefix}/account`, { key: server.key });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        status: 'ok',
        account: {
          id: server.accountId,
          name: expect.stringMatching(/^test-/),
          balance: 40,
          created_at: expect.stringMatching(/Z$/),
        },
      });
    }
  });

  it('needs a key', async () => {
    const res = await call(server, 'GET', '/v1/wire/account');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });
});

describe('API keys', () => {
  it('creates a key shown once, lists keys without them, and marks the one in use', async () => {
    const account = await server.newAccount(0);
    const created = await call(server, 'POST', '/v1/wire/keys', {
      key: account.key,
      body: { name: 'ci' },
    });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatchObject({ name: 'ci', key: expect.stringMatching(/^tw_/) });
    const fresh = created.body.key.key as string;
    expect((await call(server, 'GET', '/v1/wire/account', { key: fresh })).status).toBe(200);

    const list = await call(server, 'GET', '/v1/holocron/keys', { key: fresh });
    expect(list.body.keys.map((k: any) => [k.name, k.current])).toEqual([
      ['default', false],
      ['ci', true],
    ]);
    expect(list.text).not.toContain(fresh);
    expect(list.text).not.toContain(account.key);
    expect(list.text).not.toContain('hash');
  });

  it('revokes a key at once; never the last active one; the one in use only when confirmed', async () => {
    const account = await server.newAccount(0);
    const second = (
      await call(server, 'POST', '/v1/wire/keys', { key: account.key, body: { name: 'two' } })
    ).body.key;
    const keys = (await call(server, 'GET', '/v1/wire/keys', { key: account.key })).body.keys;
    const first = keys.find((k: any) => k.current);

    const own = await call(server, 'DELETE', `/v1/wire/keys/${first.id}`, { key: account.key });
    expect(own.status).toBe(409);
    expect(own.body.error.message).toMatch(/signs you out/);

    const revoked = await call(server, 'DELETE', `/v1/wire/keys/${second.id}`, {
      key: account.key,
    });
    expect(revoked.body).toEqual({ status: 'ok' });
    expect((await call(server, 'GET', '/v1/wire/account', { key: second.key })).status).toBe(401);

    const last = await call(server, 'DELETE', `/v1/wire/keys/${first.id}?confirm=true`, {
      key: account.key,
    });
    expect(last.status).toBe(409);
    expect(last.body.error.message).toMatch(/last active API key/);
    expect((await call(server, 'GET', '/v1/wire/account', { key: account.key })).status).toBe(200);

    const third = (await call(server, 'POST', '/v1/wire/keys', { key: account.key, body: {} })).body
      .key;
    const confirmed = await call(server, 'DELETE', `/v1/wire/keys/${first.id}?confirm=true`, {
      key: account.key,
    });
    expect(confirmed.status).toBe(200);
    expect((await call(server, 'GET', '/v1/wire/account', { key: account.key })).status).toBe(401);
    expect((await call(server, 'GET', '/v1/wire/account', { key: third.key })).status).toBe(200);
  });

  it("answers 404 for another account's key and changes nothing", async () => {
    const other = await server.newAccount(0);
    const theirs = (await call(server, 'GET', '/v1/wire/keys', { key: other.key })).body.keys[0];
    await call(server, 'POST', '/v1/wire/keys', { key: server.key, body: { name: 'spare' } });
    const res = await call(server, 'DELETE', `/v1/wire/keys/${theirs.id}?confirm=true`, {
      key: server.key,
    });
    expect(res.status).toBe(404);
    expect((await call(server, 'GET', '/v1/wire/account', { key: other.key })).status).toBe(200);
  });

  it('refuses an unknown field in the body', async () => {
    const res = await call(server, 'POST', '/v1/wire/keys', {
      key: server.key,
      body: { name: 'x', scope: 'all' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
  });
});
