// A bare /metrics endpoint for processes without the API (`taskwire worker`), so the counters
// only a worker moves (jobs it settled, webhook sends that failed) can be scraped. Loopback
// only: a local Prometheus agent or sidecar scrapes it, nothing else can reach it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Metrics } from './metrics.service.js';

export interface MetricsListener {
  /** Where to scrape, e.g. http://127.0.0.1:9464/metrics. */
  url: string;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

/** Serves `GET /metrics` on 127.0.0.1:`port` (0 picks a free port); every other path is 404. */
export async function listenForMetrics(metrics: Metrics, port: number): Promise<MetricsListener> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('Not found: try GET /metrics\n');
      return;
    }
    metrics.text().then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      // A scrape while the database is unreachable: say so, and let Prometheus mark it down.
      () => response.writeHead(503, { 'content-type': 'text/plain' }).end('Metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${HOST}:${bound}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
