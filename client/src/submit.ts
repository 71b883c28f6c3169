// POST /task: the request body, the Idempotency-Key every retry shares, and the answer.
import type { Submission, SubmitOptions } from './options.js';
import type { Send } from './transport.js';
import type { FinishedJob } from './types.js';

type Accepted = { status: 'processing'; job_id: string; poll_url: string };

/** Submits a task; see `Taskwire.submit`. */
export async function submitTask<T>(
  send: Send,
  actionId: string,
  params: object,
  options: SubmitOptions,
): Promise<Submission<T>> {
  const idempotencyKey = options.idempotencyKey ?? newIdempotencyKey();
  const reply = await send<Accepted | (FinishedJob<T> & { job_id: string })>({
    method: 'POST',
    path: '/task',
    body: {
      action_id: actionId,
      params,
      ...(options.credentialId !== undefined ? { credential_id: options.credentialId } : {}),
      ...(options.identityId !== undefined ? { identity_id: options.identityId } : {}),
      ...(options.webhookUrl !== undefined ? { webhook_url: options.webhookUrl } : {}),
    },
    headers: { 'Idempotency-Key': idempotencyKey },
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  const replayed = reply.headers.get('idempotent-replayed') === 'true';
  const body = reply.body;
  if (body.status === 'processing') {
    return {
      status: 'processing',
      jobId: body.job_id,
      pollUrl: body.poll_url,
      idempotencyKey,
      replayed,
    };
  }
  return { ...body, jobId: body.job_id, idempotencyKey, replayed };
}

/** A random UUID; Node 18 without a global `crypto` gets a Math.random one (unique enough). */
function newIdempotencyKey(): string {
  const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (crypto?.randomUUID) return crypto.randomUUID();
  return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => {
    const r = Math.floor(Math.random() * 16);
    return (c === 'x' ? r : (r & 3) | 8).toString(16);
  });
}
