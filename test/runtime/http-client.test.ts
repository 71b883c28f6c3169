// The action HTTP client against the loopback stand-in: redirects (T8d), decoding, caps (T8f),
// status mapping, origin mapping with cookies under the real domain, and cancellation.
import { createServer } from 'node:net';

import { CookieJar } from 'tough-cookie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  ActionTimeoutError,
  BlockedError,
  createHttpClient,
  ExecutionError,
  InvalidTargetError,
  TransientError,
  type HttpClientOptions,
} from '../../src/runtime/index.js';
import {
  articleHtml,
  startVictim,
  startWebSite,
  totalHits,
  type WebSite,
} from '../fixtures/sites/web/site.js';

const REAL = 'https://www.example.org';

let victim: WebSite;
let site: WebSite;

beforeAll(async () => {
  victim = await startVictim({ host: '127.0.0.1' });
  site = await startWebSite({ host: '127.0.0.2', victimOrigin: victim.origin });
});
afterAll(async () => {
  await site.close();
  await victim.close();
});

function client(overrides: Partial<HttpClientOptions> = {}) {
  return createHttpClient({
    originMap: new Map(),
    guard: { allowPrivate: false, allowCidrs: ['127.0.0.2/32'] },
    maxBytes: 1_000_000,
    timeoutMs: 5_000,
    ...overrides,
  });
}

/** A client that sends https://www.example.org to the stand-in. */
function mappedClient(overrides: Partial<HttpClientOptions> = {}) {
  return client({ originMap: new Map([[REAL, site.origin]]), ...overrides });
}

const echoOf = (text: string) =>
  JSON.parse(text) as { method: string; headers: Record<string, string>; body: string };

describe('requests and redirects', () => {
  it('sends browser-like headers by default', async () => {
    const res = await client().get(`${site.origin}/echo`);
    const { headers } = echoOf(res.text);
    expect(headers['user-agent']).toMatch(/^Mozilla\/5\.0 \(X11; Linux x86_64\).*Chrome\/\d+/);
    expect(headers['accept-language']).toMatch(/^en-US/);
    expect(headers['accept-encoding']).toBe('gzip, deflate, br');
    expect(headers.accept).toContain('text/html');
  });

  it('follows a redirect chain and reports every hop', async () => {
    const res = await client().get(`${site.origin}/chain`);
    expect(res.status).toBe(200);
    expect(res.url).toBe(`${site.origin}/article`);
    expect(res.redirects).toEqual([`${site.origin}/chain`, `${site.origin}/old`]);
    expect(res.text).toBe(articleHtml());
  });

  it('returns the redirect itself when followRedirects is false', async () => {
    const res = await client().get(`${site.origin}/old`, { followRedirects: false });
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('/article');
    expect(res.redirects).toEqual([]);
  });

  it('gives up after maxRedirects hops', async () => {
    await expect(client({ maxRedirects: 3 }).get(`${site.origin}/loop`)).rejects.toThrow(
      ExecutionError,
    );
    expect(site.hits.get('/loop')).toBe(4);
  });

  it('turns POST into GET on 302 and 303, and keeps it on 307', async () => {
    const http = client();
    const post = {
      method: 'POST' as const,
      body: 'a=1',
      headers: { 'content-type': 'text/plain' },
    };
    for (const path of ['/post-redirect', '/see-other']) {
      const echo = echoOf((await http.request(`${site.origin}${path}`, post)).text);
      expect(echo.method, path).toBe('GET');
      expect(echo.body).toBe('');
      expect(echo.headers['content-type']).toBeUndefined();
    }
    const kept = echoOf((await http.request(`${site.origin}/temporary`, post)).text);
    expect(kept).toMatchObject({ method: 'POST', body: 'a=1' });
  });

  it.each(['/to-victim', '/to-ipv6-loopback', '/to-file', '/to-gopher'])(
    'T8d: refuses the redirect %s before following it, 0 victim hits',
    async (path) => {
      await expect(client().get(`${site.origin}${path}`)).rejects.toBeInstanceOf(
        InvalidTargetError,
      );
      expect(totalHits(victim)).toBe(0);
    },
  );

  it('refuses malformed and over-long URLs', async () => {
    await expect(client().get('not a url')).rejects.toBeInstanceOf(InvalidTargetError);
    await expect(client().get(`${site.origin}/${'a'.repeat(2100)}`)).rejects.toBeInstanceOf(
      InvalidTargetError,
    );
  });
});

describe('bodies', () => {
  it.each(['/gzip', '/br', '/deflate'])('decodes %s', async (path) => {
    const res = await client().get(`${site.origin}${path}`);
    expect(res.text).toBe(articleHtml());
  });

  it('decodes the charset the server names', async () => {
    const res = await client().get(`${site.origin}/latin1`);
    expect(res.text).toContain('Café crème');
  });

  it('T8f: stops a gzip bomb at the cap, counting decompressed bytes', async () => {
    const started = Date.now();
    await expect(client().get(`${site.origin}/gzip-bomb`)).rejects.toThrow(
      `Response from ${site.origin}/gzip-bomb exceeded 1000000 bytes.`,
    );
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('T8f: stops an endless body at the cap', async () => {
    await expect(client().get(`${site.origin}/endless`)).rejects.toThrow(/exceeded 1000000 bytes/);
  });

  it('honours a per-request maxBytes', async () => {
    await expect(client().get(`${site.origin}/article`, { maxBytes: 100 })).rejects.toThrow(
      ExecutionError,
    );
  });

  it('T8f: stops a slow drip at the time budget', async () => {
    const started = Date.now();
    await expect(client({ timeoutMs: 600 }).get(`${site.origin}/slow`)).rejects.toBeInstanceOf(
      ActionTimeoutError,
    );
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('statuses and failures', () => {
  it('returns 4xx pages to the caller', async () => {
    const res = await client().get(`${site.origin}/missing`);
    expect(res.status).toBe(404);
    expect(res.text).toContain('Page not found');
  });

  it('maps 429 to BlockedError with Retry-After seconds', async () => {
    const err = await client()
      .get(`${site.origin}/rate-limited`)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlockedError);
    expect((err as BlockedError).retryAfterMs).toBe(7_000);
    expect((err as BlockedError).retry).toBe('retry');
  });

  it('reads a Retry-After HTTP date', async () => {
    const err = (await client()
      .get(`${site.origin}/rate-limited-date`)
      .catch((e: unknown) => e)) as BlockedError;
    expect(err.retryAfterMs).toBeGreaterThan(110_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it('maps 5xx to TransientError naming the host', async () => {
    const err = await client()
      .get(`${site.origin}/unavailable`)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toBe(`${new URL(site.origin).host} answered 503.`);
  });

  it('maps a refused connection to TransientError', async () => {
    const port = await closedPort('127.0.0.2');
    const err = await client()
      .get(`http://127.0.0.2:${port}/`)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/refused the connection \(ECONNREFUSED\)/);
  });

  it('rethrows the caller signal reason when the job is cancelled', async () => {
    const controller = new AbortController();
    const reason = new Error('lease lost');
    setTimeout(() => controller.abort(reason), 200);
    const http = client({ signal: controller.signal, timeoutMs: 10_000 });
    await expect(http.get(`${site.origin}/slow`)).rejects.toBe(reason);
    await expect(http.get(`${site.origin}/article`)).rejects.toBe(reason);
  });
});

describe('origin mapping', () => {
  it('sends a real URL to the configured origin and reports the real URL', async () => {
    const res = await mappedClient().get(`${REAL}/echo?x=1`);
    expect(res.url).toBe(`${REAL}/echo?x=1`);
    // Host stays the dialled stand-in; the path and query are carried over.
    expect(echoOf(res.text).headers.host).toBe(new URL(site.origin).host);
  });

  it('skips the address guard for mapped origins only', async () => {
    const strict = { allowPrivate: false, allowCidrs: [] };
    const res = await mappedClient({ guard: strict }).get(`${REAL}/article`);
    expect(res.status).toBe(200);
    await expect(client({ guard: strict }).get(`${site.origin}/article`)).rejects.toBeInstanceOf(
      InvalidTargetError,
    );
  });

  it('maps an absolute redirect into the stand-in back to the real origin', async () => {
    const res = await mappedClient().get(`${REAL}/absolute-redirect`);
    expect(res.url).toBe(`${REAL}/article`);
    expect(res.redirects).toEqual([`${REAL}/absolute-redirect`]);
  });

  it('stores cookies under the real domain and sends them on every later hop', async () => {
    const jar = new CookieJar();
    const http = mappedClient({ jar });
    const res = await http.get(`${REAL}/login`);
    // /login sets the cookies and redirects: the next hop must already carry them.
    expect(echoOf(res.text).headers.cookie).toBe('session=s3cr3t; theme=dark');
    expect(res.redirects).toEqual([`${REAL}/login`]);

    const stored = await jar.getCookies(`${REAL}/`);
    expect(stored.map((c) => `${c.key}@${c.domain}`)).toEqual([
      'session@www.example.org',
      'theme@www.example.org',
    ]);
    expect(await jar.getCookieString(site.origin)).toBe('');

    const again = await http.get(`${REAL}/echo`);
    expect(echoOf(again.text).headers.cookie).toBe('session=s3cr3t; theme=dark');
  });
});

/** A port on `host` with nothing listening (bound, noted, closed). */
async function closedPort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
