// What every route module is given: the services it calls, never the raw tables.
import type { Kysely } from 'kysely';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';

import type { KeyVerifier } from '../accounts/index.js';
import type { Registry } from '../actions/index.js';
import type { Metrics } from '../metrics/index.js';
import type { Engine } from '../engine/index.js';
import type { CatalogTimes, Database } from '../store/index.js';
import type { Logins, Probes, Vault } from '../vault/index.js';
import type { Webhooks } from '../webhooks/index.js';
import type { createAuth } from './auth.js';
import type { RateLimits } from './rate-limit.js';

export interface ApiDeps {
  db: Kysely<Database>;
  /** Which account a presented API key belongs to. */
  keys: KeyVerifier;
  registry: Registry;
  engine: Engine;
  vault: Vault;
  /** Sign-in through catalogs' login forms (POST /login). */
  logins: Logins;
  /** Catalogs' login probes (saving a credential, POST /credentials/verify). */
  probes: Probes;
  webhooks: Webhooks;
  logger: FastifyBaseLogger;
  bodyLimit: number;
  metrics: Metrics;
  /** Bearer token that opens GET /metrics to non-loopback clients ('' keeps it loopback-only). */
  metricsToken: string;
  /** Requests per minute per account, and per IP without a valid key; 0 turns a limit off. */
  rateLimits: RateLimits;
  syncWaitMs: number;
  catalogTimes: ReadonlyMap<string, CatalogTimes>;
}

export interface RouteContext extends ApiDeps {
  auth: ReturnType<typeof createAuth>;
  /** The prefix this copy of the routes is mounted at: /v1/holocron or /v1/wire. */
  prefix: string;
}

/** The Fastify instance routes are declared on: request types inferred from TypeBox schemas. */
export type WireApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;
