// The webhook events a job's settle produces, queued in the settle's own transaction: a crash
// can neither lose them nor announce a job that did not settle.
import type { Kysely } from 'kysely';

import { nameUuid } from '../actions/index.js';
import { type Clock, type Database, isoNow, type JobRow } from '../store/index.js';
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
  await enqueueEvent(
    trx,
    {
      accountId: job.account_id,
      event: 'credential.expired',
      jobId: job.id,
      payload: {
        event: 'credential.expired',
        credential_id: credentialId,
        identity_id: before.identity_id,
        // Catalog ids are name-based, the same the registry gives.
        catalog_id: nameUuid(`catalog:${before.catalog_slug}`),
        status_reason: reason,
        job_id: job.id,
        at: isoNow(clock),
      },
    },
    clock,
  );
}
