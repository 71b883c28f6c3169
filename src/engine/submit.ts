// Accepting a task: the checks of the Wire contract in their documented order, then one
// transaction that claims the idempotency key (if any), debits the cost and inserts the job.
// A 202 is only sent after COMMIT.
import { randomUUID } from 'node:crypto';

import type { Kysely } from 'kysely';

import type { RegisteredAction, Registry } from '../actions/index.js';
import {
  AppError,
  forbidden,
  invalidParams,
  notFound,
  type ValidationIssue,
} from '../errors/index.js';
import { InvalidTargetError } from '../runtime/index.js';
import { debit, debitWith } from '../ledger/index.js';
import {
  type Clock,
  type CredentialRow,
  type Database,
  type Dialect,
  isoAfter,
  isoNow,
  type JobRow,
  toJson,
  type Writer,
} from '../store/index.js';
import type { Vault } from '../vault/index.js';
import { checkWebhookUrl } from '../webhooks/index.js';
import {
  claimKey,
  findKey,
  type Idempotency,
  replayOf,
  type StoredResponse,
} from './idempotency.js';
import { insertJob } from './job.repo.js';
import { appendJobLog, type JobLogEntry, jobLogRows } from './job-log.js';

export interface TaskInput {
  accountId: string;
  actionId: string;
  params: unknown;
  credentialId?: string;
  identityId?: string;
  webhookUrl?: string;
}

export interface SubmitDeps {
  db: Kysely<Database>;
  write: Writer;
  /** On PostgreSQL an unkeyed submission is one statement (see `debitWith`). */
  dialect?: Dialect;
  registry: Registry;
  /** Throws InvalidTargetError for a URL no job may fetch or post to (bad scheme, private IP). */
  checkTarget: (url: URL) => void;
  vault: Pick<Vault, 'findCredential' | 'defaultCredential' | 'getIdentity'>;
  clock: Clock;
  /** How long an idempotency key's answer is remembered. */
  idempotencyTtlMs: number;
}

/** A new job (with the answer stored under its key, if any), or a replayed earlier answer. */
export type Submission =
  | { replayed: false; job: JobRow; response?: StoredResponse }
  | { replayed: true; response: StoredResponse };

const credentialMismatch = (): AppError =>
  forbidden('Credential does not belong to this user or catalog');

const expired = (): AppError =>
  new AppError('AUTH_EXPIRED', 401, 'Credential is no longer active. Please reconnect.');

const authRequired = (action: RegisteredAction): AppError =>
  new AppError(
    'AUTH_REQUIRED',
    401,
    `This action requires a ${action.catalog.definition.name} connection.`,
    { connect_url: `/products/holocron/${action.catalog.definition.slug}/connect` },
  );

/** Picks the credential a task runs with, or throws the contract's 401/403/404. */
async function resolveCredential(
  deps: SubmitDeps,
  action: RegisteredAction,
  input: TaskInput,
): Promise<CredentialRow | undefined> {
  const { authMode } = action.definition;
  const slug = action.catalog.definition.slug;
  if (authMode === 'none') return undefined;

  if (input.credentialId !== undefined) {
    const credential = await deps.vault.findCredential(input.accountId, input.credentialId);
    if (!credential || credential.catalog_slug !== slug) throw credentialMismatch();
    if (credential.status !== 'active') throw expired();
    return credential;
  }
  if (input.identityId !== undefined) {
    // An identity named explicitly must be the caller's (404 otherwise, like any foreign
    // id), of this catalog, and hold a usable login — whatever the auth mode.
    const identity = await deps.vault.getIdentity(input.accountId, input.identityId);
    if (identity.catalog_slug !== slug) {
      throw forbidden('Identity does not belong to this catalog');
    }
    const credential = await deps.vault.defaultCredential(input.accountId, slug, identity.id);
    if (credential?.status === 'active') return credential;
    if (credential) throw expired();
    throw authRequired(action);
  }
  if (authMode === 'optional') return undefined;
  const credential = await deps.vault.defaultCredential(input.accountId, slug);
  if (credential?.status === 'active') return credential;
  if (credential) throw expired();
  throw authRequired(action);
}

/** Problems with the URLs an action will fetch, found before anything is charged. */
function checkTargets(
  deps: SubmitDeps,
  action: RegisteredAction,
  params: Record<string, unknown>,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const { path, url } of action.definition.targets?.(params) ?? []) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      issues.push({ path, message: `'${url.slice(0, 200)}' is not a valid absolute URL` });
      continue;
    }
    // An origin the operator pointed elsewhere is trusted configuration, not user input.
    if (action.catalog.origins.has(parsed.origin)) continue;
    try {
      deps.checkTarget(parsed);
    } catch (error) {
      if (!(error instanceof InvalidTargetError)) throw error;
      issues.push({ path, message: error.message });
    }
  }
  return issues;
}

/**
 * Validates, charges and enqueues a task. With an idempotency key, a live key answers with
 * what it answered before (422 for another body) without any check or charge; otherwise the
 * key is stored with the job's answer in the job's own transaction.
 */
export async function submitTask(
  deps: SubmitDeps,
  input: TaskInput,
  idempotency?: Idempotency,
): Promise<Submission> {
  if (idempotency) {
    const known = await findKey(deps.db, input.accountId, idempotency.key, isoNow(deps.clock));
    if (known) return { replayed: true, response: replayOf(known, idempotency.fingerprint) };
  }
  // Part of the request's shape, so checked with the body: 400 BAD_REQUEST, nothing charged.
  if (input.webhookUrl !== undefined) {
    checkWebhookUrl(input.webhookUrl, deps.checkTarget, '/webhook_url');
  }
  const action = deps.registry.action(input.actionId);
  if (!action) throw notFound(`Unknown action_id '${input.actionId}'`);
  if (!action.enabled) {
    throw new AppError(
      'ACTION_UNAVAILABLE',
      503,
      `Action '${input.actionId}' is currently unavailable.`,
    );
  }
  const checked = action.params.check(input.params ?? {});
  if (!checked.ok) throw invalidParams(checked.issues);
  const targetIssues = checkTargets(deps, action, checked.value);
  if (targetIssues.length > 0) throw invalidParams(targetIssues);

  const credential = await resolveCredential(deps, action, input);
  const now = isoNow(deps.clock);
  const job: JobRow = {
    id: randomUUID(),
    account_id: input.accountId,
    action_id: action.definition.id,
    catalog_slug: action.catalog.definition.slug,
    params: toJson(checked.value),
    credential_id: credential?.id ?? null,
    status: 'queued',
    error_code: null,
    error_message: null,
    data: null,
    attempts: 0,
    max_attempts: action.definition.maxAttempts,
    run_at: now,
    lease_until: null,
    worker_id: null,
    credits_reserved: action.definition.credits,
    credits_used: 0,
    execution_ms: null,
    idempotency_key: idempotency?.key ?? null,
    webhook_url: input.webhookUrl ?? null,
    created_at: now,
    started_at: null,
    completed_at: null,
  };
  const response: StoredResponse | undefined = idempotency?.render(job);
  const submitted: JobLogEntry = {
    jobId: job.id,
    attempt: null,
    kind: 'submitted',
    message: `Submitted; ${job.credits_reserved} ${job.credits_reserved === 1 ? 'credit' : 'credits'} reserved.`,
  };
  try {
    if (deps.dialect === 'postgres' && !idempotency) {
      await debitWith(
        deps.db,
        input.accountId,
        job.credits_reserved,
        job.id,
        [
          { table: 'jobs', row: job },
          ...jobLogRows([submitted], deps.clock).map((row) => ({ table: 'job_log', row })),
        ],
        deps.clock,
      );
      return { replayed: false, job };
    }
    return await deps.write(async (trx): Promise<Submission> => {
      if (idempotency && response) {
        // The key goes first: a concurrent duplicate then waits on it instead of debiting.
        const row = {
          account_id: input.accountId,
          key: idempotency.key,
          fingerprint: idempotency.fingerprint,
          job_id: job.id,
          created_at: now,
          expires_at: isoAfter(deps.idempotencyTtlMs, deps.clock),
        };
        if (!(await claimKey(trx, row, response))) {
          // A duplicate that raced us here committed first: answer with its job.
          const winner = await findKey(trx, input.accountId, idempotency.key, now);
          if (!winner) throw new Error('An idempotency key was held but could not be read.');
          return { replayed: true, response: replayOf(winner, idempotency.fingerprint) };
        }
      }
      // The debit comes last, so the account's balance row (which every submission of the
      // account updates) is locked only for the debit and the COMMIT. A refused debit throws
      // and the job and its log line roll back with the transaction.
      await insertJob(trx, job);
      await appendJobLog(trx, submitted, deps.clock);
      await debit(trx, input.accountId, job.credits_reserved, job.id, deps.clock);
      return response ? { replayed: false, job, response } : { replayed: false, job };
    });
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('EXECUTION_FAILED', 500, 'Failed to submit task. Please try again.');
  }
}
