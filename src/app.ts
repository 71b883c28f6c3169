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
import { createKeyVerifier } from './accounts/index.js';
import { buildServer } from './api/index.js';
import { createMetrics, listenForMetrics, type MetricsListener } from './metrics/index.js';
import type { Config } from './config/index.js';
import { createEngine, type Engine, queueCredentialExpired } from './engine/index.js';
import {
  BrowserPool,
  createAddressGuard,
  createHttpClient,
  createPacer,
  jarFromStorageState,
} from './runtime/index.js';
import {
  type CatalogTimes,
  type Clock,
  migrateToLatest,
  openStore,
  type Store,
  syncCatalogRecord,
  systemClock,
} from './store/index.js';
import {
  createLogins,
  createProbes,
  createVault,
  type Keyring,
  type LoginTarget,
  openKeyring,
  type Probes,
  type ProbeTarget,
  type Vault,
} from './vault/index.js';
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
  /** Catalogs' login probes: save-time checks, POST /credentials/verify, background sweeps. */
  probes: Probes;
  engine: Engine;
  server: FastifyInstance;
  logger: Logger;
  /** Starts listening (and the in-process worker unless disabled); returns the base URL. */
  listen(): Promise<string>;
  /** Runs a worker only, with no API (the `taskwire worker` role). */
  work(): void;
  /**
   * Serves GET /metrics on loopback when TASKWIRE_WORKER_METRICS_PORT is set (a worker has no
   * API to serve it); returns its URL, or undefined when the setting is off.
   */
  listenForMetrics(): Promise<string | undefined>;
  /**
   * Graceful shutdown: stops claiming, answers pending long-polls and sync waits, stops
   * accepting requests, lets running jobs finish within TASKWIRE_SHUTDOWN_GRACE_MS, then
   * aborts and releases the rest; the database closes last.
   */
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

/** A catalog as a sign-in target, when it has a login flow (the vault never sees the registry). */
function loginTargetOf(registry: Registry, slug: string): LoginTarget | undefined {
  const catalog = registry.catalog(slug);
  const login = catalog?.definition.login;
  if (!catalog || !login) return undefined;
  return {
    slug,
    name: catalog.definition.name,
    fields: catalog.definition.loginFields ?? [],
    origins: catalog.origins,
    login,
  };
}

/** A catalog's login probe, when it declares one. */
function probeTargetOf(registry: Registry, slug: string): ProbeTarget | undefined {
  const catalog = registry.catalog(slug);
  const probe = catalog?.definition.probe;
  return catalog && probe ? { slug, name: catalog.definition.name, probe } : undefined;
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
  let keyring: Keyring;
  try {
    keyring = openKeyring(config);
    vault = createVault({ db: store.db, master: keyring, clock });
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
    onWebhookFailure: (event, final) => metrics.observeWebhookFailure(event, final),
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
  const logins = createLogins({
    db: store.db,
    master: keyring,
    clock,
    browser: browserPool,
    timeoutMs: config.loginTimeoutMs,
    target: (slug) => loginTargetOf(registry, slug),
    catalogName: (slug) => registry.catalog(slug)?.definition.name,
    log: (fields, message) => logger.info(fields, message),
  });
  const probes: Probes = createProbes({
    db: store.db,
    master: keyring,
    clock,
    target: (slug) => probeTargetOf(registry, slug),
    probed: registry
      .catalogs()
      .filter((c) => c.definition.probe)
      .map((c) => c.definition.slug),
    // The same guarded, paced client a job of the catalog gets, with the login in its jar.
    http: async (slug, credential, credentialId, signal) => {
      const catalog = registry.catalog(slug);
      return createHttpClient({
        originMap: catalog?.origins ?? new Map(),
        guard,
        jar: await jarFromStorageState(
          credential.type === 'browser_state' ? credential.state : undefined,
        ),
        signal,
        maxBytes: config.maxResponseBytes,
        timeoutMs: config.requestTimeoutMs,
        pacer,
        pacing: catalog?.definition.pacing,
        identity: credentialId,
        proxyUrl: proxyFor(slug),
      });
    },
    timeoutMs: config.requestTimeoutMs,
    relogin: (credentialId) => logins.relogin(credentialId),
    onExpired: (trx, row, reason) => queueCredentialExpired(trx, row, reason, clock),
    log: (fields, message) => logger.info(fields, message),
  });
  // Webhook URLs pass the same address guard as the URLs actions fetch.
  const urlGuard = createAddressGuard(guard);
  const webhooks = createWebhooks({
    db: store.db,
    write: store.write,
    clock,
    checkTarget: (url) => urlGuard.assertUrl(url),
  });
  const keys = createKeyVerifier(store.db, store.dataVersion);
  const server = buildServer({
    db: store.db,
    keys,
    registry,
    engine,
    vault,
    logins,
    probes,
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
  let metricsListener: MetricsListener | undefined;
  // The worker's own timers are unref'd (an embedded engine must not hold a process open), so
  // a worker-only process is held open by this until it closes, as `listen` is by its socket.
  let keepAlive: NodeJS.Timeout | undefined;
  // Workers re-check stored logins in the background; one round at a time per process.
  let sweeper: NodeJS.Timeout | undefined;
  let sweeping: Promise<unknown> = Promise.resolve();
  const startSweeps = (): void => {
    if (sweeper || config.verifyIntervalMs === 0) return;
    const every = Math.min(config.verifyIntervalMs, 60_000);
    sweeper = setInterval(() => {
      sweeping = sweeping
        .then(() => probes.sweep(config.verifyIntervalMs))
        .catch((error: unknown) => logger.warn({ err: error }, 'login checks failed'));
    }, every);
    sweeper.unref();
  };
  return {
    config,
    store,
    registry,
    vault,
    probes,
    engine,
    server,
    logger,
    async listen() {
      if (config.worker) {
        engine.startWorker();
        startSweeps();
      }
      return server.listen({ host: config.host, port: config.port });
    },
    work() {
      engine.startWorker();
      startSweeps();
      keepAlive ??= setInterval(() => {}, 2 ** 30);
    },
    async listenForMetrics() {
      if (config.workerMetricsPort === null) return undefined;
      metricsListener ??= await listenForMetrics(metrics, config.workerMetricsPort);
      return metricsListener.url;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweeper);
      // First, synchronously inside `stop`: no more claims, and every pending wait answered
      // with the job as it stands. Only then can the HTTP server drain quickly.
      const engineStopped = engine.stop(config.shutdownGraceMs);
      // Refuses new connections and waits for the requests in flight (no longer held).
      const serverClosed = server.close();
      // Running jobs get the grace period, then are aborted and released.
      await Promise.all([engineStopped, serverClosed]);
      clearInterval(keepAlive);
      await metricsListener?.close();
      await sweeping;
      // After the engine: stopping aborts running jobs, which dispose their contexts.
      await browserPool.close();
      await store.close();
    },
  };
}
