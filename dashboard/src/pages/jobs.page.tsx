// The account's jobs, newest first: filters (status, catalog, action, free text) and pages in
// the URL, refreshed live — every few seconds while a job on the page is still processing.
import type { JobItem } from '@taskwire/client';
import { useEffect } from 'preact/hooks';

import { catalogIndex } from '../catalogs.js';
import { type Choice, FilterSelect, SearchField, useSearchText } from '../components/filters.js';
import { Pager } from '../components/pager.js';
import { formatDuration, formatNumber } from '../format.js';
import { Link, navigate, useLocation, withQuery } from '../router.js';
import { useSession } from '../session-context.js';
import { Badge, Empty, PageHeader, Show, Time, useInterval, useLoad } from '../ui.js';

const PAGE_SIZE = 20;
const FAST_MS = 2_000;
const SLOW_MS = 10_000;

const STATUSES: readonly Choice[] = [
  ['', 'Any status'],
  ['processing', 'Processing'],
  ['queued', 'Queued'],
  ['running', 'Running'],
  ['completed', 'Completed'],
  ['failed', 'Failed'],
];

export function durationOf(job: { created_at: string; completed_at?: string }): number | undefined {
  if (!job.completed_at) return undefined;
  return new Date(job.completed_at).getTime() - new Date(job.created_at).getTime();
}

export function JobsPage() {
  const { api } = useSession();
  const { path, query } = useLocation();
  const status = query.get('status') ?? '';
  const catalog = query.get('catalog') ?? '';
  const action = query.get('action') ?? '';
  const q = query.get('q') ?? '';
  const page = Math.max(1, Number(query.get('page')) || 1);
  const [text, setText] = useSearchText(
    q,
    (typed) => navigate(withQuery(path, query, { q: typed, page: undefined }), { replace: true }),
    300,
  );
  const [index] = useLoad(() => catalogIndex(api), [api]);
  // The list route has no action filter: its text search (action id, params, error) narrows
  // the page, and rows of other actions are then left out here.
  const [list, reload] = useLoad(
    () =>
      api.tw.listJobs({
        page,
        limit: PAGE_SIZE,
        ...(status ? { status: status as JobItem['status'] } : {}),
        ...(catalog ? { catalog } : {}),
        ...(q || action ? { search: q || action } : {}),
      }),
    [api, page, status, catalog, action, q],
  );
  const busy = list.value?.jobs.some((j) => j.status === 'processing') ?? false;
  useInterval(() => void reload(), busy ? FAST_MS : SLOW_MS);
  // A new or settled job moves the balance: keep the header's in step with the list.
  const { refreshAccount } = useSession();
  const stats = list.value?.stats;
  useEffect(refreshAccount, [list.value?.total_count, stats?.processing, stats?.failed]);

  const set = (name: string) => (event: Event) =>
    navigate(
      withQuery(path, query, {
        [name]: (event.currentTarget as HTMLSelectElement).value,
        page: undefined,
        ...(name === 'catalog' ? { action: undefined } : {}),
      }),
      { replace: true },
    );
  const actions = index.value
    ? [...index.value.actions.values()].filter(
        (a) => !catalog || a.catalog.catalog.slug === catalog,
      )
    : [];

  return (
    <>
      <PageHeader
        title="Jobs"
        lead="Every task you ran, newest first. This list updates by itself."
        actions={
          <Link href="/catalog" class="button primary">
            Run an action
          </Link>
        }
      />
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <FilterSelect
          id="jobs-status"
          label="Status"
          value={status}
          onChange={set('status')}
          choices={STATUSES}
        />
        <FilterSelect
          id="jobs-catalog"
          label="Catalog"
          value={catalog}
          onChange={set('catalog')}
          choices={[
            ['', 'All catalogs'],
            ...(index.value?.catalogs ?? []).map((c): Choice => [c.catalog.slug, c.catalog.name]),
          ]}
        />
        <FilterSelect
          id="jobs-action"
          label="Action"
          value={action}
          onChange={set('action')}
          choices={[
            ['', 'All actions'],
            ...actions.map(({ action: a }): Choice => [a.action_id, a.action_id]),
          ]}
        />
        <SearchField
          id="jobs-search"
          placeholder="Params, action or error message"
          value={text}
          onInput={setText}
        />
      </form>
      <Show loaded={list} label="Loading jobs…">
        {(found) => {
          const jobs = action ? found.jobs.filter((j) => j.action_id === action) : found.jobs;
          if (jobs.length === 0) {
            const filtered = status || catalog || action || q;
            return (
              <section class="card">
                <Empty title={filtered ? 'No job matches these filters' : 'No jobs yet'}>
                  {filtered ? (
                    <Link href="/jobs">Show all jobs</Link>
                  ) : (
                    <>
                      <Link href="/catalog">Pick an action</Link> and run it: its job shows up here.
                    </>
                  )}
                </Empty>
              </section>
            );
          }
          return (
            <section class="card">
              <div class="table-wrap">
                <table class="jobs-table">
                  <thead>
                    <tr>
                      <th>Action</th>
                      <th>Status</th>
                      <th class="hide-narrow">Identity</th>
                      <th class="num">Credits</th>
                      <th class="num hide-narrow">Took</th>
                      <th>Created</th>
                    </tr>
                  </thead>
                  <tbody>
                    {jobs.map((job) => (
                      <tr key={job.id} class="clickable">
                        <td>
                          <Link href={`/jobs/${job.id}`} class="strong">
                            {job.action_name}
                          </Link>
                          <div class="muted small">
                            <code>{job.action_id}</code>
                          </div>
                          {job.error && <div class="small error-text clamp">{job.error}</div>}
                        </td>
                        <td>
                          <Badge value={job.status} />
                        </td>
                        <td class="hide-narrow">
                          {job.identity_name ?? <span class="muted">—</span>}
                        </td>
                        <td class="num">{formatNumber(job.credits_used)}</td>
                        <td class="num hide-narrow">{formatDuration(durationOf(job))}</td>
                        <td class="nowrap">
                          <Time iso={job.created_at} relative />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager path={path} query={query} page={page} hasOlder={page < found.total_pages}>
                Page {found.page} of {Math.max(1, found.total_pages)} ·{' '}
                {formatNumber(found.total_count)} job{found.total_count === 1 ? '' : 's'}
                {found.stats?.processing ? ` · ${found.stats.processing} processing` : ''}
              </Pager>
              <p class="muted small">
                Credits are held while a job runs, and refunded in full if it fails.
              </p>
            </section>
          );
        }}
      </Show>
    </>
  );
}
