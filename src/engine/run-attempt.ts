// Runs one attempt of a job: opens its credential, builds the action's context, enforces the
// time budget, and checks the result against the action's output schema. A browser attempt
// that fails the job takes a screenshot of the page it failed on before its context closes.
import type { Kysely } from 'kysely';

import type { OpenCredential, RegisteredAction } from '../actions/index.js';
import {
  ActionError,
  ActionTimeoutError,
  type AddressGuardOptions,
  type BrowserProvider,
  createHttpClient,
  createJobBrowser,
  createJobFiles,
  ExecutionError,
  jarFromStorageState,
  JOB_FILE_LIMITS,
  type JobFile,
  type Pacer,
} from '../runtime/index.js';
import { type Database, fromJson, type JobRow } from '../store/index.js';
import { UnsealError, type Vault } from '../vault/index.js';
import { retries } from './settle.js';

export interface AttemptDeps {
  db: Kysely<Database>;
  vault: Pick<Vault, 'open'>;
  guard: AddressGuardOptions;
  maxResponseBytes: number;
  requestTimeoutMs: number;
  /** The browser pool; without one, `ctx.browser` fails with a clear error when used. */
  browser?: BrowserProvider;
  /** The process's one pacer, shared by every job's HTTP client (per site and identity). */
  pacer?: Pacer;
  /** The proxy a catalog's requests go through (TASKWIRE_PROXY_URL[_<SLUG>]), if any. */
  proxyFor?: (catalogSlug: string) => string | undefined;
  log: (jobId: string, message: string, fields?: Record<string, unknown>) => void;
}

/** What a failed job gets attached: the page its browser action was on when it failed. */
export const FAILURE_SCREENSHOT = 'failure.png';

/**
 * `files`: stored with the settle (the action's own on success, a screenshot on failure).
 * `interrupted`: the attempt failed after its `lease` signal aborted (cancel, lost lease,
 * shutdown), so the failure says nothing about the job.
 */
export type AttemptOutcome =
  | { ok: true; data: Record<string, unknown>; files: JobFile[]; executionMs: number }
  | {
      ok: false;
      error: ActionError;
      files: JobFile[];
      executionMs: number;
      interrupted: boolean;
    };

/** Every secret string in a credential, so messages can be scrubbed of them. */
function secretsOf(credential: OpenCredential | undefined): string[] {
  if (!credential) return [];
  const values =
    credential.type === 'browser_state'
      ? credential.state.cookies.map((c) => c.value)
      : credential.type === 'credentials'
        ? [credential.password ?? '', credential.totpSecret ?? '']
        : credential.type === 'api_key'
          ? [credential.key]
          : [credential.token];
  return values.filter((v) => v.length >= 4);
}

function scrub(message: string, secrets: string[]): string {
  return secrets.reduce((text, secret) => text.split(secret).join('[redacted]'), message);
}

export async function runAttempt(
  deps: AttemptDeps,
  job: JobRow,
  action: RegisteredAction,
  lease: AbortSignal,
): Promise<AttemptOutcome> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  let credential: OpenCredential | undefined;
  try {
    if (job.credential_id) {
      credential = await deps.vault.open(job.credential_id);
    }
  } catch (error) {
    const reason = error instanceof UnsealError ? error.message : 'it could not be read';
    return {
      ok: false,
      // An expired credential is the vault's AuthExpiredError: the job fails AUTH_EXPIRED.
      error:
        error instanceof ActionError
          ? error
          : new ExecutionError(`The job's credential could not be opened: ${reason}`),
      files: [],
      executionMs: elapsed(),
      interrupted: lease.aborted,
    };
  }
  const secrets = secretsOf(credential);

  const budget = new AbortController();
  const timer = setTimeout(
    () =>
      budget.abort(
        new ActionTimeoutError(
          `The action did not finish within ${action.definition.timeoutMs} ms.`,
        ),
      ),
    action.definition.timeoutMs,
  );
  const signal = AbortSignal.any([budget.signal, lease]);
  const aborted = new Promise<never>((_, reject) => {
    // A cancel can land between the claim and this point; an 'abort' listener added to an
    // already-aborted signal would never fire.
    if (signal.aborted) reject(signal.reason as Error);
    else signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
  // Handled here as well: it may reject before (or without) the race below listening to it.
  aborted.catch(() => {});
  // Lazy: an action that never touches ctx.browser never launches Chromium.
  const browser = createJobBrowser(deps.browser, {
    ...(credential?.type === 'browser_state' ? { storageState: credential.state } : {}),
    originMap: action.catalog.origins,
    signal,
  });
  const files = createJobFiles();
  try {
    const http = createHttpClient({
      originMap: action.catalog.origins,
      guard: deps.guard,
      jar: await jarFromStorageState(
        credential?.type === 'browser_state' ? credential.state : undefined,
      ),
      signal,
      maxBytes: deps.maxResponseBytes,
      timeoutMs: deps.requestTimeoutMs,
      pacer: deps.pacer,
      pacing: action.catalog.definition.pacing,
      identity: job.credential_id ?? undefined,
      proxyUrl: deps.proxyFor?.(action.catalog.definition.slug),
    });
    const result: unknown = await Promise.race([
      action.definition.run({
        params: fromJson(job.params) as Record<string, unknown>,
        http,
        browser: browser.browser,
        files: files.files,
        credential,
        signal,
        attempt: job.attempts,
        log: (message, fields) => deps.log(job.id, scrub(message, secrets), fields),
      }),
      aborted,
    ]);
    const checked = action.output.check(result);
    if (!checked.ok) {
      const first = checked.issues[0];
      throw new ExecutionError(
        `The action returned data that does not match its output schema: ${first?.path || '/'} ${first?.message ?? ''}`.trim(),
      );
    }
    return { ok: true, data: checked.value, files: files.take(), executionMs: elapsed() };
  } catch (error) {
    // Read now, before the cleanup below awaits: a shutdown landing later did not cause this.
    const interrupted = lease.aborted;
    const actionError =
      error instanceof ActionError
        ? error
        : new ExecutionError(
            `The action failed: ${error instanceof Error ? error.message : String(error)}`,
          );
    // Re-made with a scrubbed message: an action may quote a cookie or token in its error.
    const safe = new ActionError(
      actionError.jobCode,
      actionError.retry,
      scrub(actionError.message, secrets),
      actionError.retryAfterMs,
    );
    files.take();
    const executionMs = elapsed();
    // Only when this failure ends the job, and not when the attempt was taken away (cancel,
    // lost lease, shutdown): then nobody will see the failure it would illustrate.
    const shot =
      !interrupted && !retries(safe, job, action.definition)
        ? await browser.screenshot()
        : undefined;
    const attached =
      shot && shot.length <= JOB_FILE_LIMITS.maxFileBytes
        ? [{ name: FAILURE_SCREENSHOT, contentType: 'image/png', bytes: shot }]
        : [];
    return { ok: false, error: safe, files: attached, executionMs, interrupted };
  } finally {
    clearTimeout(timer);
    // Whatever happened, the context and its pages close before the attempt settles.
    await browser.dispose();
    if (browser.refused > 0) {
      deps.log(job.id, 'The address guard refused browser requests.', { refused: browser.refused });
    }
  }
}
