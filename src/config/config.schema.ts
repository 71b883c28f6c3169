// The one configuration schema: each setting with its environment variable, default and
// description on one line. process.env is read here and nowhere else.
import { resolve } from 'node:path';

const int =
  (min: number) =>
  (raw: string, name: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`${name} must be a whole number ≥ ${min}, not '${raw}'.`);
    return n;
  };
const bool = (raw: string, name: string): boolean => {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error(`${name} must be true or false, not '${raw}'.`);
};
const text = (raw: string): string => raw;
/** '' (off) or a TCP port; 0 picks a free one. */
const optionalPort = (raw: string, name: string): number | null => {
  if (raw === '') return null;
  const port = int(0)(raw, name);
  if (port > 65_535) throw new Error(`${name} must be a port from 0 to 65535, not '${raw}'.`);
  return port;
};
/** '' or an http(s) proxy URL; the value is never quoted back, it may hold a password. */
const proxyUrl = (raw: string, name: string): string => {
  if (raw === '') return raw;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '')
    throw new Error(
      `${name} must be an http:// or https:// proxy URL such as http://127.0.0.1:3128.`,
    );
  return raw;
};
const list = (raw: string): string[] =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Every setting: [env var, default (as the env var would spell it), parser, description]. */
export const SETTINGS = {
  dataDir: [
    'TASKWIRE_DATA_DIR',
    './.data',
    text,
    'Directory for the SQLite database and the master key file',
  ],
  databaseUrl: [
    'TASKWIRE_DATABASE_URL',
    '',
    text,
    'sqlite:/path/file.db or postgres://...; default: SQLite in the data dir',
  ],
  host: ['TASKWIRE_HOST', '127.0.0.1', text, 'Address the API listens on'],
  port: ['TASKWIRE_PORT', '8080', int(0), 'Port the API listens on (0 picks a free one)'],
  masterKey: [
    'TASKWIRE_MASTER_KEY',
    '',
    text,
    'Master key (32 bytes, hex or base64); default: <data dir>/master.key, generated',
  ],
  previousMasterKeys: [
    'TASKWIRE_PREVIOUS_MASTER_KEYS',
    '',
    list,
    'Old master keys that still open credentials during a rotation, comma-separated',
  ],
  worker: ['TASKWIRE_WORKER', 'true', bool, 'Run a worker inside `serve` (false: API only)'],
  workerConcurrency: ['TASKWIRE_WORKER_CONCURRENCY', '8', int(1), 'Jobs one worker runs at once'],
  accountConcurrency: [
    'TASKWIRE_ACCOUNT_CONCURRENCY',
    '10',
    int(1),
    'Jobs one account may have running at once, across all workers (the rest wait their turn)',
  ],
  jobRetentionDays: [
    'TASKWIRE_JOB_RETENTION_DAYS',
    '30',
    int(0),
    'Days a completed or failed job (its result and log) is kept (0: forever); the ledger is kept regardless',
  ],
  leaseMs: [
    'TASKWIRE_LEASE_MS',
    '30000',
    int(100),
    'How long a claimed job is held without a heartbeat',
  ],
  pollMs: [
    'TASKWIRE_POLL_MS',
    '1000',
    int(10),
    'How often a worker looks for due jobs and lapsed leases',
  ],
  shutdownGraceMs: [
    'TASKWIRE_SHUTDOWN_GRACE_MS',
    '10000',
    int(0),
    'On SIGTERM, how long running jobs may finish before they are aborted and released, ms',
  ],
  workerMetricsPort: [
    'TASKWIRE_WORKER_METRICS_PORT',
    '',
    optionalPort,
    '`taskwire worker` only: serve GET /metrics on 127.0.0.1 at this port (0: any free one; default off)',
  ],
  allowPrivateTargets: [
    'TASKWIRE_ALLOW_PRIVATE_TARGETS',
    'false',
    bool,
    'Let actions reach loopback/private/link-local addresses',
  ],
  allowedTargetCidrs: [
    'TASKWIRE_ALLOWED_TARGET_CIDRS',
    '',
    list,
    'Private ranges actions may reach anyway, comma-separated',
  ],
  startingCredits: [
    'TASKWIRE_STARTING_CREDITS',
    '100',
    int(0),
    'Credits granted to the account created on first start',
  ],
  syncWaitMs: [
    'TASKWIRE_SYNC_WAIT_MS',
    '25000',
    int(0),
    'How long POST /task waits for a sync action before answering 202',
  ],
  idempotencyTtlMs: [
    'TASKWIRE_IDEMPOTENCY_TTL_MS',
    '86400000',
    int(1),
    'How long an Idempotency-Key on POST /task is remembered, ms (24 h by default)',
  ],
  rateLimitPerMinute: [
    'TASKWIRE_RATE_LIMIT_PER_MINUTE',
    '1200',
    int(0),
    'Requests one account (all its API keys) may make per minute before 429 RATE_LIMITED (0: no limit)',
  ],
  anonymousRateLimitPerMinute: [
    'TASKWIRE_ANON_RATE_LIMIT_PER_MINUTE',
    '120',
    int(0),
    'Requests without a valid key one IP address may make per minute (0: no limit)',
  ],
  webhookRetryBaseMs: [
    'TASKWIRE_WEBHOOK_RETRY_BASE_MS',
    '30000',
    int(1),
    'Delay before a failed webhook delivery is first retried, ms; doubles per try',
  ],
  webhookRetryCapMs: [
    'TASKWIRE_WEBHOOK_RETRY_CAP_MS',
    '3600000',
    int(1),
    'Longest delay between two tries of a webhook delivery, ms (1 h by default)',
  ],
  webhookGiveUpMs: [
    'TASKWIRE_WEBHOOK_GIVE_UP_MS',
    '86400000',
    int(1),
    'How long after its event a webhook delivery is retried before it fails, ms (24 h)',
  ],
  bodyLimit: ['TASKWIRE_BODY_LIMIT', '1048576', int(1024), 'Largest request body accepted, bytes'],
  maxResponseBytes: [
    'TASKWIRE_MAX_RESPONSE_BYTES',
    '10485760',
    int(1024),
    'Largest page an action may download, bytes',
  ],
  requestTimeoutMs: [
    'TASKWIRE_REQUEST_TIMEOUT_MS',
    '30000',
    int(100),
    'Time budget of one outgoing HTTP request',
  ],
  siteConcurrency: [
    'TASKWIRE_SITE_CONCURRENCY',
    '4',
    int(1),
    'Requests to one site (host) in flight at once, across all jobs of the process',
  ],
  siteMinGapMs: [
    'TASKWIRE_SITE_MIN_GAP_MS',
    '100',
    int(0),
    'Least time between two request starts to one site, ms, across all jobs of the process',
  ],
  identityConcurrency: [
    'TASKWIRE_IDENTITY_CONCURRENCY',
    '1',
    int(1),
    'Requests made with one credential (login) in flight at once, across all its jobs',
  ],
  identityMinGapMs: [
    'TASKWIRE_IDENTITY_MIN_GAP_MS',
    '500',
    int(0),
    'Least time between two request starts made with one credential, ms',
  ],
  proxyUrl: [
    'TASKWIRE_PROXY_URL',
    '',
    proxyUrl,
    'HTTP(S) proxy for every action request (TASKWIRE_PROXY_URL_<SLUG> per catalog); targets are still checked',
  ],
  chromiumPath: [
    'TASKWIRE_CHROMIUM_PATH',
    '/usr/bin/chromium',
    text,
    'Chromium executable browser actions launch (Debian: apt-get install -y chromium)',
  ],
  browserPoolSize: [
    'TASKWIRE_BROWSER_POOL_SIZE',
    '2',
    int(1),
    'Browser contexts (browser jobs) open at once per process; further ones wait their turn',
  ],
  browserWsEndpoint: [
    'TASKWIRE_BROWSER_WS_ENDPOINT',
    '',
    text,
    'ws:// endpoint of a remote Playwright browser server to use instead of local Chromium',
  ],
  loginTimeoutMs: [
    'TASKWIRE_LOGIN_TIMEOUT_MS',
    '60000',
    int(1000),
    'Time budget of one sign-in through a catalog login form (POST /login, re-login), ms',
  ],
  verifyIntervalMs: [
    'TASKWIRE_VERIFY_INTERVAL_MS',
    '21600000',
    int(0),
    'How often workers re-check each stored login with its catalog probe, ms (0: never; 6 h)',
  ],
  disabledActions: [
    'TASKWIRE_DISABLED_ACTIONS',
    '',
    list,
    'Action ids answered with 503 ACTION_UNAVAILABLE',
  ],
  metricsToken: [
    'TASKWIRE_METRICS_TOKEN',
    '',
    text,
    'Bearer token for GET /metrics from other hosts; without it only loopback clients may scrape',
  ],
  logLevel: [
    'TASKWIRE_LOG_LEVEL',
    'info',
    text,
    'pino level: fatal, error, warn, info, debug, trace, silent',
  ],
} as const;

type Settings = typeof SETTINGS;
type Parsed<K extends keyof Settings> = ReturnType<Settings[K][2]>;

export type Config = { [K in keyof Settings]: Parsed<K> } & {
  /** Catalog slug → origin, from TASKWIRE_ORIGIN_<SLUG>. */
  origins: Map<string, string>;
  /** Catalog slug → proxy URL, from TASKWIRE_PROXY_URL_<SLUG> (over TASKWIRE_PROXY_URL). */
  proxies: Map<string, string>;
};

/** Builds the config from the environment, with explicit overrides (CLI flags) on top. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Record<keyof Settings, string>> = {},
): Config {
  const config: Record<string, unknown> = {};
  for (const [key, [name, fallback, parse]] of Object.entries(SETTINGS)) {
    const raw = overrides[key as keyof Settings] ?? env[name] ?? fallback;
    config[key] = (parse as (raw: string, name: string) => unknown)(raw, name);
  }
  const dataDir = resolve(config.dataDir as string);
  config.dataDir = dataDir;
  if (config.databaseUrl === '') config.databaseUrl = `sqlite:${resolve(dataDir, 'taskwire.db')}`;
  const origins = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    const match = /^TASKWIRE_ORIGIN_([A-Z0-9_]+)$/.exec(name);
    if (!match || !value) continue;
    try {
      origins.set(match[1]!.toLowerCase().replace(/_/g, '-'), new URL(value).origin);
    } catch {
      throw new Error(`${name} must be an origin such as http://127.0.0.1:4010, not '${value}'.`);
    }
  }
  config.origins = origins;
  const proxies = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    const match = /^TASKWIRE_PROXY_URL_([A-Z0-9_]+)$/.exec(name);
    if (match && value)
      proxies.set(match[1]!.toLowerCase().replace(/_/g, '-'), proxyUrl(value, name));
  }
  config.proxies = proxies;
  return config as Config;
}
