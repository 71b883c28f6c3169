// web_scrape through the API: a real page scraped end to end, hostile URLs refused at submit
// with a 400 that costs nothing, and hostile redirects failing the job with a refund.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startVictim, startWebSite, totalHits, type WebSite } from '../fixtures/sites/web/site.js';
import { call, startTestServer, type TestServer, waitForJob } from '../support/taskwire.js';

let site: WebSite;
let victim: WebSite;
let server: TestServer;

beforeAll(async () => {
  victim = await startVictim();
  site = await startWebSite({ victimOrigin: victim.origin });
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
  await site?.close();
  await victim?.close();
});

const balance = async () =>
  (await call(server, 'GET', '/v1/wire/credits', { key: server.key })).body.balance as number;
const submit = (url: string) =>
  call(server, 'POST', '/v1/wire/task', {
    key: server.key,
    body: { action_id: 'web_scrape', params: { url } },
  });

describe('web_scrape through the API', () => {
  it('scrapes a page: title, description, headings, text, links, Open Graph and JSON-LD', async () => {
    const res = await submit(`${site.origin}/old`);
    expect(res.status).toBe(202);
    const done = await waitForJob(server, server.key, res.body.job_id);
    expect(done.status).toBe('completed');
    expect(done.credits_used).toBe(1);
    expect(done.data).toMatchObject({
      url: `${site.origin}/article`,
      status_code: 200,
      title: expect.any(String),
      description: expect.any(String),
      language: expect.any(String),
      open_graph: expect.objectContaining({ title: expect.any(String) }),
    });
    expect(done.data.headings.length).toBeGreaterThan(0);
    expect(done.data.text).toContain('Vector clocks');
    expect(done.data.json_ld.length).toBeGreaterThan(0);
    expect(done.data.links.length).toBeGreaterThan(0);
  });

  it.each([
    ['a loopback IP literal', 'http://127.0.0.1:1/'],
    ['a hex loopback spelling', 'http://0x7f000001/'],
    ['localhost', 'http://localhost:8080/'],
    ['the metadata address', 'http://169.254.169.254/latest/meta-data/'],
    ['a private range', 'http://10.0.0.1/'],
    ['IPv6 loopback', 'http://[::1]/'],
    ['a file URL', 'file:///etc/passwd'],
    ['gopher', 'gopher://example.com/'],
    ['credentials in the URL', 'http://user:pass@example.com/'],
    ['not a URL at all', 'example dot com'],
  ])('refuses %s at submit with 400 INVALID_PARAMS and charges nothing', async (_name, url) => {
    const before = await balance();
    const res = await submit(url);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_PARAMS');
    expect(res.body.error.issues[0].path).toBe('/url');
    expect(await balance()).toBe(before);
  });

  it('fails a job redirected to an internal address with INVALID_TARGET, refunded, victim untouched', async () => {
    const before = await balance();
    const res = await submit(`${site.origin}/to-victim`);
    expect(res.status).toBe(202);
    const done = await waitForJob(server, server.key, res.body.job_id);
    expect(done).toMatchObject({
      status: 'failed',
      credits_used: 0,
      error: { code: 'INVALID_TARGET' },
    });
    expect(totalHits(victim)).toBe(0);
    expect(await balance()).toBe(before);
  });

  it('fails a missing page with EXECUTION_FAILED naming the status, refunded', async () => {
    const before = await balance();
    const res = await submit(`${site.origin}/no-such-page`);
    const done = await waitForJob(server, server.key, res.body.job_id);
    expect(done).toMatchObject({
      status: 'failed',
      credits_used: 0,
      error: { code: 'EXECUTION_FAILED', message: expect.stringContaining('404') },
    });
    expect(await balance()).toBe(before);
  });
});
