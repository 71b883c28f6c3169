// Credits: the balance, a chart of credits spent and refunded per day, and the ledger behind
// the balance (grants, debits, refunds, adjustments), each entry linked to its job.
import type { LedgerEntry } from '@taskwire/client';

import type { Api } from '../api.js';
import { BarChart, bucketOf, buckets } from '../components/bar-chart.js';
import { Pager } from '../components/pager.js';
import { formatCredits, formatNumber } from '../format.js';
import { Link, useLocation } from '../router.js';
import { useSession } from '../session-context.js';
import { Badge, Empty, PageHeader, Show, Time, type Tone, useLoad } from '../ui.js';

const PAGE_SIZE = 25;
const DAYS = 30;
/** The chart reads at most this many ledger pages of 100 (the newest 1000 entries). */
const CHART_PAGES = 10;

const KIND_TONE: Record<LedgerEntry['kind'], Tone> = {
  grant: 'good',
  debit: 'muted',
  refund: 'accent',
  adjust: 'busy',
};

/** Credits spent (debits) and refunded per day over the last DAYS days. */
async function perDay(api: Api) {
  const times = buckets('day', DAYS);
  const spent = times.map(() => 0);
  const refunded = times.map(() => 0);
  const since = (times[0] ?? 0) * 1000;
  for (let page = 1; page <= CHART_PAGES; page++) {
    const { ledger, total_count } = await api.tw.credits({ page, limit: 100 });
    for (const entry of ledger) {
      const i = bucketOf(times, entry.created_at, 'day');
      if (i < 0) continue;
      if (entry.kind === 'debit') spent[i]! += -entry.amount;
      if (entry.kind === 'refund') refunded[i]! += entry.amount;
    }
    const oldest = ledger.at(-1);
    if (!oldest || new Date(oldest.created_at).getTime() < since || page * 100 >= total_count)
      break;
  }
  return { times, spent, refunded };
}

export function CreditsPage() {
  const { api, account } = useSession();
  const { path, query } = useLocation();
  const page = Math.max(1, Number(query.get('page')) || 1);
  const [ledger] = useLoad(() => api.tw.credits({ page, limit: PAGE_SIZE }), [api, page]);
  const [chart] = useLoad(() => perDay(api), [api]);

  return (
    <>
      <PageHeader
        title="Credits"
        lead="Each task takes its action's credits when it is submitted; a job that fails gives them all back."
      />
      <div class="grid-main">
        <section class="card">
          <h2>Spent and refunded, last {DAYS} days</h2>
          <Show loaded={chart} label="Reading the ledger…">
            {(c) =>
              c.spent.every((v) => v === 0) && c.refunded.every((v) => v === 0) ? (
                <Empty title="Nothing spent in the last 30 days" />
              ) : (
                <BarChart
                  label={`Credits spent and refunded per day, last ${DAYS} days`}
                  bucket="day"
                  times={c.times}
                  series={[
                    { label: 'Spent', color: '#2454d6', values: c.spent },
                    { label: 'Refunded', color: '#12b76a', values: c.refunded },
                  ]}
                />
              )
            }
          </Show>
        </section>
        <section class="card balance-card">
          <span class="tile-label">Balance</span>
          <span class="balance-value" data-testid="credits-balance">
            {formatCredits(account.balance)}
          </span>
          <p class="muted small">
            Operators add credits with <code>taskwire credits grant</code>.
          </p>
        </section>
      </div>
      <section class="card">
        <h2>Ledger</h2>
        <Show loaded={ledger} label="Loading the ledger…">
          {(l) =>
            l.ledger.length === 0 ? (
              <Empty title="No entries yet" />
            ) : (
              <>
                <div class="table-wrap">
                  <table class="ledger" data-testid="ledger">
                    <thead>
                      <tr>
                        <th>When</th>
                        <th>Kind</th>
                        <th class="num">Amount</th>
                        <th>For</th>
                      </tr>
                    </thead>
                    <tbody>
                      {l.ledger.map((entry) => (
                        <tr key={entry.id}>
                          <td class="nowrap">
                            <Time iso={entry.created_at} />
                          </td>
                          <td>
                            <Badge value={entry.kind} tone={KIND_TONE[entry.kind]} />
                          </td>
                          <td class={entry.amount < 0 ? 'num' : 'num positive'}>
                            {entry.amount > 0 ? '+' : ''}
                            {formatNumber(entry.amount)}
                          </td>
                          <td>
                            {entry.job_id ? (
                              <Link href={`/jobs/${entry.job_id}`}>
                                job <code>{entry.job_id.slice(0, 8)}</code>
                              </Link>
                            ) : (
                              <span class="muted">{entry.note ?? '—'}</span>
                            )}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <Pager
                  path={path}
                  query={query}
                  page={page}
                  hasOlder={page * l.limit < l.total_count}
                >
                  Page {l.page} of {Math.max(1, Math.ceil(l.total_count / l.limit))} ·{' '}
                  {formatNumber(l.total_count)} entries
                </Pager>
              </>
            )
          }
        </Show>
      </section>
    </>
  );
}
