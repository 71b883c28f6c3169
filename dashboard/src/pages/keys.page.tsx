// API keys: create one (shown once, with a copy button), see each key's name, prefix and last
// use, revoke one. Revoking the key this tab is signed in with signs the tab out.
import { useState } from 'preact/hooks';

import { type CreatedKey, explain } from '../api.js';
import { useSession } from '../session-context.js';
import { Badge, CopyButton, ErrorNote, PageHeader, Show, Time, useLoad } from '../ui.js';

export function KeysPage() {
  const { api, signOut } = useSession();
  const [keys, reload] = useLoad(() => api.keys(), [api]);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreatedKey>();
  const [createError, setCreateError] = useState<string>();
  const [rowError, setRowError] = useState<{ id: string; text: string }>();
  const [confirming, setConfirming] = useState<string>();
  const [busy, setBusy] = useState(false);

  const create = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setCreateError(undefined);
    try {
      setCreated(await api.createKey(name.trim()));
      setName('');
      await reload();
    } catch (e) {
      setCreateError(explain(e));
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (id: string, current: boolean) => {
    setBusy(true);
    setRowError(undefined);
    try {
      await api.revokeKey(id, current);
      setConfirming(undefined);
      if (current) return signOut();
      await reload();
    } catch (e) {
      setRowError({ id, text: explain(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader
        title="API keys"
        lead="Keys sign requests to the API as this account. A key is shown once, when it is created; Taskwire keeps only its hash."
      />
      <section class="card">
        <form class="inline-form" onSubmit={(e) => void create(e)}>
          <div class="field-grow">
            <label for="key-name">New key's name</label>
            <input
              id="key-name"
              placeholder="e.g. CI, laptop, billing script"
              maxLength={100}
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
              aria-describedby={createError ? 'key-error' : undefined}
            />
          </div>
          <button class="button primary" type="submit" disabled={busy}>
            Create key
          </button>
        </form>
        {createError && <ErrorNote id="key-error">{createError}</ErrorNote>}
        {created && (
          <div class="new-key" role="status">
            <p>
              <strong>Your new key “{created.name}”.</strong> Copy it now: it will not be shown
              again.
            </p>
            <div class="key-box">
              <code data-testid="new-key">{created.key}</code>
              <CopyButton text={created.key} />
            </div>
            <button type="button" class="button small ghost" onClick={() => setCreated(undefined)}>
              I have stored it
            </button>
          </div>
        )}
      </section>
      <section class="card">
        <h2>Keys</h2>
        <Show loaded={keys} label="Loading keys…">
          {(list) => (
            <div class="table-wrap">
              <table data-testid="keys">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Key</th>
                    <th>Created</th>
                    <th>Last used</th>
                    <th>Status</th>
                    <th>
                      <span class="visually-hidden">Revoke</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((key) => (
                    <tr key={key.id} data-key-id={key.id}>
                      <td>
                        {key.name}
                        {key.current && (
                          <div>
                            <Badge value="current" label="This browser" tone="accent" />
                          </div>
                        )}
                      </td>
                      <td class="nowrap">
                        <code>tw_{key.prefix}_…</code>
                      </td>
                      <td class="nowrap">
                        <Time iso={key.created_at} relative />
                      </td>
                      <td class="nowrap">
                        <Time iso={key.last_used_at} relative />
                      </td>
                      <td>
                        {key.revoked_at ? (
                          <Badge value="revoked" label="Revoked" />
                        ) : (
                          <Badge value="active" />
                        )}
                      </td>
                      <td>
                        {!key.revoked_at &&
                          (confirming === key.id ? (
                            <span class="confirm-inline">
                              <span class="small">
                                {key.current ? 'This signs you out. Revoke?' : 'Revoke this key?'}
                              </span>
                              <button
                                type="button"
                                class="button small danger"
                                disabled={busy}
                                onClick={() => void revoke(key.id, key.current)}
                              >
                                Revoke
                              </button>
                              <button
                                type="button"
                                class="button small ghost"
                                onClick={() => setConfirming(undefined)}
                              >
                                Keep
                              </button>
                            </span>
                          ) : (
                            <button
                              type="button"
                              class="button small danger"
                              onClick={() => {
                                setRowError(undefined);
                                setConfirming(key.id);
                              }}
                            >
                              Revoke…
                            </button>
                          ))}
                        {rowError?.id === key.id && <ErrorNote>{rowError.text}</ErrorNote>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Show>
      </section>
    </>
  );
}
