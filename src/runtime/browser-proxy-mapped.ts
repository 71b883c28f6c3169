// The guarded proxy's stand-in side: serves mapped real origins (https://www.linkedin.com)
// from their configured stand-ins (http://127.0.0.2:4010), so browser actions reach
// stand-ins exactly as `ctx.http` does while the page keeps the real origin.
//
// For a mapped https origin the proxy terminates the CONNECT tunnel itself with a
// certificate from `StandInCerts`, which the local Chromium accepts because its key is on
// the launch flag --ignore-certificate-errors-spki-list (and only that key). Inside, each
// request is an ordinary HTTP/1.1 request that is re-sent to the stand-in; Location headers
// pointing at the stand-in are mapped back, and cookies stay with Chromium under the real
// origin. WebSocket upgrades are relayed the same way. Like `ctx.http`, stand-ins are
// operator configuration and are not address-guarded.
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, TLSSocket } from 'node:tls';

import type { StandInCerts } from './browser-cert.js';

export interface MappedOrigins {
  /** The configured origin for a real one (`https://host:port` form), if it is mapped. */
  standInFor(realOrigin: string): string | undefined;
  /** Takes over a CONNECT tunnel to a mapped origin (after the 200 has been sent). */
  adoptTunnel(client: Duplex, realOrigin: string, head: Buffer): void;
  /** Forwards an absolute-form request whose origin is mapped. */
  forward(req: IncomingMessage, res: ServerResponse, real: URL): void;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) and the proxy's own: never forwarded. */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Builds the stand-in side for one context's origin map. */
export function createMappedOrigins(
  originMap: ReadonlyMap<string, string>,
  certs: StandInCerts | undefined,
): MappedOrigins {
  // Configured origin → real origin, so redirects to the stand-in keep the real name.
  const reverse = new Map<string, string>();
  for (const [real, mapped] of originMap) reverse.set(new URL(mapped).origin, real);
  // Which real origin a terminated tunnel belongs to; the Host header is not trusted for it.
  const tunnelOrigin = new WeakMap<object, string>();

  const inner = createServer((req, res) => {
    const realOrigin = tunnelOrigin.get(req.socket);
    if (realOrigin === undefined) return void res.writeHead(421).end();
    forward(req, res, new URL(req.url ?? '/', realOrigin));
  });
  inner.on('upgrade', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    const realOrigin = tunnelOrigin.get(req.socket);
    if (realOrigin === undefined) return void client.destroy();
    relayUpgrade(req, client, head, new URL(req.url ?? '/', realOrigin));
  });

  function standInFor(realOrigin: string): string | undefined {
    return originMap.get(realOrigin);
  }

  function target(real: URL): URL {
    return new URL(real.pathname + real.search, standInFor(real.origin) ?? real.origin);
  }

  function outgoingHeaders(req: IncomingMessage, to: URL): IncomingHttpHeaders {
    const headers: IncomingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    // As in ctx.http: the stand-in is addressed by its own name.
    headers.host = to.host;
    return headers;
  }

  function forward(req: IncomingMessage, res: ServerResponse, real: URL): void {
    const to = target(real);
    const send = to.protocol === 'https:' ? httpsRequest : httpRequest;
    const upstream = send(to, { method: req.method, headers: outgoingHeaders(req, to) });
    upstream.on('response', (up) => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(up.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      }
      if (typeof headers.location === 'string') {
        headers.location = realLocation(headers.location, to, real);
      }
      res.writeHead(up.statusCode ?? 502, headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      // The page sees a failed load, as it would if the real site were unreachable.
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end();
      else res.destroy();
    });
    req.pipe(upstream);
  }

  /** Maps a stand-in Location back to the real origin; others pass unchanged. */
  function realLocation(location: string, from: URL, real: URL): string {
    try {
      const next = new URL(location, from);
      const back = reverse.get(next.origin);
      if (back === undefined) return location;
      return new URL(next.pathname + next.search + next.hash, back).href;
    } catch {
      return location === '' ? real.href : location;
    }
  }

  /** WebSockets to a mapped origin: replay the upgrade request to the stand-in, then pipe. */
  function relayUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, real: URL): void {
    const to = target(real);
    const port = Number(to.port || (to.protocol === 'https:' ? 443 : 80));
    const upstream: Socket =
      to.protocol === 'https:'
        ? tlsConnect({ host: to.hostname, port, servername: to.hostname })
        : netConnect({ host: to.hostname, port });
    const headers = { ...req.headers, host: to.host };
    const lines = Object.entries(headers).flatMap(([name, value]) =>
      (Array.isArray(value) ? value : [value ?? '']).map((v) => `${name}: ${v}`),
    );
    upstream.write(
      `${req.method ?? 'GET'} ${to.pathname}${to.search} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`,
    );
    if (head.length > 0) upstream.write(head);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.pipe(client);
    client.pipe(upstream);
  }

  function adoptTunnel(client: Duplex, realOrigin: string, head: Buffer): void {
    if (head.length > 0) client.unshift(head);
    const host = new URL(realOrigin).hostname;
    let socket: Duplex = client;
    if (realOrigin.startsWith('https:')) {
      if (!certs) return void client.destroy();
      const tls = new TLSSocket(client, {
        isServer: true,
        secureContext: certs.contextFor(host),
        ALPNProtocols: ['http/1.1'],
      });
      tls.on('error', () => client.destroy());
      socket = tls;
    }
    tunnelOrigin.set(socket, realOrigin);
    inner.emit('connection', socket);
  }

  return { standInFor, adoptTunnel, forward };
}
