// web_screenshot and web_pdf through a real server and a real Chromium: the jobs complete
// with their file listed in `files[]`, and GET /jobs/{id}/download serves the exact bytes with
// their content type. A browser action that fails gets a screenshot of the page it was on.
import { afterAll, beforeAll, expect, it } from 'vitest';

import { builtInCatalogs } from '../../src/actions/index.js';
import { testCatalog } from '../fixtures/catalogs/test-catalog.js';
import { startVictim, startWebSite, totalHits, type WebSite } from '../fixtures/sites/web/site.js';
import { describeBrowser } from '../runtime/chromium.js';
import { call, startTestServer, type TestServer, waitForJob } from '../support/taskwire.js';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let site: WebSite;
let victim: WebSite;
let server: TestServer;

beforeAll(async () => {
  victim = await startVictim();
  site = await startWebSite({ victimOrigin: victim.origin });
  server = await startTestServer({ catalogs: [...builtInCatalogs, testCatalog] });
});
afterAll(async () => {
  await server?.close();
  await site?.close();
  await victim?.close();
});

const balance = async () =>
  (await call(server, 'GET', '/v1/wire/credits', { key: server.key })).body.balance as number;

/** Submits and waits for the job's terminal body. */
async function runTask(actionId: string, params: Record<string, unknown>) {
  const res = await call(server, 'POST', '/v1/wire/task', {
    key: server.key,
    body: { action_id: actionId, params },
  });
  expect(res.status).toBe(202);
  return {
    id: res.body.job_id as string,
    body: await waitForJob(server, server.key, res.body.job_id, 60_000),
  };
}

/** GET /jobs/{id}/download?file=, with the raw bytes. */
async function download(id: string, file: string, key = server.key) {
  const res = await fetch(
    `${server.url}/v1/wire/jobs/${id}/download?file=${encodeURIComponent(file)}`,
    { headers: { 'x-api-key': key } },
  );
  const bytes = Buffer.from(await res.arrayBuffer());
  let json: any;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, bytes, json };
}

describeBrowser('web_screenshot and web_pdf through the API', () => {
  it('screenshots a page: a PNG of the viewport, listed in files[] and downloadable', async () => {
    const { id, body } = await runTask('web_screenshot', {
      url: `${site.origin}/old`,
      viewport_width: 1024,
      viewport_height: 700,
    });
    expect(body).toMatchObject({
      status: 'completed',
      credits_used: 2,
      data: {
        url: `${site.origin}/old`,
        final_url: `${site.origin}/article`,
        title: 'Vector clocks, explained | The Example Journal',
        width: 1024,
        height: 700,
        truncated: false,
        file: 'screenshot.png',
      },
    });
    expect(body.files).toEqual([
      { name: 'screenshot.png', content_type: 'image/png', size_bytes: expect.any(Number) },
    ]);
    const file = await download(id, 'screenshot.png');
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="screenshot.png"');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.bytes.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    expect(file.bytes.length).toBe(body.files[0].size_bytes);
    // The image is what the data says: IHDR width and height.
    expect([file.bytes.readUInt32BE(16), file.bytes.readUInt32BE(20)]).toEqual([1024, 700]);
  });

  it('captures the whole page with full_page, cut at 16384 px when taller', async () => {
    const tall = await runTask('web_screenshot', {
      url: `${site.origin}/tall?px=2500`,
      full_page: true,
      viewport_width: 320,
    });
    expect(tall.body.data).toMatchObject({ width: 320, height: 2500, truncated: false });
    const huge = await runTask('web_screenshot', {
      url: `${site.origin}/tall?px=40000`,
      full_page: true,
      viewport_width: 320,
    });
    expect(huge.body.data).toMatchObject({ width: 320, height: 16_384, truncated: true });
  });

  it('prints a page to PDF: listed in files[], downloaded as application/pdf', async () => {
    const { id, body } = await runTask('web_pdf', {
      url: `${site.origin}/tall?px=3000`,
      format: 'Letter',
      landscape: true,
      print_background: true,
    });
    expect(body).toMatchObject({
      status: 'completed',
      credits_used: 3,
      data: {
        url: `${site.origin}/tall?px=3000`,
        final_url: `${site.origin}/tall?px=3000`,
        title: 'A tall page',
        format: 'Letter',
        landscape: true,
        file: 'page.pdf',
      },
    });
    // 3000 px of content does not fit on one landscape Letter page.
    expect(body.data.pages).toBeGreaterThan(1);
    expect(body.files).toEqual([
      { name: 'page.pdf', content_type: 'application/pdf', size_bytes: expect.any(Number) },
    ]);
    const file = await download(id, 'page.pdf');
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="page.pdf"');
    expect(file.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(file.bytes.length).toBe(body.files[0].size_bytes);
  });

  it('answers 400 for a file the job does not have, 404 for a job that is not yours', async () => {
    const { id } = await runTask('web_screenshot', { url: `${site.origin}/bare` });
    const unknown = await download(id, 'page.pdf');
    expect(unknown.status).toBe(400);
    expect(unknown.json).toMatchObject({
      status: 'error',
      error: { code: 'BAD_REQUEST', message: `Job '${id}' has no file 'page.pdf'.` },
    });
    const missing = await call(server, 'GET', `/v1/wire/jobs/${id}/download`, { key: server.key });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('BAD_REQUEST');
    const other = await server.newAccount(10);
    const theirs = await download(id, 'screenshot.png', other.key);
    expect(theirs.status).toBe(404);
    expect(theirs.json.error.code).toBe('NOT_FOUND');
    const nobody = await download('00000000-0000-4000-8000-000000000000', 'screenshot.png');
    expect(nobody.status).toBe(404);
    const anonymous = await fetch(`${server.url}/v1/wire/jobs/${id}/download?file=screenshot.png`);
    expect(anonymous.status).toBe(401);
  });

  it('attaches a screenshot of the page a failing browser action was on, and only that', async () => {
    const before = await balance();
    const { id, body } = await runTask('test_browser_fail', { url: `${site.origin}/article` });
    expect(body).toMatchObject({
      status: 'failed',
      credits_used: 0,
      error: { code: 'EXECUTION_FAILED', message: 'The page does not have the expected markup.' },
    });
    // The file the action attached before failing is not kept: files go with success only.
    expect(body.files).toEqual([
      { name: 'failure.png', content_type: 'image/png', size_bytes: expect.any(Number) },
    ]);
    const file = await download(id, 'failure.png');
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.bytes.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    expect((await download(id, 'partial.txt')).status).toBe(400);
    expect(await balance()).toBe(before);
  });

  it('fails a screenshot of a missing page with the status, its failure screenshot attached', async () => {
    const { id, body } = await runTask('web_screenshot', { url: `${site.origin}/no-such-page` });
    expect(body).toMatchObject({
      status: 'failed',
      error: {
        code: 'EXECUTION_FAILED',
        message: `${site.origin}/no-such-page answered 404 Not Found.`,
      },
    });
    expect(body.files.map((f: { name: string }) => f.name)).toEqual(['failure.png']);
    expect((await download(id, 'failure.png')).bytes.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
  });

  it('refuses internal URLs at submit, and fails a redirect inward with INVALID_TARGET', async () => {
    const before = await balance();
    for (const action of ['web_screenshot', 'web_pdf']) {
      const res = await call(server, 'POST', '/v1/wire/task', {
        key: server.key,
        body: { action_id: action, params: { url: 'http://127.0.0.1:1/' } },
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'INVALID_PARAMS', issues: [{ path: '/url' }] });
    }
    const { body } = await runTask('web_pdf', { url: `${site.origin}/to-victim` });
    expect(body).toMatchObject({ status: 'failed', error: { code: 'INVALID_TARGET' } });
    expect(totalHits(victim)).toBe(0);
    expect(await balance()).toBe(before);
  });
});
