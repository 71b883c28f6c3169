// The guarded proxy Chromium uses, driven directly over HTTP and TLS (no browser): CONNECT
// and absolute-form requests are resolved, checked and refused like ctx.http's, and mapped
// origins (http, and https through a terminated tunnel) are served from their stand-in.
import { createHash, X509Certificate } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createStandInCerts } from '../../src/runtime/browser-cert.js';
import { startBrowserProxy, type BrowserProxy } from '../../src/runtime/browser-proxy.js';
import { createMappedOrigins } from '../../src/runtime/browser-proxy-mapped.js';
import { createAddressGuard, type ResolveHost } from '../../src/runtime/index.js';
import { startVictim, type Victim } from '../fixtures/sites/web/hostile-page.js';
import { startWebSite, type WebSite } from '../fixtures/sites/web/site.js';
import { GUARD } from './chromium.js';

/** The guard ctx.http would use in tests: only the stand-in address is allowed. */
const guard = createAddressGuard(GUARD);

let victim: Victim;
let site: WebSite;

beforeAll(async () => {
  victim = await startVictim();
  site = await startWebSite({ host: '127.0.0.2' });
});
afterAll(async () => {
  await site.close();
  await victim.close();
});

/** Fake DNS: fixed answers per name; anything else does not exist. */
function fakeDns(answers: Record<string, string[]>): ResolveHost {
  return async (host) =>
    (answers[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** `CONNECT authority` through the proxy; the tunnel is closed at once. */
function connectThrough(proxy: BrowserProxy, authority: string): Promise<Answer> {
  const { port } = new URL(proxy.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'CONNECT', path: authority });
    req.on('connect', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a CONNECT tunnel and hands over its socket (rejects unless the answer is 200). */
function tunnel(proxy: BrowserProxy, authority: string): Promise<Socket> {
  const { port } = new URL(proxy.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'CONNECT', path: authority });
    req.on('connect', (res, socket) =>
      res.statusCode === 200 ? resolve(socket) : reject(new Error(`CONNECT ${res.statusCode}`)),
    );
    req.on('error', reject);
    req.end();
  });
}

/** An absolute-form GET through the proxy, with the Host header Chromium would send. */
function getThrough(proxy: BrowserProxy, url: string): Promise<Answer> {
  const { port } = new URL(proxy.url);
  const headers = { host: new URL(url).host };
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'GET', path: url, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('guarded proxy', () => {
  it('refuses tunnels to every loopback spelling with 403, before connecting', async () => {
    const proxy = await startBrowserProxy({ guard });
    try {
      const p = victim.port;
      for (const authority of [
        `127.0.0.1:${p}`,
        `localhost:${p}`,
        `127.1:${p}`,
        `2130706433:${p}`,
        `0x7f000001:${p}`,
        `[::1]:${p}`,
        `[::ffff:127.0.0.1]:${p}`,
        `0.0.0.0:${p}`,
        `169.254.169.254:80`,
      ]) {
        const answer = await connectThrough(proxy, authority);
        expect(answer.status, authority).toBe(403);
        expect(answer.headers['x-taskwire-refused'], authority).toMatch(/Refused/);
      }
      expect(proxy.refused).toBe(9);
      expect(victim.connections()).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('refuses absolute-form http to loopback with a 403 page naming the reason', async () => {
    const proxy = await startBrowserProxy({ guard });
    try {
      const answer = await getThrough(proxy, `${victim.origin}/`);
      expect(answer.status).toBe(403);
      expect(answer.body).toContain('loopback');
      expect(victim.connections()).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('resolves names itself and refuses one whose answers include a disallowed address', async () => {
    const refusals: string[] = [];
    const proxy = await startBrowserProxy({
      guard,
      lookup: fakeDns({ 'inside.test': ['127.0.0.2', '127.0.0.1'], 'site.test': ['127.0.0.2'] }),
      onRefused: (target) => refusals.push(target),
    });
    try {
      const port = new URL(site.origin).port;
      expect((await getThrough(proxy, `http://inside.test:${port}/article`)).status).toBe(403);
      expect((await connectThrough(proxy, `inside.test:${port}`)).status).toBe(403);
      // The allowed name is dialled at its checked address, Host header unchanged.
      const ok = await getThrough(proxy, `http://site.test:${port}/echo`);
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.body).headers.host).toBe(`site.test:${port}`);
      expect((await connectThrough(proxy, `site.test:${port}`)).status).toBe(200);
      expect(refusals).toEqual([`http://inside.test:${port}/article`, `inside.test:${port}`]);
    } finally {
      await proxy.close();
    }
  });

  it('relays many plain-http requests over a kept-alive upstream without piling up listeners', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    const proxy = await startBrowserProxy({ guard });
    try {
      // One at a time, so Node's keep-alive agent hands each request the same socket.
      for (let i = 0; i < 30; i += 1) {
        expect((await getThrough(proxy, `${site.origin}/echo`)).status).toBe(200);
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
      await proxy.close();
    }
  });

  it('answers 502, not 403, when an allowed host cannot be resolved', async () => {
    const proxy = await startBrowserProxy({ guard, lookup: fakeDns({}) });
    try {
      expect((await connectThrough(proxy, 'nowhere.test:443')).status).toBe(502);
      expect(proxy.refused).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('serves a mapped http origin from its stand-in and maps redirects back', async () => {
    const real = 'http://news.example.org';
    const proxy = await startBrowserProxy({
      guard,
      mapped: createMappedOrigins(new Map([[real, site.origin]]), undefined),
    });
    try {
      const article = await getThrough(proxy, `${real}/article`);
      expect(article.status).toBe(200);
      expect(article.body).toContain('Vector clocks, explained');
      // The stand-in redirects to its own origin; the browser must see the real one.
      const moved = await getThrough(proxy, `${real}/absolute-redirect`);
      expect(moved.status).toBe(302);
      expect(moved.headers.location).toBe(`${real}/article`);
      expect(proxy.refused).toBe(0);
    } finally {
      await proxy.close();
    }
  });
});

describe('mapped https origins', () => {
  it('issues well-formed certificates naming the host, all with the one allow-listed key', async () => {
    const certs = createStandInCerts();
    const proxy = await startBrowserProxy({
      guard,
      mapped: createMappedOrigins(
        new Map(
          ['www.example.org', 'example.com', 'a.b.c.example.net'].map((h) => [
            `https://${h}`,
            site.origin,
          ]),
        ),
        certs,
      ),
    });
    try {
      for (const host of ['www.example.org', 'example.com', 'a.b.c.example.net']) {
        const tls = tlsConnect({
          socket: await tunnel(proxy, `${host}:443`),
          servername: host,
          rejectUnauthorized: false,
        });
        await new Promise((resolve) => tls.once('secureConnect', resolve));
        const cert = new X509Certificate(tls.getPeerCertificate(true).raw);
        tls.destroy();
        expect(cert.subjectAltName).toBe(`DNS:${host}`);
        expect(cert.checkHost(host)).toBe(host);
        expect(cert.verify(cert.publicKey)).toBe(true);
        const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
        expect(createHash('sha256').update(spki).digest('base64')).toBe(certs.spkiHash);
      }
    } finally {
      await proxy.close();
    }
  });

  it('terminates a tunnel to a mapped https origin and serves the stand-in inside it', async () => {
    const proxy = await startBrowserProxy({
      guard,
      mapped: createMappedOrigins(
        new Map([['https://www.example.org', site.origin]]),
        createStandInCerts(),
      ),
    });
    try {
      const tls = tlsConnect({
        socket: await tunnel(proxy, 'www.example.org:443'),
        servername: 'www.example.org',
        rejectUnauthorized: false,
      });
      tls.write(
        'GET /absolute-redirect HTTP/1.1\r\nHost: www.example.org\r\nConnection: close\r\n\r\n',
      );
      let raw = '';
      tls.setEncoding('utf8');
      for await (const chunk of tls) raw += chunk as string;
      expect(raw).toMatch(/^HTTP\/1.1 302/);
      expect(raw).toContain('location: https://www.example.org/article');
      expect(proxy.refused).toBe(0);
    } finally {
      await proxy.close();
    }
  });
});
