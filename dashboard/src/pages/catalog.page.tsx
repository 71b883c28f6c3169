// Every catalog and action: search (ranked by the server's /search) and filters by catalog,
// category, auth mode and read/write, all kept in the URL so a filtered view can be shared.
import type { SearchResult } from '@taskwire/client';
import { catalogIndex, type CatalogIndex } from '../catalogs.js';
import { type Choice, FilterSelect, SearchField, useSearchText } from '../components/filters.js';
import { formatCredits } from '../format.js';
import { Link, navigate, useLocation, withQuery } from '../router.js';
import { useSession } from '../session-context.js';
import { Badge, Empty, PageHeader, Show, useLoad } from '../ui.js';

const AUTH_LABEL: Record<string, string> = {
  none: 'No login',
  optional: 'Login optional',
  required: 'Login required',
};

const AUTH_CHOICES: readonly Choice[] = [['', 'Any'], ...Object.entries(AUTH_LABEL)];

const TYPE_CHOICES: readonly Choice[] = [
  ['', 'Both'],
  ['read', 'Reads only'],
  ['write', 'Writes (changes something)'],
];

export function CatalogPage() {
  const { api } = useSession();
  const { path, query } = useLocation();
  const q = query.get('q') ?? '';
  const catalog = query.get('catalog') ?? '';
  const category = query.get('category') ?? '';
  const authMode = query.get('auth_mode') ?? '';
  const type = query.get('type') ?? '';
  // Typing updates the URL (and so the results) once the person pauses.
  const [text, setText] = useSearchText(
    q,
    (typed) => navigate(withQuery(path, query, { q: typed }), { replace: true }),
    250,
  );
  const [index] = useLoad(() => catalogIndex(api), [api]);
  const [results] = useLoad(
    () =>
      api.tw.search(q.trim() || undefined, {
        ...(catalog ? { catalog } : {}),
        ...(category ? { category } : {}),
        ...(authMode ? { authMode: authMode as 'none' | 'optional' | 'required' } : {}),
      }),
    [api, q, catalog, category, authMode],
  );

  const set = (name: string) => (event: Event) =>
    navigate(withQuery(path, query, { [name]: (event.currentTarget as HTMLSelectElement).value }), {
      replace: true,
    });
  const filtered = q || catalog || category || authMode || type;

  return (
    <>
      <PageHeader
        title="Catalog"
        lead="Every site Taskwire can act on and what it can do there. Open an action to see what it needs and run it."
      />
      <Show loaded={index} label="Loading the catalog…">
        {(idx) => (
          <>
            <CatalogCards index={idx} selected={catalog} />
            <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
              <SearchField
                id="catalog-search"
                placeholder="e.g. scrape a profile, screenshot, order history"
                value={text}
                onInput={setText}
              />
              <FilterSelect
                id="filter-catalog"
                label="Catalog"
                value={catalog}
                onChange={set('catalog')}
                choices={[
                  ['', 'All catalogs'],
                  ...idx.catalogs.map((c): Choice => [c.catalog.slug, c.catalog.name]),
                ]}
              />
              <FilterSelect
                id="filter-category"
                label="Category"
                value={category}
                onChange={set('category')}
                choices={[
                  ['', 'All categories'],
                  ...[...new Set(idx.catalogs.map((c) => c.catalog.category))]
                    .sort()
                    .map((c): Choice => [c, c]),
                ]}
              />
              <FilterSelect
                id="filter-auth"
                label="Login"
                value={authMode}
                onChange={set('auth_mode')}
                choices={AUTH_CHOICES}
              />
              <FilterSelect
                id="filter-type"
                label="Reads or writes"
                value={type}
                onChange={set('type')}
                choices={TYPE_CHOICES}
              />
            </form>
            <Show loaded={results} label="Searching…">
              {(found) => (
                <ActionList
                  index={idx}
                  results={found.filter(
                    (r) => !type || idx.actions.get(r.action_id)?.action.type === type,
                  )}
                  clear={
                    filtered
                      ? () => {
                          setText('');
                          navigate(path, { replace: true });
                        }
                      : undefined
                  }
                />
              )}
            </Show>
          </>
        )}
      </Show>
    </>
  );
}

function CatalogCards({ index, selected }: { index: CatalogIndex; selected: string }) {
  const { path, query } = useLocation();
  return (
    <ul class="catalog-cards" aria-label="Catalogs">
      {index.catalogs.map(({ catalog }) => (
        <li
          key={catalog.slug}
          class={selected === catalog.slug ? 'catalog-card selected' : 'catalog-card'}
        >
          <Link
            href={withQuery(path, query, {
              catalog: selected === catalog.slug ? undefined : catalog.slug,
            })}
            class="catalog-card-link"
            aria-pressed={selected === catalog.slug}
          >
            <img src={catalog.logo_url} alt="" width={36} height={36} />
            <span>
              <strong>{catalog.name}</strong>
              <span class="muted small">
                {catalog.action_count} action{catalog.action_count === 1 ? '' : 's'}
                {/* The web catalog's domain is "*": any site, which says nothing here. */}
                {catalog.domain !== '*' && ` · ${catalog.domain}`}
              </span>
            </span>
          </Link>
          {catalog.auth_required && (
            <Link href={`/products/holocron/${catalog.slug}/connect`} class="small">
              Connect
            </Link>
          )}
        </li>
      ))}
    </ul>
  );
}

function ActionList(props: {
  index: CatalogIndex;
  results: SearchResult[];
  clear: (() => void) | undefined;
}) {
  const { results, index } = props;
  if (results.length === 0) {
    return (
      <Empty title="No action matches">
        Try fewer words or other filters.{' '}
        {props.clear && (
          <button type="button" class="button small" onClick={props.clear}>
            Clear filters
          </button>
        )}
      </Empty>
    );
  }
  return (
    <section class="card" aria-label="Actions">
      <p class="muted small" aria-live="polite">
        {results.length} action{results.length === 1 ? '' : 's'}
      </p>
      <ul class="rows">
        {results.map((r) => {
          const action = index.actions.get(r.action_id)?.action;
          return (
            <li key={r.action_id} class="row action-row">
              <div class="row-main">
                <Link href={`/actions/${r.action_id}`} class="action-name">
                  {r.name}
                </Link>
                <span class="small">
                  <code>{r.action_id}</code> <span class="muted">· {r.catalog_name}</span>
                </span>
                <span class="muted small clamp">{r.description}</span>
              </div>
              <div class="row-badges">
                {action && (
                  <Badge value={action.type} tone={action.type === 'write' ? 'busy' : 'muted'} />
                )}
                {r.auth_mode !== 'none' && r.connected ? (
                  <Badge value="connected" label="Connected" tone="good" />
                ) : (
                  <Badge value={r.auth_mode} label={AUTH_LABEL[r.auth_mode] ?? r.auth_mode} />
                )}
                <span class="small nowrap">{formatCredits(r.credits)}</span>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
