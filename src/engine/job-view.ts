// How a stored job reads through the Wire API: `GET /jobs/{id}` bodies and `GET /jobs` items.
import type { Registry } from '../actions/index.js';
import { fromJson, type JobRow } from '../store/index.js';
import type { JobFileInfo } from './job-files.repo.js';

export type JobBody =
  | { status: 'processing'; retry_after_ms: number }
  | {
      status: 'completed';
      data: Record<string, unknown>;
      credits_used: number;
      execution_ms: number;
      files?: JobFileInfo[];
    }
  | {
      status: 'failed';
      error: { code: string; message: string };
      credits_used: 0;
      files?: JobFileInfo[];
    };

/**
 * Wire's three states: `processing` covers both queued and running. `files` are the job's
 * stored files (the engine's `files(job)`); the field is omitted when there are none.
 */
export function jobBody(
  job: Pick<
    JobRow,
    'status' | 'data' | 'credits_used' | 'execution_ms' | 'error_code' | 'error_message'
  >,
  files: readonly JobFileInfo[] = [],
): JobBody {
  const attached = files.length > 0 ? { files: [...files] } : {};
  if (job.status === 'succeeded') {
    return {
      status: 'completed',
      data: (fromJson(job.data) ?? {}) as Record<string, unknown>,
      credits_used: job.credits_used,
      execution_ms: job.execution_ms ?? 0,
      ...attached,
    };
  }
  if (job.status === 'failed') {
    return {
      status: 'failed',
      error: {
        code: job.error_code ?? 'EXECUTION_FAILED',
        message: job.error_message ?? 'The job failed.',
      },
      credits_used: 0,
      ...attached,
    };
  }
  // Poll sooner while the job is running than while it waits in the queue.
  return { status: 'processing', retry_after_ms: job.status === 'running' ? 1000 : 2000 };
}

const WIRE_STATUS = {
  queued: 'processing',
  running: 'processing',
  succeeded: 'completed',
  failed: 'failed',
} as const;

export interface JobListItem {
  id: string;
  user_id: string;
  action_id: string;
  action_name: string;
  catalog_id: string;
  catalog_slug: string;
  params: Record<string, unknown>;
  status: 'processing' | 'completed' | 'failed';
  result?: Record<string, unknown>;
  credits_used: number;
  credential_id?: string;
  credential_type?: string;
  identity_name?: string;
  error?: string;
  created_at: string;
  completed_at?: string;
}

export interface CredentialInfo {
  credential_type: string;
  identity_name: string;
}

export function jobListItem(
  job: JobRow,
  registry: Registry,
  credentials: ReadonlyMap<string, CredentialInfo>,
): JobListItem {
  const action = registry.action(job.action_id);
  const catalog = registry.catalog(job.catalog_slug);
  const item: JobListItem = {
    id: job.id,
    user_id: job.account_id,
    action_id: job.action_id,
    action_name: action?.definition.name ?? job.action_id,
    catalog_id: catalog?.uuid ?? '',
    catalog_slug: job.catalog_slug,
    params: (fromJson(job.params) ?? {}) as Record<string, unknown>,
    status: WIRE_STATUS[job.status],
    // A job still processing has already been charged: show what it holds, not 0.
    credits_used:
      WIRE_STATUS[job.status] === 'processing' ? job.credits_reserved : job.credits_used,
    created_at: job.created_at,
  };
  if (job.status === 'succeeded' && job.data !== null) {
    item.result = fromJson(job.data) as Record<string, unknown>;
  }
  if (job.credential_id) {
    item.credential_id = job.credential_id;
    const info = credentials.get(job.credential_id);
    if (info) {
      item.credential_type = info.credential_type;
      item.identity_name = info.identity_name;
    }
  }
  if (job.status === 'failed' && job.error_message) item.error = job.error_message;
  if (job.completed_at) item.completed_at = job.completed_at;
  return item;
}
