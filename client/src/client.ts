// The Taskwire client: one method per Wire route, plus `run` (submit, then wait for the result).
import { startDeadline } from './deadline.js';
import { JobFailedError, TaskwireError } from './errors.js';
import type {
  IdentityChanges,
  JobsFilter,
  NewCredential,
  NewIdentity,
  RunOptions,
  SearchFilters,
  Submission,
  SubmitOptions,
  TaskwireOptions,
  WaitOptions,
} from './options.js';
import { submitTask } from './submit.js';
import { createTransport, type Query, type Send } from './transport.js';
import type {
  CatalogDetail,
  CatalogEntry,
  Credential,
  Credits,
  FailedJob,
  FinishedJob,
  Identity,
  JobBody,
  JobItem,
  JobList,
  JsonObject,
  ResolveResponse,
  SearchResult,
} from './types.js';
import { pollUntilFinished, type ReadJob } from './wait.js';

/** This package's version, sent in the default User-Agent. */
export const VERSION = '0.1.0';
/** How long `run` and `waitForJob` wait unless told otherwise: 10 minutes. */
export const DEFAULT_TIMEOUT_MS = 600_000;

const enc = encodeURIComponent;

/**
 * A client for one Wire server and API key. Every call retries 429, 502–504, network errors
 * (and 500 on submit) up to `maxRetries` times, and throws a `TaskwireError` otherwise.
 * @example
 * const tw = new Taskwire({ apiKey: process.env.TASKWIRE_API_KEY });
 * const page = await tw.run<{ title?: string }>('web_scrape', { url: 'https://example.com' });
 */
export class Taskwire {
  readonly #send: Send;

  constructor(options: TaskwireOptions = {}) {
    const prefix = (options.prefix ?? '/v1/wire').replace(/\/+$/, '');
    this.#send = createTransport({
      apiKey: options.apiKey,
      baseUrl: (options.baseUrl ?? 'http://127.0.0.1:8080').replace(/\/+$/, ''),
      prefix: prefix === '' || prefix.startsWith('/') ? prefix : `/${prefix}`,
      // Looked up per call, so `fetch` is never invoked detached from its global.
      fetch: options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args)),
      maxRetries: Math.max(0, Math.floor(options.maxRetries ?? 3)),
      userAgent: options.userAgent ?? `taskwire-client/${VERSION}`,
    });
  }

  /**
   * Submits a task and waits for it; resolves with the job's `data`. Throws
   * `JobFailedError` when the job fails, `TimeoutError` past `timeoutMs` (the job keeps
   * running), and the signal's reason when `signal` aborts (polling stops; the job is not
   * cancelled).
   * @example
   * const page = await tw.run<{ title?: string }>('web_scrape', { url }, { timeoutMs: 60_000 });
   */
  async run<T = JsonObject>(
    actionId: string,
    params: object = {},
    options: RunOptions = {},
  ): Promise<T> {
    const { timeoutMs = DEFAULT_TIMEOUT_MS, signal, ...submitOptions } = options;
    const deadline = startDeadline(timeoutMs, signal);
    let jobId: string | undefined;
    try {
      const submission = await this.submit<T>(actionId, params, {
        ...submitOptions,
        signal: deadline.signal,
      });
      jobId = submission.jobId;
      const job =
        submission.status === 'processing'
          ? await pollUntilFinished(this.#reader<T>(), jobId, deadline)
          : submission;
      if (job.status === 'failed') throw failure(jobId, job);
      return job.data;
    } catch (error) {
      throw deadline.settle(error, jobId);
    } finally {
      deadline.dispose();
    }
  }

  /**
   * `POST /task`. An async action (or a sync one still running) gives
   * `{status: 'processing', jobId, pollUrl}`; a sync action that finished gives its job body.
   * Every retry of this call sends the same `Idempotency-Key`, so it is charged at most once.
   * @example
   * const sub = await tw.submit('web_scrape', { url }, { idempotencyKey: orderId });
   * const job = sub.status === 'processing' ? await tw.waitForJob(sub.jobId) : sub;
   */
  async submit<T = JsonObject>(
    actionId: string,
    params: object = {},
    options: SubmitOptions = {},
  ): Promise<Submission<T>> {
    return submitTask<T>(this.#send, actionId, params, options);
  }

  /**
   * `GET /jobs/{id}`; with `wait` (seconds, ≤ 60 on Taskwire) the server answers as soon as
   * the job is finished, or with its current state when the time is up.
   * @example
   * const job = await tw.job(id, { wait: 20 });
   */
  async job<T = JsonObject>(
    id: string,
    options: { wait?: number; signal?: AbortSignal } = {},
  ): Promise<JobBody<T>> {
    const reply = await this.#send<JobBody<T>>({
      method: 'GET',
      path: `/jobs/${enc(id)}`,
      query: { wait: options.wait },
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
    return reply.body;
  }

  /**
   * Waits until a job is completed or failed and returns that body (it does not throw for a
   * failed job). Long-polls 30 s at a time; `TimeoutError` past `timeoutMs`.
   * @example
   * const job = await tw.waitForJob(sub.jobId, { timeoutMs: 60_000 });
   */
  async waitForJob<T = JsonObject>(id: string, options: WaitOptions = {}): Promise<FinishedJob<T>> {
    const deadline = startDeadline(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.signal);
    try {
      return await pollUntilFinished(this.#reader<T>(), id, deadline);
    } catch (error) {
      throw deadline.settle(error, id);
    } finally {
      deadline.dispose();
    }
  }

  /**
   * Every job matching `filter`, newest first, reading page after page.
   * @example
   * for await (const job of tw.jobs({ status: 'failed', limit: 100 })) console.log(job.error);
   */
  async *jobs(filter: JobsFilter = {}): AsyncGenerator<JobItem, void, undefined> {
    // New jobs push older ones onto later pages while we read: never yield one twice.
    const seen = new Set<string>();
    for (let page = filter.page ?? 1; ; page++) {
      const list = await this.listJobs({ ...filter, page });
      for (const job of list.jobs) {
        if (seen.has(job.id)) continue;
        seen.add(job.id);
        yield job;
      }
      if (page >= list.total_pages || list.jobs.length === 0) return;
    }
  }

  /**
   * One page of `GET /jobs`.
   * @example
   * const { jobs, total_pages } = await tw.listJobs({ limit: 50 });
   */
  async listJobs(filter: JobsFilter = {}): Promise<JobList> {
    const { signal, ...query } = filter;
    return this.#get<JobList>('/jobs', query, signal);
  }

  /**
   * `POST /jobs/{id}/cancel`: the job ends failed/`CANCELLED` and is refunded. A finished job
   * is a `CONFLICT` error.
   * @example
   * const job = await tw.cancel(id); // job.error.code === 'CANCELLED'
   */
  async cancel(id: string): Promise<FailedJob> {
    try {
      const reply = await this.#send<FailedJob>({
        method: 'POST',
        path: `/jobs/${enc(id)}/cancel`,
      });
      return reply.body;
    } catch (error) {
      // A retry whose first attempt did land finds the job already cancelled: that is success.
      if (error instanceof TaskwireError && error.code === 'CONFLICT' && error.attempts > 1) {
        const job = await this.job(id);
        if (job.status === 'failed' && job.error.code === 'CANCELLED') return job;
      }
      throw error;
    }
  }

  /**
   * `GET /catalog`: the catalogs with at least one action.
   * @example
   * (await tw.catalog()).map((c) => c.slug)
   */
  async catalog(options: { scope?: 'global' | 'my' } = {}): Promise<CatalogEntry[]> {
    return (await this.#get<{ catalog: CatalogEntry[] }>('/catalog', options)).catalog;
  }

  /**
   * `GET /catalog/{slug}`: one catalog, its actions and login fields.
   * @example
   * const { actions } = await tw.catalogEntry('web');
   */
  async catalogEntry(slug: string): Promise<CatalogDetail> {
    return this.#get<CatalogDetail>(`/catalog/${enc(slug)}`);
  }

  /**
   * `GET /search`: actions matching `q`, best first.
   * @example
   * await tw.search('scrape profile', { auth: false })
   */
  async search(q?: string, filters: SearchFilters = {}): Promise<SearchResult[]> {
    const { authMode, ...rest } = filters;
    const query = { q, ...rest, auth_mode: authMode };
    return (await this.#get<{ results: SearchResult[] }>('/search', query)).results;
  }

  /**
   * `GET /resolve`: the actions that fit an intent.
   * @example
   * (await tw.resolve('read a web page')).results[0]?.action_id
   */
  async resolve(q: string, options: { limit?: number } = {}): Promise<ResolveResponse> {
    return this.#get<ResolveResponse>('/resolve', { q, limit: options.limit });
  }

  /**
   * `GET /identities`, optionally for one catalog (id or slug).
   * @example
   * await tw.identities({ catalogId: 'linkedin' })
   */
  async identities(options: { catalogId?: string } = {}): Promise<Identity[]> {
    const query = { catalog_id: options.catalogId };
    return (await this.#get<{ identities: Identity[] }>('/identities', query)).identities;
  }

  /**
   * `GET /identities/{id}`.
   * @example
   * const { credentials } = await tw.identity(id);
   */
  async identity(id: string): Promise<Identity> {
    return (await this.#get<{ identity: Identity }>(`/identities/${enc(id)}`)).identity;
  }

  /**
   * `POST /identities`; a name already used on the catalog is a `CONFLICT` error.
   * @example
   * const credential = { type: 'browser_state', data: { cookies } } as const;
   * await tw.createIdentity({ catalogId: 'linkedin', name: 'Work', credential });
   */
  async createIdentity(input: NewIdentity): Promise<Identity> {
    const body = {
      catalog_id: input.catalogId,
      name: input.name,
      ...(input.isDefault !== undefined ? { is_default: input.isDefault } : {}),
      ...(input.credential !== undefined ? { credential: input.credential } : {}),
    };
    const reply = await this.#send<{ identity: Identity }>({
      method: 'POST',
      path: '/identities',
      body,
    });
    return reply.body.identity;
  }

  /**
   * `PATCH /identities/{id}`: rename it, or make it its catalog's default (`isDefault: true`).
   * @example
   * await tw.updateIdentity(id, { name: 'Work', isDefault: true });
   */
  async updateIdentity(id: string, changes: IdentityChanges): Promise<void> {
    const body = {
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.isDefault !== undefined ? { is_default: changes.isDefault } : {}),
    };
    await this.#send({ method: 'PATCH', path: `/identities/${enc(id)}`, body });
  }

  /**
   * `DELETE /identities/{id}`, with its credentials.
   * @example
   * await tw.deleteIdentity(id);
   */
  async deleteIdentity(id: string): Promise<void> {
    await this.#remove(`/identities/${enc(id)}`);
  }

  /**
   * `POST /identities/{id}/credentials`: another login for the identity; its `data` is
   * encrypted at rest and never returned.
   * @example
   * await tw.addCredential(id, { type: 'browser_state', data: { cookies } });
   */
  async addCredential(identityId: string, credential: NewCredential): Promise<Credential> {
    const body = {
      credential_type: credential.type,
      data: credential.data,
      ...(credential.metadata !== undefined ? { metadata: credential.metadata } : {}),
    };
    const reply = await this.#send<{ credential: Credential }>({
      method: 'POST',
      path: `/identities/${enc(identityId)}/credentials`,
      body,
    });
    return reply.body.credential;
  }

  /**
   * `DELETE /credentials/{id}`.
   * @example
   * await tw.deleteCredential(credentialId);
   */
  async deleteCredential(id: string): Promise<void> {
    await this.#remove(`/credentials/${enc(id)}`);
  }

  /**
   * `GET /credits`: the balance and a page of the ledger.
   * @example
   * const { balance } = await tw.credits();
   */
  async credits(options: { page?: number; limit?: number } = {}): Promise<Credits> {
    return this.#get<Credits>('/credits', options);
  }

  async #remove(path: string): Promise<void> {
    try {
      await this.#send({ method: 'DELETE', path });
    } catch (error) {
      // A retry whose first attempt did land finds it gone already: that is success.
      if (error instanceof TaskwireError && error.code === 'NOT_FOUND' && error.attempts > 1)
        return;
      throw error;
    }
  }

  async #get<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T> {
    const reply = await this.#send<T>({
      method: 'GET',
      path,
      query,
      ...(signal !== undefined ? { signal } : {}),
    });
    return reply.body;
  }

  #reader<T>(): ReadJob<T> {
    return (id, wait, signal) =>
      this.job<T>(id, { signal, ...(wait !== undefined ? { wait } : {}) });
  }
}

/** A failed body as the job reported it, without the submit's extra fields. */
function failure(jobId: string, job: FailedJob): JobFailedError {
  return new JobFailedError(jobId, {
    status: 'failed',
    error: job.error,
    credits_used: job.credits_used,
  });
}
