// One action: what it does and costs, what login it needs, its params and output schemas,
// code to call it, and a form to run it now.
import type { Action, CatalogDetail, JsonObject } from '@taskwire/client';
import { useMemo } from 'preact/hooks';

import { catalogIndex } from '../catalogs.js';
import { JsonTree } from '../components/json-tree.js';
import { RunForm } from '../components/run-form.js';
import { exampleParams, fieldsOf } from '../components/schema-form.js';
import { Snippets } from '../components/snippets.js';
import { formatCredits } from '../format.js';
import { Link } from '../router.js';
import { useSession } from '../session-context.js';
import { Badge, Empty, PageHeader, Show, useLoad } from '../ui.js';

const AUTH_TEXT = {
  none: 'Runs without a login.',
  optional: 'Runs without a login, or as one of your identities when you pick one.',
  required: 'Needs a login: it runs as your default identity for this site, or the one you pick.',
} as const;

export function ActionPage({ id }: { id: string }) {
  const { api } = useSession();
  const [index] = useLoad(() => catalogIndex(api), [api]);
  return (
    <Show loaded={index} label="Loading the action…">
      {(idx) => {
        const found = idx.actions.get(id);
        if (!found) {
          return (
            <Empty title={`No action '${id}'`}>
              <Link href={`/catalog?q=${encodeURIComponent(id)}`}>Search the catalog</Link>
            </Empty>
          );
        }
        return <ActionView key={id} action={found.action} catalog={found.catalog} />;
      }}
    </Show>
  );
}

function ActionView({ action, catalog }: { action: Action; catalog: CatalogDetail }) {
  const fields = useMemo(() => fieldsOf(action.input_schema), [action]);
  const example = useMemo(() => exampleParams(fields), [fields]);
  const entry = catalog.catalog;
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href="/catalog">Catalog</Link> /{' '}
        <Link href={`/catalog?catalog=${entry.slug}`}>{entry.name}</Link>
      </nav>
      <PageHeader
        title={action.name}
        lead={
          <>
            <code data-testid="action-id">{action.action_id}</code> · {entry.name}
          </>
        }
        actions={
          <>
            <Badge value={action.type} tone={action.type === 'write' ? 'busy' : 'muted'} />
            <Badge value={action.mode} />
            <Badge value="cost" label={formatCredits(action.credits_per_call)} tone="accent" />
          </>
        }
      />
      <div class="grid-main">
        <div>
          <section class="card">
            <p class="description">{action.description}</p>
            {action.tags.length > 0 && (
              <p class="tags">
                {action.tags.map((t) => (
                  <Link key={t} href={`/catalog?q=${encodeURIComponent(t)}`} class="tag">
                    {t}
                  </Link>
                ))}
              </p>
            )}
            <dl class="facts">
              <dt>Cost</dt>
              <dd>
                {formatCredits(action.credits_per_call)} per run, refunded in full if the job fails
              </dd>
              <dt>Login</dt>
              <dd>
                {AUTH_TEXT[action.auth_mode]}
                {action.auth_mode !== 'none' && (
                  <>
                    {' '}
                    Accepts {entry.auth_types.join(', ') || 'no stored login'}.{' '}
                    <Link href={`/products/holocron/${entry.slug}/connect`}>
                      Connect {entry.name}
                    </Link>
                  </>
                )}
              </dd>
              <dt>Changes things</dt>
              <dd>
                {action.type === 'write'
                  ? `Yes: it acts on ${entry.name} as you.`
                  : 'No: it only reads.'}
              </dd>
            </dl>
          </section>
          <section class="card">
            <h2>Params</h2>
            {action.parameters.length === 0 ? (
              <p class="muted">None.</p>
            ) : (
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>Name</th>
                      <th>Type</th>
                      <th>Description</th>
                    </tr>
                  </thead>
                  <tbody>
                    {action.parameters.map((p) => (
                      <tr key={p.name}>
                        <td>
                          <code>{p.name}</code>
                          {p.required ? <span class="required"> required</span> : null}
                        </td>
                        <td class="nowrap">{p.type}</td>
                        <td>
                          {p.description}
                          {p.default !== undefined && (
                            <span class="muted">
                              {' '}
                              Default: <code>{JSON.stringify(p.default)}</code>.
                            </span>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <details class="schema">
              <summary>Full input schema</summary>
              <JsonTree value={action.input_schema} />
            </details>
          </section>
          <section class="card">
            <h2>Output</h2>
            <p class="muted small">
              The fields of a completed job's <code>data</code>.
            </p>
            <OutputFields schema={action.output_schema} />
            <details class="schema">
              <summary>Full output schema</summary>
              <JsonTree value={action.output_schema} />
            </details>
          </section>
          <section class="card">
            <h2>Call it from code</h2>
            <Snippets actionId={action.action_id} params={example} />
          </section>
        </div>
        <RunForm action={action} catalogSlug={entry.slug} />
      </div>
    </>
  );
}

/** The top-level fields of the output schema as a table: name, type, description. */
function OutputFields({ schema }: { schema: JsonObject }) {
  const properties = (schema.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((schema.required ?? []) as string[]);
  const typeOf = (s: JsonObject): string => {
    if (typeof s.type === 'string') {
      const items = s.items as JsonObject | undefined;
      return s.type === 'array' && items ? `array of ${typeOf(items)}` : s.type;
    }
    if (Array.isArray(s.anyOf)) return (s.anyOf as JsonObject[]).map(typeOf).join(' or ');
    if (s.const !== undefined) return JSON.stringify(s.const);
    return 'any';
  };
  const names = Object.keys(properties);
  if (names.length === 0) return <p class="muted">No fixed fields.</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th>Field</th>
            <th>Type</th>
            <th>Description</th>
          </tr>
        </thead>
        <tbody>
          {names.map((name) => (
            <tr key={name}>
              <td>
                <code>{name}</code>
                {!required.has(name) && <span class="muted small"> optional</span>}
              </td>
              <td>{typeOf(properties[name]!)}</td>
              <td>
                {typeof properties[name]!.description === 'string'
                  ? properties[name]!.description
                  : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
