// The OpenAPI document is generated from the route schemas: it lists every route, and real
// responses of every documented route validate against the schemas it publishes. The tour
// below must reach every operation in the document, so a new route cannot slip past it.
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { builtInCatalogs } from '../../src/actions/index.js';
import { listRoutes } from '../../src/api/index.js';
import { testCatalog } from '../fixtures/catalogs/test-catalog.js';
import { linkedInStorageState } from '../fixtures/sites/linkedin/site.js';
import { until } from '../support/engines.js';
import { call, startTestServer, type TestServer, waitForJob } from '../support/taskwire.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const PREFIXES = ['/v1/wire', '/v1/holocron'] as const;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

let server: TestServer;
let receiver: WebhookReceiver;
let doc: any;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  server = await startTestServer({
    catalogs: [...builtInCatalogs, testCatalog],
    // A small body limit makes a 413 cheap; a disabled action gives the 503.
    env: { TASKWIRE_BODY_LIMIT: '65536', TASKWIRE_DISABLED_ACTIONS: 'test_wrong_shape' },
  });
  doc = (await call(server, 'GET', '/openapi.json')).body;
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

/** Turns `/v1/wire/jobs/:id` into the document's `/v1/wire/jobs/{id}`. */
const openapiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

/** Every operation in the document, as `METHOD /path`. */
function operations(): string[] {
  return Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
    ([path, item]) =>
      Object.keys(item)
        .filter((m) => METHODS.includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
  );
}

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

  it('documents /v1/holocron exactly as /v1/wire', () => {
    const ops = operations();
    const wire = ops.filter((op) => op.includes(' /v1/wire/'));
    const holocron = ops.filter((op) => op.includes(' /v1/holocron/'));
    expect(holocron.map((op) => op.replace('/v1/holocron/', '/v1/wire/')).sort()).toEqual(
      wire.sort(),
    );
    for (const path of Object.keys(doc.paths).filter((p) => p.startsWith('/v1/wire/'))) {
      const mirror = JSON.stringify(doc.paths[path.replace('/v1/wire/', '/v1/holocron/')]);
      expect(mirror.replaceAll('/v1/holocron/', '/v1/wire/'), path).toBe(
        JSON.stringify(doc.paths[path]).replaceAll('/v1/holocron/', '/v1/wire/'),
      );
    }
  });

  it('gives every response a description and the X-Request-Id header, and errors an example', () => {
    for (const op of operations()) {
      const [method, path] = op.split(' ') as [string, string];
      const responses = doc.paths[path][method.toLowerCase()].responses;
      for (const [status, response] of Object.entries<any>(responses)) {
        expect(response.description, `${op} ${status}`).not.toBe('Default Response');
        expect(response.headers?.['X-Request-Id'], `${op} ${status}`).toBeDefined();
        // A JSON error shows a typical envelope; an HTML or text one is described only.
        const json = response.content?.['application/json'];
        if (Number(status) >= 400 && json) {
          expect(Object.keys(json.examples ?? {}), `${op} ${status}`).not.toHaveLength(0);
        }
      }
      expect(responses['500'], `${op} documents 500`).toBeDefined();
    }
  });

  it('documents the shared error statuses: 401 where a key is checked, 413/415 with a body', () => {
    const task = doc.paths['/v1/wire/task'].post.responses;
    for (const status of ['400', '401', '413', '415', '429', '500']) {
      expect(task[status], status).toBeDefined();
    }
    expect(task['429'].headers['Retry-After']).toBeDefined();
    expect(doc.paths['/health'].get.responses['429']).toBeUndefined();
    expect(doc.paths['/health'].get.responses['401']).toBeUndefined();
    expect(doc.paths['/v1/wire/catalog'].get.responses['401']).toBeDefined();
    expect(doc.paths['/v1/wire/jobs'].get.responses['415']).toBeUndefined();
    expect(doc.paths['/v1/wire/task'].post.tags).toEqual(['Tasks and jobs']);
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

  interface Sent {
    key?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  }

  /**
   * Checks one real response against the document and returns the operation it exercised.
   * It must be documented for its status under the media type it was sent with, and a
   * response without a schema for that media type fails rather than passing unchecked.
   */
  function expectConforms(
    method: string,
    path: string,
    res: { status: number; headers: Headers; body: unknown; text: string },
  ): string {
    // The most specific template wins: /webhooks/deliveries before /webhooks/{id}.
    const templated = Object.keys(doc.paths)
      .filter((p) => doc.paths[p][method.toLowerCase()] !== undefined)
      .filter((p) => new RegExp(`^${p.replace(/\{\w+\}/g, '[^/]+')}$`).test(path))
      .sort((a, b) => a.split('{').length - b.split('{').length)[0];
    const op = `${method} ${templated}`;
    expect(templated, `${method} ${path} is documented`).toBeDefined();
    const response = doc.paths[templated!][method.toLowerCase()]?.responses[String(res.status)];
    expect(response, `${op} documents ${res.status}`).toBeDefined();
    const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    const content = (response.content ?? {}) as Record<string, { schema?: unknown }>;
    // A download documents "any bytes": its real type is the file's own.
    const binary = content['application/octet-stream'];
    const media = content[mediaType] ?? binary;
    expect(media?.schema, `${op} ${res.status} has a schema for ${mediaType}`).toBeDefined();
    if (media === binary && content[mediaType] === undefined) {
      expect(media!.schema).toMatchObject({ type: 'string', format: 'binary' });
      expect(res.headers.get('content-disposition'), op).toMatch(/^attachment;/);
      expect(res.text.length, op).toBeGreaterThan(0);
      return op;
    }
    const value = mediaType === 'application/json' ? res.body : res.text;
    expect(value, `${op} ${res.status} body`).toBeDefined();
    const validate = ajv.compile(media!.schema as object);
    expect(validate(value), `${op} ${res.status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    return op;
  }

  /** Runs the tour under `prefix` and returns the operations it exercised. */
  async function tour(prefix: string): Promise<Set<string>> {
    const covered = new Set<string>();
    const key = server.key;
    const step = async (method: string, path: string, status: number, sent: Sent = {}) => {
      const res = await call(server, method, path, sent);
      expect(res.status, `${method} ${path}: ${res.text.slice(0, 300)}`).toBe(status);
      covered.add(expectConforms(method, path.split('?')[0]!, res));
      return res;
    };
    const w = (path: string) => `${prefix}${path}`;
    const unknown = '00000000-0000-4000-8000-000000000000';
    const name = `oa ${prefix}`;

    // Root routes, outside the Wire prefixes.
    await step('GET', '/health', 200);
    const llms = await step('GET', '/llms.txt', 200);
    expect(llms.text).toContain('/v1/wire/task');
    const metrics = await step('GET', '/metrics', 200);
    expect(metrics.text).toContain('# TYPE');
    const catalogs = await step('GET', w('/catalog'), 200);
    const logo = new URL(catalogs.body.catalog[0].logo_url, server.url).pathname;
    const svg = await step('GET', logo, 200);
    expect(svg.text).toMatch(/^<svg /);
    await step('GET', '/static/logos/nope.svg', 404);
    const connect = await step('GET', '/products/holocron/linkedin/connect', 200);
    expect(connect.headers.get('content-type')).toMatch(/^text\/html/);
    await step('GET', '/products/holocron/nope/connect', 404);
    // The dashboard: its pages, a built script, and a file it does not have.
    for (const page of ['/', '/catalog', '/actions/web_scrape', '/jobs', `/jobs/${unknown}`]) {
      await step('GET', page, 200);
    }
    for (const page of ['/identities', '/credits', '/keys', '/webhooks'])
      await step('GET', page, 200);
    const app = await step('GET', '/', 200);
    await step('GET', /\/assets\/[\w.-]+\.js/.exec(app.text)![0], 200);
    await step('GET', '/assets/nope.js', 404);

    // Discovery.
    await step('GET', w('/catalog?scope=nope'), 400);
    await step('GET', w('/catalog'), 401, { key: 'tw_nope' });
    await step('GET', w('/catalog/linkedin'), 200);
    await step('GET', w('/catalog/nope'), 404);
    await step('GET', w('/search?q=profile'), 200);
    await step('GET', w('/resolve?q=scrape%20a%20page'), 200, { key });
    const noQuery = await step('GET', w('/resolve'), 400);
    expect(noQuery.body.error.issues).toEqual([
      { path: '/querystring/q', message: "'q' is required" },
    ]);

    // Tasks: every kind of answer POST /task gives, with the envelope's extras intact.
    const sync = await step('POST', w('/task'), 200, {
      key,
      body: { action_id: 'test_echo', params: { message: 'x' } },
    });
    await step('POST', w('/task'), 401, { body: { action_id: 'test_echo' } });
    const badBody = await step('POST', w('/task'), 400, {
      key,
      body: { action_id: 'test_echo', x: 1 },
    });
    expect(badBody.body.error.issues).toEqual([{ path: '/x', message: "unknown field 'x'" }]);
    const badParams = await step('POST', w('/task'), 400, {
      key,
      body: { action_id: 'test_echo', params: {} },
    });
    expect(badParams.body.error).toMatchObject({
      code: 'INVALID_PARAMS',
      issues: [expect.anything()],
    });
    await step('POST', w('/task'), 404, { key, body: { action_id: 'nope' } });
    await step('POST', w('/task'), 415, {
      key,
      rawBody: 'hello',
      headers: { 'content-type': 'text/plain' },
    });
    await step('POST', w('/task'), 413, {
      key,
      body: { action_id: 'test_echo', params: { message: 'x'.repeat(70_000) } },
    });
    await step('POST', w('/task'), 503, { key, body: { action_id: 'test_wrong_shape' } });
    const poor = await server.newAccount(0);
    const broke = await step('POST', w('/task'), 402, {
      key: poor.key,
      body: { action_id: 'test_echo', params: { message: 'x' } },
    });
    expect(broke.body.error).toMatchObject({
      code: 'INSUFFICIENT_CREDITS',
      balance: 0,
      required: 1,
    });
    const stranger = await server.newAccount(10);
    const noLogin = await step('POST', w('/task'), 401, {
      key: stranger.key,
      body: {
        action_id: 'li_profile_scrape',
        params: { profile_url: 'https://www.linkedin.com/in/x' },
      },
    });
    expect(noLogin.body.error).toMatchObject({
      code: 'AUTH_REQUIRED',
      connect_url: '/products/holocron/linkedin/connect',
    });
    const idem = { 'idempotency-key': `oa-${prefix}` };
    await step('POST', w('/task'), 200, {
      key,
      headers: idem,
      body: { action_id: 'test_echo', params: { message: 'a' } },
    });
    await step('POST', w('/task'), 422, {
      key,
      headers: idem,
      body: { action_id: 'test_echo', params: { message: 'b' } },
    });

    // Jobs: reading, long-polling, files, the log, the list, cancelling.
    const withFiles = await step('POST', w('/task'), 202, {
      key,
      body: {
        action_id: 'test_files',
        params: { files: [{ name: 'shot.png', content_type: 'image/png', size: 300 }] },
      },
    });
    expect(await waitForJob(server, key, withFiles.body.job_id)).toMatchObject({
      status: 'completed',
    });
    await step('GET', w(`/jobs/${withFiles.body.job_id}?wait=5`), 200, { key });
    const file = await step(
      'GET',
      w(`/jobs/${withFiles.body.job_id}/download?file=shot.png`),
      200,
      { key },
    );
    expect(file.headers.get('content-type')).toBe('image/png');
    await step('GET', w(`/jobs/${sync.body.job_id}/download?file=none.png`), 400, { key });
    await step('GET', w(`/jobs/${unknown}/download?file=a.png`), 404, { key });
    await step('GET', w(`/jobs/${sync.body.job_id}/download`), 400, { key });
    await step('GET', w(`/jobs/${sync.body.job_id}`), 200, { key });
    await step('GET', w(`/jobs/${unknown}`), 404, { key });
    await step('GET', w(`/jobs/${sync.body.job_id}?wait=999`), 400, { key });
    await step('GET', w(`/jobs/${sync.body.job_id}`), 401);
    const events = await step('GET', w(`/jobs/${sync.body.job_id}/events`), 200, { key });
    expect(events.body.events.length).toBeGreaterThan(0);
    await step('GET', w(`/jobs/${unknown}/events`), 404, { key });
    await step('GET', w('/jobs?status=completed&limit=5'), 200, { key });
    await step('GET', w('/jobs?limit=1000'), 400, { key });
    await step('GET', w('/jobs'), 401);
    const long = await step('POST', w('/task'), 202, {
      key,
      body: { action_id: 'test_wait', params: { key: `oa-${prefix}`, ms: 60_000 } },
    });
    const cancelled = await step('POST', w(`/jobs/${long.body.job_id}/cancel`), 200, { key });
    expect(cancelled.body.error.code).toBe('CANCELLED');
    await step('POST', w(`/jobs/${long.body.job_id}/cancel`), 409, { key });
    await step('POST', w(`/jobs/${unknown}/cancel`), 404, { key });

    // Identities and credentials.
    const identity = await step('POST', w('/identities'), 201, {
      key,
      body: {
        catalog_id: 'linkedin',
        name,
        credential: { type: 'browser_state', data: linkedInStorageState('x') },
      },
    });
    const id = identity.body.identity.id as string;
    await step('POST', w('/identities'), 409, { key, body: { catalog_id: 'linkedin', name } });
    await step('POST', w('/identities'), 404, { key, body: { catalog_id: 'nope', name } });
    await step('POST', w('/identities'), 400, { key, body: { catalog_id: 'linkedin' } });
    await step('GET', w('/identities?catalog_id=linkedin'), 200, { key });
    await step('GET', w(`/identities/${id}`), 200, { key });
    await step('GET', w(`/identities/${unknown}`), 404, { key });
    await step('GET', w(`/identities/${id}/credentials`), 200, { key });
    await step('PATCH', w(`/identities/${id}`), 200, { key, body: { name: `${name} renamed` } });
    await step('PATCH', w(`/identities/${id}`), 400, { key, body: {} });
    const credential = await step('POST', w(`/identities/${id}/credentials`), 201, {
      key,
      body: { credential_type: 'browser_state', data: linkedInStorageState('y') },
    });
    await step('POST', w(`/identities/${id}/credentials`), 400, {
      key,
      body: { credential_type: 'api_key', data: 'k' },
    });
    await step('DELETE', w(`/credentials/${credential.body.credential.id}`), 200, { key });
    await step('DELETE', w(`/credentials/${credential.body.credential.id}`), 404, { key });
    await step('POST', w('/credentials/verify'), 404, { key, body: { identity_id: unknown } });
    await step('POST', w('/credentials/verify'), 400, { key, body: {} });
    await step('DELETE', w(`/identities/${id}`), 200, { key });
    await step('DELETE', w(`/identities/${id}`), 404, { key });

    // Sign-in through a login form: refused before any browser starts.
    const login = await step('POST', w('/login'), 400, {
      key,
      body: { catalog_slug: 'linkedin', params: { username: 'ada@example.com' } },
    });
    expect(login.body.error).toMatchObject({
      code: 'INVALID_PARAMS',
      missing_fields: ['password'],
    });
    await step('POST', w('/login'), 404, { key, body: { catalog_slug: 'nope', params: {} } });

    // One job as the dashboard shows it (a Taskwire addition).
    await step('GET', w(`/jobs/${long.body.job_id}/summary`), 200, { key });
    await step('GET', w(`/jobs/${unknown}/summary`), 404, { key });

    // The account and its API keys (Taskwire additions).
    await step('GET', w('/account'), 200, { key });
    await step('GET', w('/account'), 401);
    const made = await step('POST', w('/keys'), 201, { key, body: { name: `oa ${prefix}` } });
    await step('POST', w('/keys'), 400, { key, body: { scope: 'all' } });
    await step('GET', w('/keys'), 200, { key });
    await step('DELETE', w(`/keys/${made.body.key.id}`), 200, { key });
    await step('DELETE', w(`/keys/${made.body.key.id}`), 404, { key });

    // Credits.
    await step('GET', w('/credits?limit=2'), 200, { key });
    await step('GET', w('/credits?page=0'), 400, { key });
    await step('GET', w('/credits'), 401);

    // Webhooks: an endpoint, a delivery it gets, the secret, removal.
    const hooker = await server.newAccount(10);
    const hook = await step('POST', w('/webhooks'), 201, {
      key: hooker.key,
      body: { url: `${receiver.origin}/oa`, events: ['job.completed'] },
    });
    await step('POST', w('/webhooks'), 400, {
      key: hooker.key,
      body: { url: `${receiver.origin}/oa`, events: ['nope'] },
    });
    await step('GET', w('/webhooks'), 200, { key: hooker.key });
    await step('POST', w('/task'), 200, {
      key: hooker.key,
      body: { action_id: 'test_echo', params: { message: 'hook' } },
    });
    let deliveries: any = undefined;
    await until(async () => {
      deliveries = await call(server, 'GET', w('/webhooks/deliveries'), { key: hooker.key });
      return deliveries.body.deliveries.length > 0;
    });
    await step('GET', w('/webhooks/deliveries?limit=5'), 200, { key: hooker.key });
    await step('GET', w('/webhooks/deliveries?limit=0'), 400, { key: hooker.key });
    await step('GET', w(`/webhooks/deliveries/${deliveries.body.deliveries[0].id}`), 200, {
      key: hooker.key,
    });
    await step('GET', w(`/webhooks/deliveries/${unknown}`), 404, { key: hooker.key });
    await step('POST', w('/webhooks/secret/rotate'), 200, { key: hooker.key });
    await step('POST', w('/webhooks/secret/rotate'), 401);
    await step('DELETE', w(`/webhooks/${hook.body.webhook.id}`), 200, { key: hooker.key });
    await step('DELETE', w(`/webhooks/${hook.body.webhook.id}`), 404, { key: hooker.key });
    return covered;
  }

  for (const prefix of PREFIXES) {
    it(`validates a tour that reaches every documented operation under ${prefix}`, async () => {
      const covered = await tour(prefix);
      const other = PREFIXES.find((p) => p !== prefix)!;
      const expected = operations().filter((op) => !op.includes(` ${other}/`));
      // A documented operation the tour never reached is a failure: extend the tour.
      expect(expected.filter((op) => !covered.has(op))).toEqual([]);
    });
  }
});
