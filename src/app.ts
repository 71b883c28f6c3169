// The composition root: reads the config and wires store, vault, registry, engine, webhooks
// and API together. Nothing else constructs services.
import { createHash } from 'node:crypto';

import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';

import {
  builtInCatalogs,
  type CatalogDefinition,
  createRegistry,
  type Registry,
} from './actions/index.js';
import { buildServer } from './api/index.js';
import { createMetrics } from './metrics/index.js';
import type { Config } from './config/index.js';
import { createEngine, type Engine } from './engine/index.js';
import { BrowserPool, createAddressGuard, createPacer } from './runtime/index.js';
import {
  type CatalogTimes,
  type Clock,
  migrateToLatest,
  openStore,
  type Store,
  syncCatalogRecord,
  systemClock,
} from './store/index.js';
import { createVault, openKeyring, type Vault } from './vault/index.js';
import { createWebhooks } from './webhooks/index.js';

export interface TaskwireOptions {
  config: Config;
  /** Catalogs to offer; the built-in ones by default. */
  catalogs?: readonly CatalogDefinition[];
  logger?: Logger;
  clock?: Clock;
}

export interface Taskwire {
  config: Config;
  store: Store;
  registry: Registry;
  vault: Vault;
  engine: Engine;
  server: FastifyInstance;
  logger: Logger;
  /** Starts listening (and the in-process worker unless disabled); returns the base URL. */
  listen(): Promise<string>;
  /** Runs a worker only, with no API (the `taskwire worker` role). */
  work(): void;
  close(): Promise<void>;
}

/** A logger that, as a backstop, blanks every field that could carry a secret. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-api-key"]',
        'headers.authorization',
        'headers["x-api-key"]',
        '*.password',
        '*.cookies',
        '*.token',
        '*.api_key',
      ],
      censor: '[redacted]',
    },
  });
}

const fingerprint = (catalog: CatalogDefinition): string =>
  createHash('sha256')
    .update(JSON.stringify(catalog, (_k, v: unknown) => (typeof v === 'function' ? 'fn' : v)))
    .digest('hex');

export async function createTaskwire(options: TaskwireOptions): Promise<Taskwire> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel);
  const store = openStore(config.databaseUrl, (err) =>
    logger.warn({ err }, 'database connection lost'),
  );
  await migrateToLatest(store.db);
  let vault: Vault;
  try {
    vault = createVault({ db: store.db, master: openKeyring(config), clock });
    // Fail closed: credentials no held key opens would fail every job that uses them.
    await vault.checkReadable();
  } catch (error) {
    await store.close();
    throw error;
  }
  const registry = createRegistry(options.catalogs ?? builtInCatalogs, {
    originOverrides: config.origins,
    disabledActions: new Set(config.disabledActions),
  });
  const catalogTimes = new Map<string, CatalogTimes>();
  for (const catalog of registry.catalogs()) {
    const { slug } = catalog.definition;
    catalogTimes.set(
      slug,
      await syncCatalogRecord(
        store.db,
        { slug, id: catalog.uuid, fingerprint: fingerprint(catalog.definition) },
        clock,
      ),
    );
  }
  const guard = { allowPrivate: config.allowPrivateTargets, allowCidrs: config.allowedTargetCidrs };
  const metrics = createMetrics(store.db);
  // One Chromium per process, launched only when a browser action first needs it.
  const browserPool = new BrowserPool({
    executablePath: config.chromiumPath,
    ...(config.browserWsEndpoint ? { wsEndpoint: config.browserWsEndpoint } : {}),
    size: config.browserPoolSize,
    guard,
    onRefused: (target, reason) => logger.warn({ target, reason }, 'browser request refused'),
  });
  // One pacer per process: every job's requests to a site, or with a login, share its lanes.
  const pacer = createPacer({
    site: { concurrency: config.siteConcurrency, minGapMs: config.siteMinGapMs },
    identity: { concurrency: config.identityConcurrency, minGapMs: config.identityMinGapMs },
  });
  const proxyFor = (slug: string): string | undefined =>
    config.proxies.get(slug) ?? (config.proxyUrl || undefined);
  const engine = createEngine({
    db: store.db,
    notifier: store.notifier,
    onJobSettled: (o) => metrics.observeJob(o.actionId, o.outcome, o.code, o.executionMs / 1000),
    write: store.write,
    dialect: store.dialect,
    registry,
    vault,
    clock,
    logger,
    guard,
    maxResponseBytes: config.maxResponseBytes,
    requestTimeoutMs: config.requestTimeoutMs,
    browser: browserPool,
    pacer,
    proxyFor,
    concurrency: config.workerConcurrency,
    accountConcurrency: config.accountConcurrency,
    retentionMs: config.jobRetentionDays * 86_400_000,
    leaseMs: config.leaseMs,
    pollMs: config.pollMs,
    idempotencyTtlMs: config.idempotencyTtlMs,
    webhooks: {
      retryBaseMs: config.webhookRetryBaseMs,
      retryCapMs: config.webhookRetryCapMs,
      giveUpMs: config.webhookGiveUpMs,
    },
  });
  // Webhook URLs pass the same address guard as the URLs actions fetch.
  const urlGuard = createAddressGuard(guard);
  const webhooks = createWebhooks({
    db: store.db,
    write: store.write,
    clock,
    checkTarget: (url) => urlGuard.assertUrl(url),
  });
  const server = buildServer({
    db: store.db,
    registry,
    engine,
    vault,
    webhooks,
    logger,
    bodyLimit: config.bodyLimit,
    metrics,
    metricsToken: config.metricsToken,
    rateLimits: {
      perKey: config.rateLimitPerMinute,
      anonymous: config.anonymousRateLimitPerMinute,
    },
    syncWaitMs: config.syncWaitMs,
    catalogTimes,
  });

  let closed = false;
  return {
    config,
    store,
    registry,
    vault,
    engine,
    server,
    logger,
    async listen() {
      if (config.worker) engine.startWorker();
      return server.listen({ host: config.host, port: config.port });
    },
    work() {
      engine.startWorker();
    },
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
      await engine.stop();
      // After the engine: stopping aborts running jobs, which dispose their contexts.
      await browserPool.close();
      await store.close();
    },
  };
}
