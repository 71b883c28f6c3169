// The account's identities by catalog: each credential's type and status (with why it
// expired), when it was last verified and used; verify now, make default, rename, delete.
import type { Identity } from '@taskwire/client';
import { useState } from 'preact/hooks';

import { explain } from '../api.js';
import { catalogIndex } from '../catalogs.js';
import { reasonText, TYPE_LABEL } from '../credential-words.js';
import { Link } from '../router.js';
import { useSession } from '../session-context.js';
import { Badge, Empty, ErrorNote, PageHeader, Show, Time, useLoad } from '../ui.js';

export function IdentitiesPage() {
  const { api } = useSession();
  const [data, reload] = useLoad(async () => {
    const [index, identities] = await Promise.all([catalogIndex(api), api.tw.identities()]);
    return { index, identities };
  }, [api]);

  return (
    <>
      <PageHeader
        title="Identities"
        lead="The logins your tasks act with, one or more per site. Secrets are encrypted at rest and never shown again."
      />
      <Show loaded={data} label="Loading your identities…">
        {({ index, identities }) => {
          const withLogin = index.catalogs.filter((c) => c.catalog.auth_types.length > 0);
          return withLogin.map(({ catalog }) => {
            const mine = identities.filter(
              (i) => i.catalog_id === catalog.id || i.catalog_id === catalog.slug,
            );
            return (
              <section key={catalog.slug} class="card" aria-labelledby={`catalog-${catalog.slug}`}>
                <div class="card-header">
                  <h2 id={`catalog-${catalog.slug}`} class="with-logo">
                    <img src={catalog.logo_url} alt="" width={28} height={28} />
                    {catalog.name}
                  </h2>
                  <Link href={`/products/holocron/${catalog.slug}/connect`} class="button small">
                    {mine.length ? 'Connect another' : 'Connect'}
                  </Link>
                </div>
                {mine.length === 0 ? (
                  <Empty title={`No ${catalog.name} identity yet`}>
                    Actions that need a login to {catalog.name} will ask for one.
                  </Empty>
                ) : (
                  <ul class="identities">
                    {mine.map((identity) => (
                      <IdentityRow
                        key={identity.id}
                        identity={identity}
                        catalogSlug={catalog.slug}
                        reload={reload}
                      />
                    ))}
                  </ul>
                )}
              </section>
            );
          });
        }}
      </Show>
    </>
  );
}

function IdentityRow(props: {
  identity: Identity;
  catalogSlug: string;
  reload: () => Promise<void>;
}) {
  const { identity, reload } = props;
  const { api } = useSession();
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(identity.name);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string }>();

  const act = async (work: () => Promise<string | undefined>) => {
    setBusy(true);
    setNote(undefined);
    try {
      const said = await work();
      await reload();
      if (said) setNote({ ok: true, text: said });
    } catch (e) {
      setNote({ ok: false, text: explain(e) });
      await reload();
    } finally {
      setBusy(false);
    }
  };
  const active = identity.credentials.some((c) => c.status === 'active');

  return (
    <li class="identity" data-testid="identity">
      <div class="identity-head">
        {renaming ? (
          <form
            class="rename"
            onSubmit={(e) => {
              e.preventDefault();
              void act(async () => {
                await api.tw.updateIdentity(identity.id, { name: name.trim() });
                setRenaming(false);
                return 'Renamed.';
              });
            }}
          >
            <label class="visually-hidden" for={`rename-${identity.id}`}>
              New name
            </label>
            <input
              id={`rename-${identity.id}`}
              value={name}
              maxLength={200}
              onInput={(e) => setName(e.currentTarget.value)}
              autofocus
            />
            <button class="button small primary" type="submit" disabled={busy}>
              Save
            </button>
            <button class="button small ghost" type="button" onClick={() => setRenaming(false)}>
              Keep
            </button>
          </form>
        ) : (
          <h3 class="identity-name">
            {identity.name}
            {identity.is_default && <Badge value="default" tone="accent" />}
            <Badge
              value={active ? 'active' : 'expired'}
              label={active ? 'Active' : 'Needs reconnecting'}
            />
          </h3>
        )}
        <div class="page-actions">
          <button
            type="button"
            class="button small"
            disabled={busy}
            onClick={() =>
              void act(async () => {
                await api.verify(identity.id);
                return `${props.identity.name} is signed in: the site accepted the login.`;
              })
            }
          >
            Verify now
          </button>
          {!identity.is_default && (
            <button
              type="button"
              class="button small"
              disabled={busy}
              onClick={() =>
                void act(async () => {
                  await api.tw.updateIdentity(identity.id, { isDefault: true });
                  return 'Tasks for this site now use this identity unless told otherwise.';
                })
              }
            >
              Make default
            </button>
          )}
          <button
            type="button"
            class="button small"
            disabled={busy}
            onClick={() => setRenaming(true)}
          >
            Rename
          </button>
          <button
            type="button"
            class="button small danger"
            disabled={busy}
            onClick={() => setConfirming(true)}
          >
            Delete
          </button>
        </div>
      </div>
      {confirming && (
        <div class="confirm" role="alertdialog" aria-label={`Delete ${identity.name}`}>
          <span>
            Delete <strong>{identity.name}</strong> and its {identity.credentials.length} credential
            {identity.credentials.length === 1 ? '' : 's'}? Queued jobs that use it will fail and be
            refunded.
          </span>
          <button
            type="button"
            class="button small danger"
            disabled={busy}
            onClick={() =>
              void act(async () => (await api.tw.deleteIdentity(identity.id), undefined))
            }
          >
            Delete
          </button>
          <button
            type="button"
            class="button small ghost"
            onClick={() => setConfirming(false)}
            autofocus
          >
            Keep it
          </button>
        </div>
      )}
      {note &&
        (note.ok ? (
          <p class="ok-note" role="status">
            {note.text}
          </p>
        ) : (
          <ErrorNote>{note.text}</ErrorNote>
        ))}
      {!active && (
        <p class="hint">
          This identity has no working login.{' '}
          <Link
            href={`/products/holocron/${props.catalogSlug}/connect?identity=${encodeURIComponent(identity.name)}`}
          >
            Reconnect it
          </Link>
        </p>
      )}
      <div class="table-wrap">
        <table class="credentials">
          <thead>
            <tr>
              <th>Credential</th>
              <th>Status</th>
              <th>Last verified</th>
              <th>Last used</th>
              <th class="hide-narrow">Expires</th>
              <th>
                <span class="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {identity.credentials.map((credential) => (
              <tr key={credential.id}>
                <td>
                  {TYPE_LABEL[credential.credential_type] ?? credential.credential_type}
                  <div class="muted small">
                    added <Time iso={credential.created_at} relative />
                  </div>
                </td>
                <td>
                  <Badge value={credential.status} />
                  {reasonText(credential) && (
                    <div class="small error-text">{reasonText(credential)}</div>
                  )}
                </td>
                <td>
                  <Time iso={credential.last_verified_at} relative />
                </td>
                <td>
                  <Time iso={credential.last_used_at} relative />
                </td>
                <td class="hide-narrow">
                  <Time iso={credential.expires_at} />
                </td>
                <td>
                  <button
                    type="button"
                    class="button small ghost"
                    aria-label={`Remove this ${TYPE_LABEL[credential.credential_type] ?? 'credential'}`}
                    disabled={busy}
                    onClick={() =>
                      void act(
                        async () => (
                          await api.tw.deleteCredential(credential.id),
                          'Credential removed.'
                        ),
                      )
                    }
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
            {identity.credentials.length === 0 && (
              <tr>
                <td colSpan={6} class="muted">
                  No credential: this identity cannot sign in.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </li>
  );
}
