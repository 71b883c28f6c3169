// GET /metrics: Prometheus text for operators. Open to loopback clients (a local Prometheus
// or sidecar); from elsewhere only with `Authorization: Bearer <TASKWIRE_METRICS_TOKEN>`.
import { timingSafeEqual } from 'node:crypto';

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';

import { AppError } from '../errors/index.js';
import type { Metrics } from '../metrics/index.js';
import { ErrorEnvelope } from './schemas.js';

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

export function metricsAllowed(request: FastifyRequest, token: string): boolean {
  if (LOOPBACK.test(request.socket.remoteAddress ?? '')) return true;
  const presented = request.headers.authorization?.replace(/^Bearer\s+/i, '') ?? '';
  if (token === '' || presented.length !== token.length) return false;
  return timingSafeEqual(Buffer.from(presented), Buffer.from(token));
}

export function metricsRoute(app: FastifyInstance, metrics: Metrics, token: string): void {
  app.get(
    '/metrics',
    { schema: { response: { 200: Type.String(), 403: ErrorEnvelope } } },
    async (request, reply) => {
      if (!metricsAllowed(request, token)) {
        throw new AppError(
          'FORBIDDEN',
          403,
          'Metrics are open to loopback clients or with the metrics token.',
        );
      }
      return reply.type(metrics.registry.contentType).send(await metrics.text());
    },
  );
}
