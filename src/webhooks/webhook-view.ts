// How endpoints, deliveries and tries read through the API. Secrets never appear here; a
// new endpoint's secret is added to its creation answer alone. Absent values are omitted.
import {
  type DeliveryAttemptRow,
  type DeliveryRow,
  type DeliveryStatus,
  fromJson,
  type WebhookEndpointRow,
} from '../store/index.js';

export interface EndpointView {
  id: string;
  url: string;
  events: string[];
  description?: string;
  created_at: string;
}

export function endpointView(row: WebhookEndpointRow): EndpointView {
  return {
    id: row.id,
    url: row.url,
    events: fromJson(row.events) as string[],
    ...(row.description !== null ? { description: row.description } : {}),
    created_at: row.created_at,
  };
}

export interface DeliveryView {
  id: string;
  webhook_id?: string;
  url: string;
  event: string;
  job_id?: string;
  status: DeliveryStatus;
  attempts: number;
  last_status_code?: number;
  last_error?: string;
  next_attempt_at?: string;
  created_at: string;
  delivered_at?: string;
}

export function deliveryView(row: DeliveryRow): DeliveryView {
  const view: DeliveryView = {
    id: row.id,
    url: row.url,
    event: row.event,
    status: row.status,
    attempts: row.attempts,
    created_at: row.created_at,
  };
  if (row.webhook_id !== null) view.webhook_id = row.webhook_id;
  if (row.job_id !== null) view.job_id = row.job_id;
  if (row.last_status_code !== null) view.last_status_code = row.last_status_code;
  if (row.last_error !== null) view.last_error = row.last_error;
  if (row.next_attempt_at !== null) view.next_attempt_at = row.next_attempt_at;
  if (row.delivered_at !== null) view.delivered_at = row.delivered_at;
  return view;
}

export interface TryView {
  at: string;
  status_code?: number;
  error?: string;
  duration_ms: number;
}

export function tryView(row: DeliveryAttemptRow): TryView {
  return {
    at: row.at,
    ...(row.status_code !== null ? { status_code: row.status_code } : {}),
    ...(row.error !== null ? { error: row.error } : {}),
    duration_ms: row.duration_ms,
  };
}

/** The stored payload, as the receiver got it. */
export const payloadOf = (row: DeliveryRow): Record<string, unknown> =>
  fromJson(row.payload) as Record<string, unknown>;
