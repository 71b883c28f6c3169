// The delivery loop, run by every worker process: claims due deliveries with a lease (so two
// processes never send one at once), signs and sends them, and records each try. It has a
// lifecycle, so a class.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';

import type { Clock, Database, DeliveryRow, Dialect, Writer } from '../store/index.js';
import { claimDeliveries, giveUp, recordTry, releaseDelivery } from './delivery.repo.js';
import { accountSecret, endpointSecret } from './endpoint.repo.js';
import { type DeliveryPolicy, nextState } from './retry.js';
import { SEND_TIMEOUT_MS, sendDelivery } from './send.js';
import { deliveryHeaders } from './signing.js';

export interface DelivererDeps {
  db: Kysely<Database>;
  write: Writer;
  dialect: Dialect;
  clock: Clock;
  logger: Logger;
  /** The same address guard actions go through. */
  guard: { assertUrl: (url: URL) => void; dispatcher: Dispatcher };
  policy: DeliveryPolicy;
  pollMs: number;
  /** Hears about every failed send (metrics); `final` when the delivery is given up. */
  onWebhookFailure?: (event: string, final: boolean) => void;
}

/** Sends in flight per process. */
const CONCURRENCY = 16;
/** A claimed delivery is another process's to retry once this has passed without a record. */
const LEASE_MS = SEND_TIMEOUT_MS * 6;

export class Deliverer {
  readonly #deps: DelivererDeps;
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #shutdown = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #pumping = false;
  #again = false;
  /** The claim loop in flight, which `stop()` waits for before it looks. */
  #pumpDone: Promise<void> = Promise.resolve();
  #stopping = false;

  constructor(deps: DelivererDeps) {
    this.#deps = deps;
  }

  start(): void {
    this.#timer = setInterval(() => this.wake(), this.#deps.pollMs);
    this.#timer.unref();
    this.wake();
  }

  /** Something was queued (a job settled here): look now rather than at the next poll. */
  wake(): void {
    if (this.#stopping) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumpDone = this.#pump();
  }

  /** Stops claiming, lets sends finish within `graceMs`, then aborts and releases the rest. */
  async stop(graceMs = 10_000): Promise<void> {
    this.#stopping = true;
    if (this.#timer) clearInterval(this.#timer);
    await Promise.allSettled([this.#pumpDone]);
    const all = Promise.allSettled(this.#inFlight.values());
    const grace = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([all, grace]);
    this.#shutdown.abort();
    await all;
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        while (!this.#stopping && this.#inFlight.size < CONCURRENCY) {
          const batch = await this.#claim(CONCURRENCY - this.#inFlight.size);
          if (batch.length === 0) break;
          for (const delivery of batch) this.#start(delivery);
        }
      } while (this.#again && !this.#stopping);
    } finally {
      this.#pumping = false;
    }
  }

  async #claim(limit: number): Promise<DeliveryRow[]> {
    const { write, dialect, clock, logger } = this.#deps;
    try {
      return await claimDeliveries(write, dialect, LEASE_MS, clock, limit);
    } catch (error) {
      logger.error({ err: error }, 'claiming webhook deliveries failed');
      return [];
    }
  }

  #start(delivery: DeliveryRow): void {
    const done = this.#deliver(delivery)
      .catch((error: unknown) =>
        this.#deps.logger.error(
          { err: error, deliveryId: delivery.id },
          'recording a webhook delivery failed; its lease will lapse',
        ),
      )
      .finally(() => {
        this.#inFlight.delete(delivery.id);
        this.wake();
      });
    this.#inFlight.set(delivery.id, done);
  }

  async #deliver(delivery: DeliveryRow): Promise<void> {
    const { db, write, clock, logger, guard, policy } = this.#deps;
    const secret = delivery.webhook_id
      ? await endpointSecret(db, delivery.webhook_id)
      : await accountSecret(db, write, delivery.account_id, clock);
    if (secret === undefined) {
      if (await giveUp(write, delivery, 'The webhook endpoint was deleted.')) {
        this.#deps.onWebhookFailure?.(delivery.event, true);
      }
      return;
    }
    const at = clock.now();
    const outcome = await sendDelivery(
      {
        url: delivery.url,
        body: delivery.payload,
        headers: deliveryHeaders(secret, delivery.payload, delivery, at),
      },
      { assertUrl: guard.assertUrl, dispatcher: guard.dispatcher, signal: this.#shutdown.signal },
    );
    if (this.#shutdown.signal.aborted && !outcome.ok) {
      // Interrupted by shutdown, not refused by the receiver: the next process sends it.
      await releaseDelivery(write, delivery, clock);
      return;
    }
    const next = nextState(outcome, delivery, policy, clock.now());
    await recordTry(
      write,
      delivery,
      {
        at: at.toISOString(),
        durationMs: outcome.durationMs,
        ...(outcome.statusCode !== undefined ? { statusCode: outcome.statusCode } : {}),
        ...(outcome.error !== undefined ? { error: outcome.error } : {}),
      },
      next,
      clock,
    );
    // The host only: a URL's path or query may carry the receiver's own token.
    const fields = {
      deliveryId: delivery.id,
      event: delivery.event,
      host: new URL(delivery.url).host,
      attempt: delivery.attempts,
      statusCode: outcome.statusCode,
      outcome: next.status,
    };
    if (outcome.ok) {
      logger.info(fields, 'webhook delivered');
      return;
    }
    logger.warn({ ...fields, error: outcome.error }, 'webhook delivery failed');
    this.#deps.onWebhookFailure?.(delivery.event, next.status === 'failed');
  }
}
