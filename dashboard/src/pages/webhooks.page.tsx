// Webhooks: the account's endpoints (add one — its signing secret is shown once — or remove
// it) and the recent deliveries with their status, tries and last answer.
import { useState } from 'preact/hooks';

import { explain } from '../api.js';
import { Pager } from '../components/pager.js';
import { formatNumber } from '../format.js';
import { Link, useLocation } from '../router.js';
import { useSession } from '../session-context.js';
import {
  Badge,
  CopyButton,
  Empty,
  ErrorNote,
  PageHeader,
  Show,
  Time,
  useInterval,
  useLoad,
} from '../ui.js';

const EVENTS = ['job.completed', 'job.failed', 'credential.expired'] as const;
const PAGE_SIZE = 20;

export function WebhooksPage() {
  const { api } = useSession();
  const { path, query } = useLocation();
  const page = Math.max(1, Number(query.get('page')) || 1);
  const [hooks, reloadHooks] = useLoad(() => api.webhooks(), [api]);
  const [deliveries, reloadDeliveries] = useLoad(
    () => api.deliveries(page, PAGE_SIZE),
    [api, page],
  );
  useInterval(() => void reloadDeliveries(), 5_000);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([...EVENTS]);
  const [description, setDescription] = useState('');
  const [secret, setSecret] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const add = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const hook = await api.addWebhook({
        url: url.trim(),
        events,
        ...(description.trim() ? { description: description.trim() } : {}),
      });
      setSecret(hook.secret);
      setUrl('');
      setDescription('');
      await reloadHooks();
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader
        title="Webhooks"
        lead="Taskwire POSTs each finished job (and each expired login) to your endpoints, signed with X-Anakin-Signature."
      />
      <div class="grid-2">
        <section class="card">
          <h2>Endpoints</h2>
          <Show loaded={hooks} label="Loading endpoints…">
            {(list) =>
              list.length === 0 ? (
                <Empty title="No endpoint yet">Add one to hear about jobs as they finish.</Empty>
              ) : (
                <ul class="rows">
                  {list.map((hook) => (
                    <li key={hook.id} class="row">
                      <div class="row-main">
                        <code>{hook.url}</code>
                        <span class="muted small">
                          {hook.events.join(', ')}
                          {hook.description ? ` · ${hook.description}` : ''}
                        </span>
                      </div>
                      <button
                        type="button"
                        class="button small danger"
                        disabled={busy}
                        onClick={() =>
                          void (async () => {
                            try {
                              await api.removeWebhook(hook.id);
                              await reloadHooks();
                            } catch (e) {
                              setError(explain(e));
                            }
                          })()
                        }
                      >
                        Remove
                      </button>
                    </li>
                  ))}
                </ul>
              )
            }
          </Show>
        </section>
        <section class="card">
          <h2>Add an endpoint</h2>
          <form onSubmit={(e) => void add(e)} noValidate>
            <label for="hook-url">URL</label>
            <input
              id="hook-url"
              type="url"
              placeholder="https://example.com/hooks/taskwire"
              value={url}
              onInput={(e) => setUrl(e.currentTarget.value)}
              aria-describedby={error ? 'hook-error' : undefined}
            />
            <fieldset class="events">
              <legend>Events</legend>
              {EVENTS.map((name) => (
                <label key={name} class="check">
                  <input
                    type="checkbox"
                    checked={events.includes(name)}
                    onChange={(e) => {
                      const on = e.currentTarget.checked;
                      setEvents((prev) => (on ? [...prev, name] : prev.filter((x) => x !== name)));
                    }}
                  />
                  <code>{name}</code>
                </label>
              ))}
            </fieldset>
            <label for="hook-description">Description (optional)</label>
            <input
              id="hook-description"
              maxLength={500}
              value={description}
              onInput={(e) => setDescription(e.currentTarget.value)}
            />
            <div class="actions-row">
              <button class="button primary" type="submit" disabled={busy}>
                Add endpoint
              </button>
            </div>
            {error && <ErrorNote id="hook-error">{error}</ErrorNote>}
            {secret && (
              <div class="new-key" role="status">
                <p>
                  <strong>Its signing secret.</strong> Copy it now: it will not be shown again.
                </p>
                <div class="key-box">
                  <code>{secret}</code>
                  <CopyButton text={secret} />
                </div>
              </div>
            )}
          </form>
        </section>
      </div>
      <section class="card">
        <h2>Recent deliveries</h2>
        <Show loaded={deliveries} label="Loading deliveries…">
          {(d) =>
            d.deliveries.length === 0 ? (
              <Empty title="No delivery yet" />
            ) : (
              <>
                <div class="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th>Event</th>
                        <th>Status</th>
                        <th class="num">Tries</th>
                        <th>Last answer</th>
                        <th class="hide-narrow">To</th>
                        <th>When</th>
                      </tr>
                    </thead>
                    <tbody>
                      {d.deliveries.map((delivery) => (
                        <tr key={delivery.id}>
                          <td>
                            <code>{delivery.event}</code>
                            {delivery.job_id && (
                              <div class="small">
                                <Link href={`/jobs/${delivery.job_id}`}>
                                  job {delivery.job_id.slice(0, 8)}
                                </Link>
                              </div>
                            )}
                          </td>
                          <td>
                            <Badge value={delivery.status} />
                            {delivery.next_attempt_at && (
                              <div class="muted small">
                                next <Time iso={delivery.next_attempt_at} relative />
                              </div>
                            )}
                          </td>
                          <td class="num">{delivery.attempts}</td>
                          <td class="small">
                            {delivery.last_status_code !== undefined
                              ? `HTTP ${delivery.last_status_code}`
                              : ''}
                            {delivery.last_error && (
                              <div class="error-text">{delivery.last_error}</div>
                            )}
                          </td>
                          <td class="hide-narrow small">
                            <code>{delivery.url}</code>
                          </td>
                          <td class="nowrap">
                            <Time iso={delivery.created_at} relative />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <Pager path={path} query={query} page={page} hasOlder={page < d.total_pages}>
                  Page {page} of {Math.max(1, d.total_pages)} · {formatNumber(d.total_count)}{' '}
                  {d.total_count === 1 ? 'delivery' : 'deliveries'}
                </Pager>
              </>
            )
          }
        </Show>
      </section>
    </>
  );
}
