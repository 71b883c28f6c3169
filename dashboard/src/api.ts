// Everything the dashboard asks the server goes through here: the project's TypeScript client
// for the Wire routes it covers, and the same error type for Taskwire's own additions
// (account, API keys, job events, verify, login, webhooks, downloads), which it lacks.
import { type CredentialType, type JsonObject, Taskwire, TaskwireError } from '@taskwire/client';

export { TaskwireError };

const PREFIX = '/v1/wire';

export interface Account {
  id: string;
  name: string;
  balance: number;
  created_at: string;
}

export interface ApiKey {
  id: string;
  prefix: string;
  name: string;
  created_at: string;
  last_used_at?: string;
  revoked_at?: string;
  current: boolean;
}

export interface CreatedKey {
  id: string;
  prefix: string;
  name: string;
  created_at: string;
  key: string;
}

export interface JobEvent {
  at: string;
  kind: string;
  attempt?: number;
  message: string;
  data?: JsonObject;
}

/** GET /jobs/{id}/summary: one job as its page shows it. */
export interface JobSummary {
  id: string;
  action_id: string;
  action_name: string;
  catalog_slug: string;
  params: JsonObject;
  status: 'processing' | 'completed' | 'failed';
  state: 'queued' | 'running' | 'succeeded' | 'failed';
  credits: number;
  attempts: number;
  max_attempts: number;
  credential_id?: string;
  error_code?: string;
  error_message?: string;
  execution_ms?: number;
  created_at: string;
  started_at?: string;
  completed_at?: string;
}

export interface Webhook {
  id: string;
  url: string;
  events: string[];
  description?: string;
  created_at: string;
}

export interface Delivery {
  id: string;
  webhook_id?: string;
  url: string;
  event: string;
  job_id?: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status_code?: number;
  last_error?: string;
  next_attempt_at?: string;
  created_at: string;
  delivered_at?: string;
}

export interface LoginResult {
  status: 'verified';
  identity_id: string;
  identity_name: string;
  credential_id: string;
  catalog_slug: string;
  expires_at?: string;
}

type Query = Record<string, string | number | boolean | undefined>;

/** An error envelope (or anything else that is not a success) as a TaskwireError. */
async function failure(res: Response): Promise<TaskwireError> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (a proxy's page): keep the text.
  }
  const error = (body as { error?: Record<string, unknown> } | undefined)?.error;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string') {
    return new TaskwireError({
      code: 'HTTP_ERROR',
      message: `The server answered HTTP ${res.status}.`,
      status: res.status,
      body,
    });
  }
  return new TaskwireError({
    code: error.code,
    message: error.message,
    status: res.status,
    body,
    ...(typeof error.details === 'string' ? { details: error.details } : {}),
    ...(Array.isArray(error.issues)
      ? { issues: error.issues as Array<{ path: string; message: string }> }
      : {}),
    ...(Array.isArray(error.missing_fields)
      ? { missingFields: error.missing_fields as string[] }
      : {}),
    ...(typeof error.connect_url === 'string' ? { connectUrl: error.connect_url } : {}),
  });
}

/** The client for one API key: `tw` for the Wire routes, the rest for Taskwire's additions. */
export function createApi(key: string) {
  const tw = new Taskwire({ apiKey: key, baseUrl: location.origin, prefix: PREFIX });

  async function call(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    options: { query?: Query; body?: unknown } = {},
  ): Promise<Response> {
    const url = new URL(PREFIX + path, location.origin);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
    }
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          'X-API-Key': key,
          Accept: 'application/json',
          ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
    } catch (cause) {
      throw new TaskwireError({
        code: 'NETWORK_ERROR',
        message: 'Could not reach Taskwire. Is the server running?',
        status: 0,
        cause,
      });
    }
    if (!res.ok) throw await failure(res);
    return res;
  }
  const json = async <T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    options: { query?: Query; body?: unknown } = {},
  ): Promise<T> => (await (await call(method, path, options)).json()) as T;
  const enc = encodeURIComponent;

  return {
    tw,
    account: async () => (await json<{ account: Account }>('GET', '/account')).account,
    keys: async () => (await json<{ keys: ApiKey[] }>('GET', '/keys')).keys,
    createKey: async (name: string) =>
      (await json<{ key: CreatedKey }>('POST', '/keys', { body: name ? { name } : {} })).key,
    revokeKey: async (id: string, confirm: boolean) =>
      void (await call('DELETE', `/keys/${enc(id)}`, { query: { confirm: confirm || undefined } })),
    jobSummary: async (id: string) =>
      (await json<{ job: JobSummary }>('GET', `/jobs/${enc(id)}/summary`)).job,
    jobEvents: async (id: string) =>
      (await json<{ events: JobEvent[] }>('GET', `/jobs/${enc(id)}/events`)).events,
    /** A job's file as a Blob (the route needs the key, so an <img src> cannot fetch it). */
    download: async (id: string, file: string) =>
      (await call('GET', `/jobs/${enc(id)}/download`, { query: { file } })).blob(),
    verify: async (identityId: string) =>
      json<{ status: 'verified' }>('POST', '/credentials/verify', {
        body: { identity_id: identityId },
      }),
    login: async (body: {
      catalog_slug: string;
      params: Record<string, string>;
      identity_name?: string;
      remember_password?: boolean;
    }) => json<LoginResult>('POST', '/login', { body }),
    connect: async (input: {
      catalogSlug: string;
      name: string;
      type: CredentialType;
      data: unknown;
    }) =>
      tw.createIdentity({
        catalogId: input.catalogSlug,
        name: input.name,
        isDefault: true,
        credential: { type: input.type, data: input.data },
      }),
    addWebhook: async (body: { url: string; events: string[]; description?: string }) =>
      (await json<{ webhook: Webhook & { secret: string } }>('POST', '/webhooks', { body }))
        .webhook,
    removeWebhook: async (id: string) => void (await call('DELETE', `/webhooks/${enc(id)}`)),
    webhooks: async () => (await json<{ webhooks: Webhook[] }>('GET', '/webhooks')).webhooks,
    deliveries: async (page: number, limit: number) =>
      json<{ deliveries: Delivery[]; total_count: number; total_pages: number }>(
        'GET',
        '/webhooks/deliveries',
        { query: { page, limit } },
      ),
  };
}

export type Api = ReturnType<typeof createApi>;

/** An error in words a person understands, with the server's field-by-field issues. */
export function explain(error: unknown): string {
  if (error instanceof TaskwireError) {
    const issues = (error.issues ?? [])
      .map((i) => (i.path ? `${i.path.replace(/^\//, '')}: ${i.message}` : i.message))
      .join('; ');
    return issues && !error.message.includes(issues)
      ? `${error.message} (${issues})`
      : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
