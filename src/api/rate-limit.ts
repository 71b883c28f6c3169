// Per-key request limits: each API key (by its public prefix) gets its own budget per minute,
// anonymous callers one per IP address. Counted in this process's memory, so with several
// API nodes each node enforces the limit on the traffic it sees.
import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';

import { AppError } from '../errors/index.js';

const KEY_PREFIX = /^(?:Bearer\s+)?tw_([a-z0-9]{12})_/i;

/** The bucket a request counts against: the key's public prefix, else the caller's IP. */
function bucketOf(request: FastifyRequest): string {
  const presented = request.headers['x-api-key'] ?? request.headers.authorization;
  const match = typeof presented === 'string' ? KEY_PREFIX.exec(presented.trim()) : null;
  return match ? `key:${match[1]}` : `ip:${request.ip}`;
}

export function rateLimitOptions(limits: {
  perKey: number;
  anonymous: number;
}): RateLimitPluginOptions {
  // A limit of 0 means "no limit"; the plugin needs a number, so use one nobody reaches.
  const budget = (n: number): number => (n === 0 ? Number.MAX_SAFE_INTEGER : n);
  return {
    global: true,
    timeWindow: 60_000,
    keyGenerator: bucketOf,
    max: async (_request, bucket) =>
      budget(bucket.startsWith('key:') ? limits.perKey : limits.anonymous),
    // Liveness probes must never be throttled.
    allowList: (request) => request.url === '/health',
    errorResponseBuilder: (_request, context) => {
      const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
      return new AppError(
        'RATE_LIMITED',
        429,
        `Too many requests: at most ${context.max} per minute. Retry in ${seconds} s.`,
        { retry_after: seconds },
      );
    },
  };
}
