// What the API offers about webhooks: account endpoints, the task-webhook secret, and the
// delivery history. Sending is the delivery loop's (deliverer.ts).
import { randomUUID } from 'node:crypto';

import type { Kysely } from 'kysely';

import { conflict, notFound } from '../errors/index.js';
import {
  type Clock,
  type Database,
  isoNow,
  toJson,
  type WebhookEventName,
  type Writer,
} from '../store/index.js';
import { type DeliveryFilter, findDelivery, listDeliveries, listTries } from './delivery.repo.js';
import {
  countEndpoints,
  deleteEndpoint,
  insertEndpoint,
  listEndpoints,
  rotateAccountSecret,
} from './endpoint.repo.js';
import { newSecret } from './signing.js';
import { checkWebhookUrl, WEBHOOK_EVENTS } from './webhook-url.js';
import {
  type DeliveryView,
  deliveryView,
  type EndpointView,
  endpointView,
  payloadOf,
  type TryView,
  tryView,
} from './webhook-view.js';

/** Endpoints one account may have: every event fans out to each of them. */
export const MAX_ENDPOINTS = 20;

export interface WebhooksDeps {
  db: Kysely<Database>;
  write: Writer;
  clock: Clock;
  /** The address guard's assertUrl (scheme, user info, localhost, IP literals). */
  checkTarget: (url: URL) => void;
}

export interface NewEndpoint {
  url: string;
  events?: WebhookEventName[];
  description?: string;
}

export function createWebhooks(deps: WebhooksDeps) {
  const { db, write, clock } = deps;
  return {
    /** Creates an endpoint; the answer is the only place its secret is ever shown. */
    async createEndpoint(
      accountId: string,
      input: NewEndpoint,
    ): Promise<EndpointView & { secret: string }> {
      const url = checkWebhookUrl(input.url, deps.checkTarget, '/url');
      const events = WEBHOOK_EVENTS.filter((e) => (input.events ?? WEBHOOK_EVENTS).includes(e));
      const row = {
        id: randomUUID(),
        account_id: accountId,
        url,
        events: toJson(events),
        description: input.description ?? null,
        secret: newSecret(),
        created_at: isoNow(clock),
      };
      await write(async (trx) => {
        if ((await countEndpoints(trx, accountId)) >= MAX_ENDPOINTS) {
          throw conflict(`An account can have at most ${MAX_ENDPOINTS} webhook endpoints.`);
        }
        await insertEndpoint(trx, row);
      });
      return { ...endpointView(row), secret: row.secret };
    },

    async listEndpoints(accountId: string): Promise<EndpointView[]> {
      return (await listEndpoints(db, accountId)).map(endpointView);
    },

    /** Deletes an endpoint; its pending deliveries fail. 404 for unknown or foreign ids. */
    async deleteEndpoint(accountId: string, id: string): Promise<void> {
      const deleted = await write((trx) => deleteEndpoint(trx, accountId, id, clock));
      if (!deleted) throw notFound(`Webhook '${id}' not found.`);
    },

    /** A new secret for deliveries to tasks' own `webhook_url`; the old one stops at once. */
    async rotateSecret(accountId: string): Promise<string> {
      return rotateAccountSecret(write, accountId, clock);
    },

    async listDeliveries(
      accountId: string,
      filter: DeliveryFilter,
    ): Promise<{ deliveries: DeliveryView[]; total: number }> {
      const { rows, total } = await listDeliveries(db, accountId, filter);
      return { deliveries: rows.map(deliveryView), total };
    },

    /** One delivery with the payload it carries and every try. 404 for unknown or foreign. */
    async delivery(
      accountId: string,
      id: string,
    ): Promise<{ delivery: DeliveryView; payload: Record<string, unknown>; attempts: TryView[] }> {
      const row = await findDelivery(db, accountId, id);
      if (!row) throw notFound(`Webhook delivery '${id}' not found.`);
      const tries = await listTries(db, row.id);
      return { delivery: deliveryView(row), payload: payloadOf(row), attempts: tries.map(tryView) };
    },
  };
}

export type Webhooks = ReturnType<typeof createWebhooks>;
