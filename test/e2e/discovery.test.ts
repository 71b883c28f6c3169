// Discovery routes: catalog, one catalog, search and resolve — anonymous and with a key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { linkedInStorageState } from '../fixtures/sites/linkedin/site.js';
import { call, startTestServer, type TestServer } from '../support/taskwire.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

describe('GET /catalog', () => {
  it('lists every catalog with its Wire fields, without a key', async () => {
    const res = await call(server, 'GET', '/v1/holocron/catalog');
    expect(res.status).toBe(200);
    const linkedin = res.body.catalog.find((c: { slug: string }) => c.slug === 'linkedin');
    expect(linkedin).toEqual({
      id: expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      ),
      slug: 'linkedin',
      name: 'LinkedIn',
      url: 'https://www.linkedin.com',
      domain: 'linkedin.com',
      category: expect.any(String),
      description: expect.any(String),
      logo_url: expect.any(String),
      auth_required: true,
      auth_type: 'browser_state',
      auth_types: ['browser_state'],
      auth_login_url: expect.any(String),
      status: 'active',
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
      action_count: 4,
    });
    const web = res.body.catalog.find((c: { slug: string }) => c.slug === 'web');
    expect(web.auth_required).toBe(false);
    expect(web).not.toHaveProperty('auth_type');
  });
});

describe('GET /catalog/{slug}', () => {
  it('returns the catalog, its actions with parameters and schemas', async () => {
    const res = await call(server, 'GET', '/v1/wire/catalog/linkedin');
    expect(res.status).toBe(200);
    const [action] = res.body.actions;
    expect(action).toMatchObject({
      action_id: 'li_profile_scrape',
      catalog_id: res.body.catalog.id,
      type: 'read',
      mode: 'async',
      auth_mode: 'required',
      auth_required: true,
      credits_per_call: 2,
      status: 'active',
      parameters: [
        { name: 'profile_url', type: 'string', required: true, description: expect.any(String) },
      ],
    });
    expect(action.input_schema.properties.profile_url.type).toBe('string');
    expect(action.output_schema.properties.name).toBeDefined();
    expect(Array.isArray(res.body.login_input_schema)).toBe(true);
  });

  it('answers 404 "Catalog entry not found" for an unknown slug', async () => {
    const res = await call(server, 'GET', '/v1/wire/catalog/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      status: 'error',
      error: { code: 'NOT_FOUND', message: 'Catalog entry not found' },
    });
  });
});

describe('GET /search', () => {
  it('ranks the best match first and AND-combines filters', async () => {
    const res = await call(server, 'GET', '/v1/wire/search?q=linkedin%20profile');
    expect(res.body.results[0]).toMatchObject({
      action_id: 'li_profile_scrape',
      catalog_slug: 'linkedin',
      catalog_name: 'LinkedIn',
      auth_required: true,
      connected: false,
      credits: 2,
    });
    const filtered = await call(
      server,
      'GET',
      '/v1/wire/search?q=scrape&catalog=web&auth_mode=none',
    );
    expect(filtered.body.results.map((r: { action_id: string }) => r.action_id)).toEqual([
      'web_scrape',
    ]);
    const noAuth = await call(server, 'GET', '/v1/wire/search?auth=false');
    expect(noAuth.body.results.every((r: { auth_required: boolean }) => !r.auth_required)).toBe(
      true,
    );
    const none = await call(server, 'GET', '/v1/wire/search?q=zzzqqq');
    expect(none.body.results).toEqual([]);
  });

  it('rejects a bad filter value with 400', async () => {
    const res = await call(server, 'GET', '/v1/wire/search?auth_mode=sometimes');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
  });
});

describe('GET /resolve', () => {
  it('needs q', async () => {
    const res = await call(server, 'GET', '/v1/wire/resolve');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
  });

  it('reports auth_satisfied as null anonymously, false without a login, true with one', async () => {
    const path = '/v1/wire/resolve?q=scrape%20a%20linkedin%20profile&limit=1';
    const anonymous = await call(server, 'GET', path);
    expect(anonymous.body).toEqual({
      next: 'POST /v1/wire/task with {action_id, params}',
      results: [
        {
          action_id: 'li_profile_scrape',
          catalog: 'linkedin',
          credits: 2,
          auth_required: true,
          auth_satisfied: null,
          params: { required: [{ name: 'profile_url', type: 'string' }], optional: [] },
        },
      ],
    });
    const account = await server.newAccount(0);
    expect(
      (await call(server, 'GET', path, { key: account.key })).body.results[0].auth_satisfied,
    ).toBe(false);
    await call(server, 'POST', '/v1/wire/identities', {
      key: account.key,
      body: {
        catalog_id: 'linkedin',
        name: 'me',
        credential: { type: 'browser_state', data: linkedInStorageState('x') },
      },
    });
    expect(
      (await call(server, 'GET', path, { key: account.key })).body.results[0].auth_satisfied,
    ).toBe(true);
    const search = await call(server, 'GET', '/v1/wire/search?q=linkedin', { key: account.key });
    expect(search.body.results[0].connected).toBe(true);
  });
});

describe('meta routes', () => {
  it('serves /health and /llms.txt without a key', async () => {
    expect((await call(server, 'GET', '/health')).body).toEqual({ status: 'ok' });
    const llms = await call(server, 'GET', '/llms.txt');
    expect(llms.headers.get('content-type')).toContain('text/plain');
    expect(llms.text).toContain('POST /v1/wire/task');
    expect(llms.text).toContain('li_profile_scrape');
  });

  it('serves every catalog’s logo_url', async () => {
    const { body } = await call(server, 'GET', '/v1/wire/catalog');
    for (const entry of body.catalog) {
      const res = await fetch(`${server.url}${entry.logo_url}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('image/svg+xml');
      expect(await res.text()).toContain('<svg');
    }
    expect((await call(server, 'GET', '/static/logos/nope.svg')).status).toBe(404);
  });
});
