// A scriptable HTTP server on 127.0.0.1 standing between the SDK and a real Taskwire: it
// records every request and answers each one itself, forwards it, or drops the connection.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubRequest {
  method: string;
  /** Path and query, e.g. `/v1/wire/jobs/<id>?wait=30`. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** `Date.now()` when it arrived. */
  at: number;
}

export interface StubAnswer {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
}

/** The answer for the `n`th request (from 0); `forward()` asks the upstream server. */
export type StubHandler = (
  request: StubRequest,
  n: number,
  forward: () => Promise<StubAnswer>,
) => StubAnswer | 'drop' | Promise<StubAnswer | 'drop'>;

export interface Stub {
  url: string;
  requests: StubRequest[];
  close(): Promise<void>;
}

/** Headers worth passing back from the upstream server. */
const FORWARDED = ['content-type', 'x-request-id', 'idempotent-replayed', 'retry-after'];

export async function startStub(handle: StubHandler, upstream?: string): Promise<Stub> {
  const requests: StubRequest[] = [];
  const forwarder = (request: StubRequest) => async (): Promise<StubAnswer> => {
    if (!upstream) throw new Error('this stub has no upstream');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name)) {
        headers[name] = value;
      }
    }
    const response = await fetch(`${upstream}${request.url}`, {
      method: request.method,
      headers,
      ...(request.body !== '' ? { body: request.body } : {}),
    });
    const answer: StubAnswer = {
      status: response.status,
      headers: {},
      body: await response.text(),
    };
    for (const name of FORWARDED) {
      const value = response.headers.get(name);
      if (value !== null) answer.headers![name] = value;
    }
    return answer;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: StubRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      const n = requests.push(request) - 1;
      void (async () => {
        try {
          const answer = await handle(request, n, forwarder(request));
          if (answer === 'drop') {
            req.socket.destroy();
            return;
          }
          const json = typeof answer.body !== 'string' && answer.body !== undefined;
          res.writeHead(answer.status, {
            ...(json ? { 'content-type': 'application/json' } : {}),
            ...answer.headers,
          });
          res.end(json ? JSON.stringify(answer.body) : (answer.body as string | undefined));
        } catch (error) {
          res.writeHead(599).end(String(error));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The Wire envelope a stub answers with. */
export function envelope(code: string, message = code): { status: 'error'; error: object } {
  return { status: 'error', error: { code, message } };
}
