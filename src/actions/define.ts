// How catalogs and actions are declared: plain data plus one `run` function per action.
import type { Static, TObject, TSchema } from 'typebox';

import type { HttpClient, JobBrowser, JobFiles } from '../runtime/index.js';

export {
  CREDENTIAL_TYPES,
  type CredentialType,
  type OpenCredential,
  type StorageState,
} from '../runtime/index.js';
import type { CredentialType, OpenCredential } from '../runtime/index.js';

export type AuthMode = 'none' | 'optional' | 'required';
export type ActionType = 'read' | 'write';
export type ActionMode = 'async' | 'sync';

/** Job-scoped log; lines are kept with the job and must never contain secrets. */
export type JobLog = (message: string, fields?: Record<string, unknown>) => void;

/** Everything an action is given for one attempt of one job. */
export interface ActionContext<P> {
  params: P;
  http: HttpClient;
  /** The job's browser context, created on first use and closed after the attempt. */
  browser: JobBrowser;
  /**
   * Files to attach to the job (`ctx.files.add('page.png', 'image/png', bytes)`): stored with
   * the job when the attempt succeeds, listed in its `files[]`, served by `/download`.
   */
  files: JobFiles;
  credential: OpenCredential | undefined;
  signal: AbortSignal;
  log: JobLog;
  attempt: number;
}

export interface ActionDefinition<P extends TObject = TObject, O extends TObject = TObject> {
  /** Short snake_case id with the site prefix: `li_profile_scrape`. */
  id: string;
  name: string;
  description: string;
  tags: readonly string[];
  type: ActionType;
  mode: ActionMode;
  authMode: AuthMode;
  credits: number;
  params: P;
  output: O;
  /** Time budget for one attempt, ms. */
  timeoutMs: number;
  /** Attempts in all, including the first (transient failures retry up to this). */
  maxAttempts: number;
  /**
   * Retry an attempt that ran past `timeoutMs` (or an HTTP request past its budget) like a
   * transient failure. Off by default: a slow site tends to stay slow, and a write that timed
   * out may have happened. Fit for reads of sites that are occasionally sluggish.
   */
  retryOnTimeout?: boolean;
  /**
   * The URLs in `params` the action will fetch, checked when the task is submitted so an
   * unusable or forbidden address is a 400 that costs nothing rather than a failed job.
   */
  targets?(params: Static<P>): Array<{ path: string; url: string }>;
  run(ctx: ActionContext<Static<P>>): Promise<Static<O>>;
}

export type { LoginContext, LoginField, LoginFlow, LoginOutcome } from '../runtime/index.js';
import type { CredentialProbe, LoginField, LoginFlow, PacingOverrides } from '../runtime/index.js';

export interface CatalogDefinition {
  slug: string;
  name: string;
  /** The site's real origin, e.g. https://www.linkedin.com. */
  url: string;
  /** Other real origins the actions reach (each can be pointed elsewhere too). */
  extraOrigins?: readonly string[];
  domain: string;
  category: string;
  description: string;
  logoUrl: string;
  authTypes: readonly CredentialType[];
  loginUrl?: string;
  /** The fields `login` needs, shown as `login_input_schema` and checked by POST /login. */
  loginFields?: readonly LoginField[];
  /**
   * Signs in through the site's own form in a real browser (POST /login, automatic re-login).
   * Catalogs without one are connected by pasting a browser session.
   */
  login?: LoginFlow;
  /**
   * The catalog's cheap "who am I" check of a stored login, run when a credential is saved, on
   * POST /credentials/verify and periodically (TASKWIRE_VERIFY_INTERVAL_MS).
   */
  probe?: CredentialProbe;
  /**
   * Pacing for this catalog's requests, over TASKWIRE_SITE_* / TASKWIRE_IDENTITY_*: e.g.
   * `{ identity: { minGapMs: 2000 } }` so one login is never used faster than every 2 s.
   */
  pacing?: PacingOverrides;
  actions: readonly ActionDefinition[];
}

/** Declares an action, keeping `run`'s params and result typed by the schemas. */
export function defineAction<P extends TObject, O extends TObject>(
  action: Omit<ActionDefinition<P, O>, 'timeoutMs' | 'maxAttempts' | 'mode' | 'type'> &
    Partial<Pick<ActionDefinition<P, O>, 'timeoutMs' | 'maxAttempts' | 'mode' | 'type'>>,
): ActionDefinition {
  return {
    type: 'read',
    mode: 'async',
    timeoutMs: 60_000,
    maxAttempts: 3,
    ...action,
  } as unknown as ActionDefinition;
}

export function defineCatalog(catalog: CatalogDefinition): CatalogDefinition {
  return catalog;
}

export type { Static, TSchema };
