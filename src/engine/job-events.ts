// The webhook events a job's settle produces, queued in the settle's own transaction: a crash
// can neither lose them nor announce a job that did not settle.
import type { Kysely } from 'kysely';

import { nameUuid } from '../actions/index.js';
import {
  type Clock,
  type CredentialRow,
  type Database,
  isoNow,
  type JobRow,
} from '../store/index.js';
import { markCredentialExpired } from '../vault/index.js';
import { enqueueEvent } from '../webhooks/index.js';
import type { JobFileInfo } from './job-files.repo.js';
import { jobBody } from './job-view.js';

type Db = Kysely<Database>;

/** `job.completed` / `job.failed` with the `GET /jobs/{id}` body, to the task's URL and endpoints. */
export async function queueJobEvent(
  trx: Db,
  job: JobRow,
  clock: Clock,
  files: readonly JobFileInfo[] = [],
): Promise<void> {
  const event = job.status === 'succeeded' ? 'job.completed' : 'job.failed';
  await enqueueEvent(
    trx,
    {
      accountId: job.account_id,
      event,
      jobId: job.id,
      taskUrl: job.webhook_url,
      payload: { event, job_id: job.id, ...jobBody(job, files) },
    },
    clock,
  );
}

/**
 * Queues `credential.expired` for the account's endpoints, in the transaction that turned the
 * credential expired; `jobId` names the job that found it (absent when a login check did).
 */
export async function queueCredentialExpired(
  trx: Db,
  credential: Pick<CredentialRow, 'id' | 'account_id' | 'identity_id' | 'catalog_slug'>,
  reason: string,
  clock: Clock,
  jobId?: string,
): Promise<void> {
  await enqueueEvent(
    trx,
    {
      accountId: credential.account_id,
      event: 'credential.expired',
      ...(jobId !== undefined ? { jobId } : {}),
      payload: {
        event: 'credential.expired',
        credential_id: credential.id,
        identity_id: credential.identity_id,
        // Catalog ids are name-based, the same the registry gives.
        catalog_id: nameUuid(`catalog:${credential.catalog_slug}`),
        status_reason: reason,
        ...(jobId !== undefined ? { job_id: jobId } : {}),
        at: isoNow(clock),
      },
    },
    clock,
  );
}

/**
 * Marks the job's credential expired; when that turns an active credential expired, queues
 * `credential.expired` for the account's endpoints.
 */
export async function expireCredential(
  trx: Db,
  job: Pick<JobRow, 'id' | 'account_id'>,
  credentialId: string,
  reason: string,
  clock: Clock,
): Promise<void> {
  const before = await trx
    .selectFrom('credentials')
    .select(['identity_id', 'catalog_slug', 'status'])
    .where('id', '=', credentialId)
    .executeTakeFirst();
  await markCredentialExpired(trx, credentialId, reason, clock);
  if (before?.status !== 'active') return;
  await queueCredentialExpired(
    trx,
    { id: credentialId, account_id: job.account_id, ...before },
    reason,
    clock,
    job.id,
  );
}
