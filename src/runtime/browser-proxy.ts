// The guarded forward proxy every Chromium request goes through, so pages pass the same
// address guard as `ctx.http` and reach the same stand-ins.
//
// Mechanism. Each browser context is created with its own instance of this proxy as its only
// route out (the browser itself is launched with a map-less one). With a proxy, Chromium
// resolves no names itself: https and WebSockets arrive as `CONNECT host:port`, plain http
// as absolute-form requests (`GET http://host/path`). For each, the proxy resolves the host
// once, refuses it when any answer is disallowed, dials the checked IP literal (so no second
// resolution can differ) and checks the socket's peer again before relaying a byte.
// Refusals answer 403 with an `x-taskwire-refused` header and are counted: a refused CONNECT
// is a network error in the page (net::ERR_TUNNEL_CONNECTION_FAILED); a refused plain-http
// request is a 403 page.
//
// Playwright adds `<-loopback>` to the bypass list, which removes Chromium's implicit
// "localhost and link-local go direct" rule; without it 127.0.0.1 and 169.254.169.254 would
// never reach this proxy. The pool refuses to launch if that is disabled.
//
// Origin mapping happens here too, before the guard: requests to a mapped real origin are
// served from its stand-in by browser-proxy-mapped.ts (which terminates TLS for https ones).
import { lookup as dnsLookup } from 'node:dns/promises';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, isIP, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

import type { AddressGuard, ResolveHost } from './address-guard.js';
import { HOP_BY_HOP, type MappedOrigins } from './browser-proxy-mapped.js';
import { ActionError } from './errors.js';

export interface BrowserProxy {
  /** `http://127.0.0.1:<port>`, the value for Playwright's `proxy.server`. */
  readonly url: string;
  /** Requests refused by the address guard since the proxy started. */
  readonly refused: number;
  close(): Promise<void>;
}

export interface BrowserProxyOptions {
  /** The address guard `ctx.http` uses too (one per pool; only its checks are used here). */
  guard: Pick<AddressGuard, 'assertUrl' | 'isAllowedAddress'>;
  /** Replaces the system resolver (tests fake DNS with it). */
  lookup?: ResolveHost;
  /** Called once per refused request, e.g. to log or count it in metrics. */
  onRefused?: (target: string, reason: string) => void;
  /** The context's mapped origins, served from their stand-ins instead of the network. */
  mapped?: MappedOrigins;
}

/** How long dialling an upstream may take before the page gets a 502. */
const CONNECT_TIMEOUT_MS = 10_000;

/** Starts the proxy on 127.0.0.1 with a free port. */
export async function startBrowserProxy(opts: BrowserProxyOptions): Promise<BrowserProxy> {
  const { guard } = opts;
  const resolve: ResolveHost = opts.lookup ?? ((host) => dnsLookup(host, { all: true }));
  const sockets = new Set<Duplex>();
  let refused = 0;

  /** The one address to dial for `host`, or an ActionError saying why not. */
  async function checkedAddress(host: string, port: number): Promise<string> {
    // assertUrl judges IP literals and localhost names exactly as ctx.http does.
    const bare = host.replace(/^\[|\]$/g, '');
    guard.assertUrl(new URL(`http://${isIP(bare) === 6 ? `[${bare}]` : bare}:${port}/`));
    if (isIP(bare) !== 0) return bare;
    const answers = await resolve(bare);
    // One bad answer refuses the name: an attacker controls the order of answers.
    const bad = answers.find((a) => !guard.isAllowedAddress(a.address));
    if (bad) throw refusal(`${bare} resolves to ${bad.address}, a disallowed address`);
    const first = answers[0];
    if (!first) throw Object.assign(new Error(`Could not resolve ${bare}`), { code: 'ENOTFOUND' });
    return first.address;
  }

  /** Dials the checked IP and re-checks the peer before handing the socket over. */
  function dial(ip: string, port: number): Promise<Socket> {
    return new Promise((done, fail) => {
      const socket = connect({ host: ip, port, timeout: CONNECT_TIMEOUT_MS });
      socket.once('timeout', () => socket.destroy(new Error('connect timeout')));
      socket.once('error', fail);
      socket.once('connect', () => {
        socket.setTimeout(0);
        socket.off('error', fail);
        const peer = socket.remoteAddress;
        if (peer === undefined || !guard.isAllowedAddress(peer)) {
          socket.destroy();
          fail(refusal(`the connection reached ${peer ?? 'nothing'}`));
          return;
        }
        done(socket);
      });
    });
  }

  function refuse(client: Duplex, target: string, err: unknown): void {
    const isRefusal = err instanceof ActionError;
    if (isRefusal) {
      refused += 1;
      opts.onRefused?.(target, err.message);
    }
    const head = isRefusal
      ? `HTTP/1.1 403 Forbidden\r\nx-taskwire-refused: ${headerSafe(err.message)}\r\n`
      : 'HTTP/1.1 502 Bad Gateway\r\n';
    client.end(`${head}content-type: text/plain\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
  }

  /** Wires client and upstream together, tearing both down when either side ends. */
  function relay(client: Duplex, upstream: Socket, head: Buffer): void {
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    if (head.length > 0) upstream.write(head);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.pipe(client).on('close', () => upstream.destroy());
    client.pipe(upstream);
  }

  const server = createServer();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  // https and WebSockets: a tunnel to host:port.
  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    const target = req.url ?? '';
    client.on('error', () => client.destroy());
    const parsed = parseAuthority(target);
    if (!parsed) return refuse(client, target, refusal('not a host:port'));
    // A tunnel to a mapped origin is served from its stand-in. Chromium tunnels plain ws://
    // as well, so the tunnel may be to an http origin (port 80) as much as an https one.
    for (const scheme of ['https', 'http']) {
      const realOrigin = new URL(`${scheme}://${target}`).origin;
      if (opts.mapped?.standInFor(realOrigin) !== undefined) {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        return opts.mapped.adoptTunnel(client, realOrigin, head);
      }
    }
    checkedAddress(parsed.host, parsed.port)
      .then((ip) => dial(ip, parsed.port))
      .then(
        (upstream) => {
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          relay(client, upstream, head);
        },
        (err: unknown) => refuse(client, target, err),
      );
  });

  // Plain http: an absolute-form request, forwarded to the checked IP with its Host kept.
  server.on('request', (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('Only a forward proxy.');
      return;
    }
    const port = Number(url.port || 80);
    const forward = (ip: string): void => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      }
      // An IP literal as host: Node dials it without resolving, so the check stands.
      const upstream = httpRequest({
        host: ip,
        port,
        method: req.method,
        path: url.pathname + url.search,
        headers,
        setHost: false,
        timeout: CONNECT_TIMEOUT_MS,
      });
      // The timeout bounds dialling only. Node's keep-alive agent hands later requests an
      // already-connected socket: a 'connect' listener there would never fire, and one per
      // request would pile up on it (MaxListenersExceededWarning).
      upstream.on('socket', (s) => {
        if (s.connecting) s.once('connect', () => s.setTimeout(0));
        else s.setTimeout(0);
      });
      upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')));
      upstream.on('response', (up) => {
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(up.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
        }
        res.writeHead(up.statusCode ?? 502, out);
        up.pipe(res);
      });
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.destroy();
      });
      req.pipe(upstream);
    };
    if (opts.mapped?.standInFor(url.origin) !== undefined) {
      opts.mapped.forward(req, res, url);
      return;
    }
    if (url.protocol !== 'http:') {
      refuse(req.socket, req.url ?? '', refusal(`only http is proxied, not ${url.protocol}`));
      return;
    }
    checkedAddress(url.hostname, port).then(forward, (err: unknown) => {
      if (!(err instanceof ActionError)) {
        res.writeHead(502, { 'content-type': 'text/plain' }).end();
        return;
      }
      refused += 1;
      opts.onRefused?.(url.href, err.message);
      res
        .writeHead(403, {
          'content-type': 'text/plain',
          'x-taskwire-refused': headerSafe(err.message),
        })
        .end(`Blocked by Taskwire's address guard: ${err.message}`);
    });
  });

  // An absolute-form Upgrade (rare: Chromium tunnels WebSockets with CONNECT) is refused
  // outright rather than relayed half-checked.
  server.on('upgrade', (req: IncomingMessage, client: Duplex) => {
    refuse(client, req.url ?? '', refusal('upgrades are only proxied through CONNECT'));
  });

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get refused() {
      return refused;
    },
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}

/** A guard refusal; an ActionError so callers can tell it from a network failure. */
function refusal(reason: string): ActionError {
  return new ActionError('INVALID_TARGET', 'fail', `Refused to connect: ${reason}.`);
}

/** `host:port` (IPv6 in brackets) from a CONNECT line; undefined when malformed. */
function parseAuthority(authority: string): { host: string; port: number } | undefined {
  try {
    const url = new URL(`http://${authority}`);
    const port = Number(url.port || 80);
    if (url.pathname !== '/' || url.username || !Number.isInteger(port)) return undefined;
    return { host: url.hostname, port };
  } catch {
    return undefined;
  }
}

/** Header values cannot carry CR/LF or non-ASCII. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, ' ').slice(0, 200);
}
