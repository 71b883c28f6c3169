// The first page after signing in: the balance, jobs per hour by outcome, how often each
// action succeeds, logins that need attention (with a link to reconnect), the latest jobs.
import type { Identity, JobItem } from '@taskwire/client';

import type { Api } from '../api.js';
import { catalogIndex } from '../catalogs.js';
import { BarChart, bucketOf, buckets } from '../components/bar-chart.js';
import { reasonText } from '../credential-words.js';
import { formatCredits, formatNumber } from '../format.js';
import { Link } from '../router.js';
import { useSession } from '../session-context.js';
import { Badge, Empty, PageHeader, Show, Time, useInterval, useLoad } from '../ui.js';

/** The overview reads up to 500 jobs: refreshed less often than the jobs list. */
const REFRESH_MS = 30_000;
const HOURS = 24;
/** Jobs read for the chart and the success rates: the newest 500 at most. */
const SAMPLE_PAGES = 5;
/** A login that expires within this many days is called out. */
const EXPIRING_DAYS = 7;

async function recentJobs(
  api: Api,
): Promise<{ jobs: JobItem[]; total: number; stats: Record<string, number> }> {
  const since = Date.now() - HOURS * 3_600_000;
  const jobs: JobItem[] = [];
  let total = 0;
  let stats: Record<string, number> = {};
  for (let page = 1; page <= SAMPLE_PAGES; page++) {
    const list = await api.tw.listJobs({ page, limit: 100 });
    if (page === 1) {
      total = list.total_count;
      stats = list.stats ?? {};
    }
    jobs.push(...list.jobs);
    const oldest = list.jobs.at(-1);
    if (!oldest || page >= list.total_pages || new Date(oldest.created_at).getTime() < since) break;
  }
  return { jobs, total, stats };
}

interface Attention {
  identity: Identity;
  catalogSlug: string;
  catalogName: string;
  text: string;
  expired: boolean;
}

/** Identities whose logins are expired or expire soon, worst first. */
async function needingAttention(api: Api): Promise<Attention[]> {
  const [index, identities] = await Promise.all([catalogIndex(api), api.tw.identities()]);
  const soon = Date.now() + EXPIRING_DAYS * 86_400_000;
  const out: Attention[] = [];
  for (const identity of identities) {
    const catalog = index.catalogs.find(
      (c) => c.catalog.id === identity.catalog_id || c.catalog.slug === identity.catalog_id,
    )?.catalog;
    if (!catalog) continue;
    const active = identity.credentials.filter((c) => c.status === 'active');
    const expired = identity.credentials.find((c) => c.status === 'expired');
    const ending = active
      .filter((c) => c.expires_at && new Date(c.expires_at).getTime() < soon)
      .sort((a, b) => (a.expires_at! < b.expires_at! ? -1 : 1))[0];
    if (active.length === 0 && expired) {
      const why = reasonText(expired);
      out.push({
        identity,
        catalogSlug: catalog.slug,
        catalogName: catalog.name,
        expired: true,
        text: `Expired${why ? `: ${why}` : ''}.`,
      });
    } else if (ending && active.length === 1) {
      out.push({
        identity,
        catalogSlug: catalog.slug,
        catalogName: catalog.name,
        expired: false,
        text: `Expires ${new Date(ending.expires_at!).toLocaleDateString()}.`,
      });
    }
  }
  return out.sort((a, b) => Number(b.expired) - Number(a.expired));
}

export function OverviewPage() {
  const { api, account } = useSession();
  const [recent, reload] = useLoad(() => recentJobs(api), [api]);
  const [attention] = useLoad(() => needingAttention(api), [api]);
  useInterval(() => void reload(), REFRESH_MS);

  return (
    <>
      <PageHeader title="Overview" lead={`Signed in as ${account.name}.`} />
      <Show loaded={attention} label="Checking your logins…">
        {(list) =>
          list.length > 0 && (
            <section
              class="card attention"
              aria-labelledby="attention-title"
              data-testid="attention"
            >
              <h2 id="attention-title">Logins that need you</h2>
              <ul class="rows">
                {list.map((a) => (
                  <li key={a.identity.id} class="row">
                    <div class="row-main">
                      <strong>
                        {a.catalogName}: {a.identity.name}
                      </strong>
                      <span class="small muted">{a.text}</span>
                    </div>
                    <Badge
                      value={a.expired ? 'expired' : 'pending'}
                      label={a.expired ? 'Expired' : 'Expiring'}
                    />
                    <Link
                      class="button small"
                      href={`/products/holocron/${a.catalogSlug}/connect?identity=${encodeURIComponent(a.identity.name)}`}
                    >
                      Reconnect
                    </Link>
                  </li>
                ))}
              </ul>
            </section>
          )
        }
      </Show>
      <Show loaded={recent} label="Loading your jobs…">
        {({ jobs, total, stats }) => (
          <>
            <div class="tiles">
              {(
                [
                  ['Balance', formatCredits(account.balance), '/credits'],
                  ['Jobs', formatNumber(total), '/jobs'],
                  ['Completed', formatNumber(stats.completed ?? 0), '/jobs?status=completed'],
                  ['Failed', formatNumber(stats.failed ?? 0), '/jobs?status=failed'],
                  ['In progress', formatNumber(stats.processing ?? 0), '/jobs?status=processing'],
                ] as const
              ).map(([label, value, href]) => (
                <Link key={label} href={href} class="tile">
                  <span class="tile-label">{label}</span>
                  <span class="tile-value">{value}</span>
                </Link>
              ))}
            </div>
            {total === 0 ? (
              <section class="card">
                <Empty title="No jobs yet">
                  <Link href="/catalog">Pick an action</Link> and run it; its job and its outcome
                  show up here.
                </Empty>
              </section>
            ) : (
              <div class="grid-main">
                <section class="card">
                  <h2>Jobs per hour, last {HOURS} hours</h2>
                  <HourlyChart jobs={jobs} />
                </section>
                <section class="card">
                  <h2>Success rate by action</h2>
                  <SuccessRates jobs={jobs} />
                </section>
              </div>
            )}
            {jobs.length > 0 && (
              <section class="card">
                <div class="card-header">
                  <h2>Latest jobs</h2>
                  <Link href="/jobs" class="small">
                    All jobs
                  </Link>
                </div>
                <ul class="rows">
                  {jobs.slice(0, 6).map((job) => (
                    <li key={job.id} class="row">
                      <Link href={`/jobs/${job.id}`} class="row-main">
                        <span>{job.action_name}</span>
                        <span class="muted small">
                          <code>{job.action_id}</code>
                        </span>
                      </Link>
                      <Badge value={job.status} />
                      <Time iso={job.created_at} relative />
                    </li>
                  ))}
                </ul>
              </section>
            )}
          </>
        )}
      </Show>
    </>
  );
}

function HourlyChart({ jobs }: { jobs: JobItem[] }) {
  const times = buckets('hour', HOURS);
  const completed = times.map(() => 0);
  const failed = times.map(() => 0);
  for (const job of jobs) {
    const i = bucketOf(times, job.created_at, 'hour');
    if (i < 0) continue;
    if (job.status === 'completed') completed[i]! += 1;
    if (job.status === 'failed') failed[i]! += 1;
  }
  return (
    <BarChart
      label={`Jobs per hour by outcome, last ${HOURS} hours`}
      bucket="hour"
      times={times}
      series={[
        { label: 'Completed', color: '#12b76a', values: completed },
        { label: 'Failed', color: '#f04438', values: failed },
      ]}
    />
  );
}

function SuccessRates({ jobs }: { jobs: JobItem[] }) {
  const byAction = new Map<string, { ok: number; failed: number }>();
  for (const job of jobs) {
    if (job.status === 'processing') continue;
    const row = byAction.get(job.action_id) ?? { ok: 0, failed: 0 };
    if (job.status === 'completed') row.ok += 1;
    else row.failed += 1;
    byAction.set(job.action_id, row);
  }
  const rows = [...byAction.entries()].sort(
    (a, b) => b[1].ok + b[1].failed - (a[1].ok + a[1].failed),
  );
  if (rows.length === 0) return <p class="muted">No finished job yet.</p>;
  return (
    <ul class="rates" data-testid="success-rates">
      {rows.map(([actionId, { ok, failed }]) => {
        const rate = Math.round((ok / (ok + failed)) * 100);
        return (
          <li key={actionId}>
            <div class="rate-head">
              <Link href={`/jobs?action=${actionId}`}>
                <code>{actionId}</code>
              </Link>
              <span class="small">
                <strong>{rate}%</strong> <span class="muted">of {ok + failed}</span>
              </span>
            </div>
            <div
              class="rate-bar"
              role="progressbar"
              aria-label={`${actionId} success rate`}
              aria-valuenow={rate}
              aria-valuemin={0}
              aria-valuemax={100}
            >
              <span style={{ width: `${rate}%` }} />
            </div>
          </li>
        );
      })}
    </ul>
  );
}
