// SQL for the delivery outbox: rows written in the transaction of the event they report,
// claimed with a lease by the delivery loop, and finished by a fenced update per try.
import { randomUUID } from 'node:crypto';

import type { ExpressionBuilder, Kysely } from 'kysely';

import {
  type Clock,
  type Database,
  type DeliveryAttemptRow,
  type DeliveryRow,
  type Dialect,
  fromJson,
  isoAfter,
  isoNow,
  toJson,
  type WebhookEventName,
  type Writer,
} from '../store/index.js';
import type { NextState } from './retry.js';

type Db = Kysely<Database>;

export interface EventToQueue {
  accountId: string;
  event: WebhookEventName;
  /** The body every receiver gets, exactly. */
  payload: Record<string, unknown>;
  jobId?: string;
  /** A task's own `webhook_url`, which hears its job's events besides the account's endpoints. */
  taskUrl?: string | null;
}

/**
 * Holds for a job (in a query on `jobs`) whose events `enqueueEvent` would send nowhere: it has
 * no `webhook_url` of its own and its account has no endpoint at all. A settle may then skip
 * queueing; where this is false it must queue as usual (an endpoint may not subscribe to the
 * event, which `enqueueEvent` decides).
 */
export const withoutWebhookTargets = (eb: ExpressionBuilder<Database, 'jobs'>) =>
  eb.and([
    eb('jobs.webhook_url', 'is', null),
    eb.not(
      eb.exists(
        eb
          .selectFrom('webhook_endpoints as e')
          .select('e.id')
          .whereRef('e.account_id', '=', 'jobs.account_id'),
      ),
    ),
  ]);

/**
 * Queues one delivery per subscribed endpoint (and the task's own URL). Call it with the
 * transaction that makes the event true, so the event and its deliveries commit together.
 */
export async function enqueueEvent(trx: Db, event: EventToQueue, clock: Clock): Promise<number> {
  const endpoints = await trx
    .selectFrom('webhook_endpoints')
    .select(['id', 'url', 'events'])
    .where('account_id', '=', event.accountId)
    .execute();
  const targets: Array<{ webhook_id: string | null; url: string }> = endpoints
    .filter((e) => (fromJson(e.events) as string[]).includes(event.event))
    .map((e) => ({ webhook_id: e.id, url: e.url }));
  if (event.taskUrl) targets.push({ webhook_id: null, url: event.taskUrl });
  if (targets.length === 0) return 0;
  const now = isoNow(clock);
  const payload = toJson(event.payload);
  await trx
    .insertInto('webhook_deliveries')
    .values(
      targets.map((t) => ({
        id: randomUUID(),
        account_id: event.accountId,
        webhook_id: t.webhook_id,
        url: t.url,
        event: event.event,
        job_id: event.jobId ?? null,
        payload,
        status: 'pending' as const,
        attempts: 0,
        last_status_code: null,
        last_error: null,
        next_attempt_at: now,
        created_at: now,
        delivered_at: null,
      })),
    )
    .execute();
  return targets.length;
}

/**
 * Leases up to `limit` due deliveries: each gets `attempts + 1` (the fence of this try) and a
 * due time pushed past the lease, so another process skips it until the lease lapses.
 */
export async function claimDeliveries(
  write: Writer,
  dialect: Dialect,
  leaseMs: number,
  clock: Clock,
  limit: number,
): Promise<DeliveryRow[]> {
  return write(async (trx) => {
    let pick = trx
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', isoNow(clock))
      .orderBy('next_attempt_at')
      .limit(limit);
    if (dialect === 'postgres') pick = pick.forUpdate().skipLocked();
    const claimed: DeliveryRow[] = [];
    for (const { id } of await pick.execute()) {
      const row = await trx
        .updateTable('webhook_deliveries')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          next_attempt_at: isoAfter(leaseMs, clock),
        }))
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .returningAll()
        .executeTakeFirst();
      if (row) claimed.push(row);
    }
    return claimed;
  });
}

export interface TryResult {
  at: string;
  statusCode?: number;
  error?: string;
  durationMs: number;
}

type Claimed = Pick<DeliveryRow, 'id' | 'attempts'>;

/**
 * Records a try and moves the delivery on. The try is always recorded (it happened); the
 * delivery changes only while this claim still holds it. False when it no longer did.
 */
export async function recordTry(
  write: Writer,
  delivery: Claimed,
  result: TryResult,
  next: NextState,
  clock: Clock,
): Promise<boolean> {
  return write(async (trx) => {
    await trx
      .insertInto('webhook_attempts')
      .values({
        id: randomUUID(),
        delivery_id: delivery.id,
        at: result.at,
        status_code: result.statusCode ?? null,
        error: result.error ?? null,
        duration_ms: result.durationMs,
      })
      .execute();
    const updated = await trx
      .updateTable('webhook_deliveries')
      .set({
        status: next.status,
        last_status_code: result.statusCode ?? null,
        last_error: result.error ?? null,
        next_attempt_at: next.status === 'pending' ? next.nextAttemptAt.toISOString() : null,
        delivered_at: next.status === 'delivered' ? isoNow(clock) : null,
      })
      .where('id', '=', delivery.id)
      .where('attempts', '=', delivery.attempts)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  });
}

/** Fails a claimed delivery without a try (its endpoint is gone). */
export async function giveUp(write: Writer, delivery: Claimed, reason: string): Promise<boolean> {
  const updated = await write((trx) =>
    trx
      .updateTable('webhook_deliveries')
      .set({ status: 'failed', last_error: reason, next_attempt_at: null })
      .where('id', '=', delivery.id)
      .where('attempts', '=', delivery.attempts)
      .where('status', '=', 'pending')
      .executeTakeFirst(),
  );
  return Number(updated.numUpdatedRows) === 1;
}

/** Hands a claimed delivery back uncounted: the process is shutting down mid-send. */
export async function releaseDelivery(
  write: Writer,
  delivery: Claimed,
  clock: Clock,
): Promise<void> {
  await write((trx) =>
    trx
      .updateTable('webhook_deliveries')
      .set((eb) => ({ attempts: eb('attempts', '-', 1), next_attempt_at: isoNow(clock) }))
      .where('id', '=', delivery.id)
      .where('attempts', '=', delivery.attempts)
      .where('status', '=', 'pending')
      .execute(),
  );
}

/**
 * Deletes finished deliveries (and, by cascade, their tries) that belong to `jobIds` or were
 * created before `cutoff`, at most `batch` of the latter per call: their payloads hold job
 * data. Pending ones are kept until they are delivered or given up.
 */
export async function pruneDeliveries(
  db: Db,
  jobIds: readonly string[],
  cutoff: string,
  batch = 500,
): Promise<number> {
  let deleted = 0;
  if (jobIds.length > 0) {
    const ofJobs = await db
      .deleteFrom('webhook_deliveries')
      .where('job_id', 'in', jobIds)
      .where('status', '!=', 'pending')
      .executeTakeFirst();
    deleted += Number(ofJobs.numDeletedRows);
  }
  const old = await db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('status', '!=', 'pending')
    .where('created_at', '<', cutoff)
    .limit(batch)
    .execute();
  if (old.length > 0) {
    const aged = await db
      .deleteFrom('webhook_deliveries')
      .where(
        'id',
        'in',
        old.map((r) => r.id),
      )
      .executeTakeFirst();
    deleted += Number(aged.numDeletedRows);
  }
  return deleted;
}

export interface DeliveryFilter {
  page: number;
  limit: number;
  jobId?: string;
}

export async function listDeliveries(
  db: Db,
  accountId: string,
  filter: DeliveryFilter,
): Promise<{ rows: DeliveryRow[]; total: number }> {
  let query = db.selectFrom('webhook_deliveries').where('account_id', '=', accountId);
  if (filter.jobId !== undefined) query = query.where('job_id', '=', filter.jobId);
  const [rows, count] = await Promise.all([
    query
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit)
      .offset((filter.page - 1) * filter.limit)
      .execute(),
    query.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** The caller's delivery; someone else's id reads exactly like an unknown one. */
export async function findDelivery(
  db: Db,
  accountId: string,
  id: string,
): Promise<DeliveryRow | undefined> {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
}

export async function listTries(db: Db, deliveryId: string): Promise<DeliveryAttemptRow[]> {
  return db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('delivery_id', '=', deliveryId)
    .orderBy('at')
    .orderBy('id')
    .execute();
}
