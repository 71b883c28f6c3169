// The OpenAPI document is generated from the route schemas: it lists every route, and real
// responses of every route validate against the schemas it publishes.
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { builtInCatalogs } from '../../src/actions/index.js';
import { listRoutes } from '../../src/api/index.js';
import { testCatalog } from '../fixtures/catalogs/test-catalog.js';
import { linkedInStorageState } from '../fixtures/sites/linkedin/site.js';
import { call, startTestServer, type TestServer } from '../support/taskwire.js';

let server: TestServer;
let doc: any;

beforeAll(async () => {
  server = await startTestServer({ catalogs: [...builtInCatalogs, testCatalog] });
  doc = (await call(server, 'GET', '/openapi.json')).body;
});
afterAll(async () => server?.close());

/** Turns `/v1/wire/jobs/:id` into the document's `/v1/wire/jobs/{id}`. */
const openapiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

describe('GET /openapi.json', () => {
  it('is OpenAPI 3.1 and lists every route the server answers', () => {
    expect(doc.openapi).toBe('3.1.0');
    const routes = listRoutes(server.taskwire.server)
      .filter(({ url }) => !url.startsWith('/docs') && url !== '/openapi.json')
      .map(({ method, url }) => [method.toLowerCase(), url] as const);
    expect(routes.length).toBeGreaterThan(20);
    for (const [method, url] of routes) {
      expect(doc.paths[openapiPath(url)]?.[method], `${method} ${url}`).toBeDefined();
    }
  });

  it('serves the interactive API reference at /docs', async () => {
    const res = await fetch(`${server.url}/docs`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('openapi.json');
  });
});

describe('real responses match the published schemas', () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);

  function expectConforms(method: string, path: string, status: number, body: unknown) {
    const templated = Object.keys(doc.paths).find((p) =>
      new RegExp(`^${p.replace(/\{\w+\}/g, '[^/]+')}$`).test(path),
    );
    expect(templated, `${method} ${path} is documented`).toBeDefined();
    const response = doc.paths[templated!][method.toLowerCase()].responses[String(status)];
    expect(response, `${method} ${path} documents ${status}`).toBeDefined();
    const schema = response.content?.['application/json']?.schema;
    if (!schema) return;
    const validate = ajv.compile(schema);
    expect(validate(body), `${method} ${path} ${status}: ${ajv.errorsText(validate.errors)}`).toBe(
      true,
    );
  }

  it('validates a tour of every route, successes and errors', async () => {
    const key = server.key;
    const identity = await call(server, 'POST', '/v1/wire/identities', {
      key,
      body: {
        catalog_id: 'linkedin',
        name: 'oa',
        credential: { type: 'browser_state', data: linkedInStorageState('x') },
      },
    });
    const sync = await call(server, 'POST', '/v1/wire/task', {
      key,
      body: { action_id: 'test_echo', params: { message: 'x' } },
    });
    const async_ = await call(server, 'POST', '/v1/wire/task', {
      key,
      body: { action_id: 'test_flaky', params: { key: 'oa', failures: 0 } },
    });
    const tour: Array<[string, string, { key?: string; body?: unknown }?]> = [
      ['GET', '/health'],
      ['GET', '/v1/wire/catalog'],
      ['GET', '/v1/wire/catalog/linkedin'],
      ['GET', '/v1/wire/catalog/nope'],
      ['GET', '/v1/wire/search?q=profile'],
      ['GET', '/v1/wire/resolve?q=scrape%20a%20page', { key }],
      ['GET', '/v1/wire/resolve'],
      ['GET', `/v1/wire/jobs/${async_.body.job_id}`, { key }],
      ['GET', `/v1/wire/jobs/${sync.body.job_id}`, { key }],
      ['GET', '/v1/wire/jobs/00000000-0000-4000-8000-000000000000', { key }],
      ['GET', `/v1/wire/jobs/${sync.body.job_id}/download?file=none.png`, { key }],
      ['GET', '/v1/wire/jobs/00000000-0000-4000-8000-000000000000/download?file=a', { key }],
      ['GET', '/v1/wire/jobs', { key }],
      ['GET', '/v1/wire/jobs'],
      ['GET', '/v1/wire/credits', { key }],
      ['GET', '/v1/wire/identities', { key }],
      ['GET', `/v1/wire/identities/${identity.body.identity.id}`, { key }],
      ['GET', `/v1/wire/identities/${identity.body.identity.id}/credentials`, { key }],
      ['POST', '/v1/wire/task', { key, body: { action_id: 'nope' } }],
      ['POST', '/v1/wire/task', { key, body: { action_id: 'test_echo', params: {} } }],
      ['POST', '/v1/wire/identities', { key, body: { catalog_id: 'linkedin', name: 'oa' } }],
    ];
    expectConforms('POST', '/v1/wire/identities', identity.status, identity.body);
    expectConforms('POST', '/v1/wire/task', sync.status, sync.body);
    expectConforms('POST', '/v1/wire/task', async_.status, async_.body);
    for (const [method, path, options] of tour) {
      const res = await call(server, method, path, options ?? {});
      expectConforms(method, path.split('?')[0]!, res.status, res.body);
    }
  });
});
