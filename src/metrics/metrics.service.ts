// Prometheus metrics: request latency by route; jobs settled and webhook sends failed in this
// process (counters); and job, queue, credit and delivery figures read from the database at
// scrape time, so every process reports the same totals whichever node Prometheus asks.
import type { Kysely } from 'kysely';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import type { Database } from '../store/index.js';

export interface Metrics {
  registry: Registry;
  /** One finished HTTP request; `route` is the route pattern, never the raw URL. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** One attempt that reached a terminal state in this process. */
  observeJob(action: string, outcome: 'completed' | 'failed', code: string, seconds: number): void;
  /**
   * One webhook send from this process that failed: `final` when the delivery is given up,
   * else it will be retried.
   */
  observeWebhookFailure(event: string, final: boolean): void;
  text(): Promise<string>;
}

export function createMetrics(db: Kysely<Database>): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'taskwire_' });

  const requests = new Histogram({
    name: 'taskwire_http_request_duration_seconds',
    help: 'API request latency by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
    registers: [registry],
  });
  const jobDurations = new Histogram({
    name: 'taskwire_job_duration_seconds',
    help: 'Run time of jobs that settled in this process, by action and outcome.',
    labelNames: ['action', 'outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });
  const settled = new Counter({
    name: 'taskwire_jobs_settled_total',
    help: 'Jobs that reached a terminal state in this process, by action, outcome and error code.',
    labelNames: ['action', 'outcome', 'code'],
    registers: [registry],
  });

  const webhookFailures = new Counter({
    name: 'taskwire_webhook_delivery_failures_total',
    help: 'Webhook sends from this process that failed, by event and whether the delivery was given up (final="true") or will be retried.',
    labelNames: ['event', 'final'],
    registers: [registry],
  });

  new Gauge({
    name: 'taskwire_jobs',
    help: 'Jobs in the database by action and status (queued, running, succeeded, failed).',
    labelNames: ['action', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db
        .selectFrom('jobs')
        .select(['action_id', 'status', (eb) => eb.fn.countAll().as('n')])
        .groupBy(['action_id', 'status'])
        .execute();
      for (const r of rows) this.set({ action: r.action_id, status: r.status }, Number(r.n));
    },
  });
  new Gauge({
    name: 'taskwire_queue_depth',
    help: 'Queued jobs that are due now (waiting for a worker).',
    registers: [registry],
    async collect() {
      const row = await db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('status', '=', 'queued')
        .where('run_at', '<=', new Date().toISOString())
        .executeTakeFirstOrThrow();
      this.set(Number(row.n));
    },
  });
  new Gauge({
    name: 'taskwire_credits_total',
    help: 'Credits moved by ledger entry kind (grant, debit, refund, adjust), as absolute sums.',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db
        .selectFrom('ledger_entries')
        .select([
          'kind',
          (eb) => eb.fn.sum<number>('amount').as('sum'),
          (eb) => eb.fn.countAll().as('n'),
        ])
        .groupBy('kind')
        .execute();
      for (const r of rows) this.set({ kind: r.kind }, Math.abs(Number(r.sum)));
    },
  });
  new Gauge({
    name: 'taskwire_refunds',
    help: 'Refunded jobs (ledger refund entries).',
    registers: [registry],
    async collect() {
      const row = await db
        .selectFrom('ledger_entries')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('kind', '=', 'refund')
        .executeTakeFirstOrThrow();
      this.set(Number(row.n));
    },
  });

  new Gauge({
    name: 'taskwire_webhook_deliveries',
    help: 'Webhook deliveries in the database by status (pending, delivered, failed).',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db
        .selectFrom('webhook_deliveries')
        .select(['status', (eb) => eb.fn.countAll().as('n')])
        .groupBy('status')
        .execute();
      for (const r of rows) this.set({ status: r.status }, Number(r.n));
    },
  });

  return {
    registry,
    observeRequest(method, route, status, seconds) {
      requests.observe({ method, route, status: String(status) }, seconds);
    },
    observeJob(action, outcome, code, seconds) {
      settled.inc({ action, outcome, code });
      jobDurations.observe({ action, outcome }, seconds);
    },
    observeWebhookFailure(event, final) {
      webhookFailures.inc({ event, final: String(final) });
    },
    text: () => registry.metrics(),
  };
}
