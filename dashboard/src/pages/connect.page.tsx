// The connect page behind AUTH_REQUIRED's `connect_url` (/products/holocron/{slug}/connect):
// store a login for one catalog by pasting a browser session (a Playwright storage state or
// a cookie-extension export), a token or key, or by signing in through the catalog's own
// login form on the server. Every error is shown, in words, beside the form that caused it.
import type { CatalogDetail, CredentialType, Identity, LoginField } from '@taskwire/client';
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

import { explain, TaskwireError } from '../api.js';
import { catalogIndex } from '../catalogs.js';
import { Link, useLocation } from '../router.js';
import { useSession } from '../session-context.js';
import { Empty, PageHeader, Show, useLoad } from '../ui.js';

type Outcome = { ok: boolean; text: string } | undefined;

/** Login fields that are secrets get a password input. */
const SECRET = /password|secret|token|code/i;

export function ConnectPage({ slug }: { slug: string }) {
  const { api } = useSession();
  const [data, reload] = useLoad(async () => {
    const index = await catalogIndex(api);
    const detail = index.bySlug.get(slug);
    const identities = detail ? await api.tw.identities({ catalogId: slug }) : [];
    return { detail, identities };
  }, [api, slug]);
  return (
    <Show loaded={data} label="Loading…">
      {({ detail, identities }) =>
        detail ? (
          <ConnectForms detail={detail} identities={identities} reload={reload} />
        ) : (
          <>
            <PageHeader title={`No catalog '${slug}'`} />
            <Empty title="Taskwire has no site by that name.">
              <Link href="/catalog">See the sites you can connect</Link>
            </Empty>
          </>
        )
      }
    </Show>
  );
}

function ConnectForms(props: {
  detail: CatalogDetail;
  identities: Identity[];
  reload: () => Promise<void>;
}) {
  const { api, refreshAccount } = useSession();
  const { query } = useLocation();
  const { catalog, login_input_schema: loginFields } = props.detail;
  const [name, setName] = useState(query.get('identity') ?? catalog.name);
  const types = catalog.auth_types;

  /** Stores a pasted credential: on the identity of that name if there is one, else a new one. */
  const save = async (type: CredentialType, data: unknown): Promise<Outcome> => {
    const identityName = name.trim() || catalog.name;
    const existing = props.identities.find((i) => i.name === identityName);
    if (existing) await api.tw.addCredential(existing.id, { type, data });
    else {
      await api.connect({ catalogSlug: catalog.slug, name: identityName, type, data });
    }
    await props.reload();
    refreshAccount();
    return {
      ok: true,
      text: `Connected. ${identityName} is ready; tasks for ${catalog.name} will use it.`,
    };
  };

  return (
    <div class="connect">
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href="/identities">Identities</Link> / {catalog.name}
      </nav>
      <PageHeader
        title={`Connect ${catalog.name}`}
        lead={`Store a ${catalog.name} login so your tasks can act as you. Secrets are encrypted at rest and never shown again.`}
      />
      <section class="card">
        <label for="identity-name">Name this login</label>
        <input
          id="identity-name"
          type="text"
          maxLength={200}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <p class="hint">
          {props.identities.length > 0
            ? `You have ${props.identities.map((i) => i.name).join(', ')}. Use one of these names to reconnect it, or a new name for another account.`
            : `For example "Work ${catalog.name}". New logins become the default for ${catalog.name}.`}
        </p>
      </section>
      {types.length === 0 && (
        <section class="card">
          <p>{catalog.name} needs no login: its actions run without one.</p>
        </section>
      )}
      {loginFields.length > 0 && (
        <LoginForm catalog={props.detail} fields={loginFields} name={name} done={props.reload} />
      )}
      {types.includes('browser_state') && (
        <PasteForm
          type="browser_state"
          title="Paste a browser session"
          label="The session export (JSON)"
          hint={
            <>
              Sign in to {catalog.name} in your own browser, then export its cookies: a Playwright
              storage state (<code>{'{"cookies":[…],"origins":[…]}'}</code>) or the JSON list a
              cookie-export extension saves.
            </>
          }
          save={save}
        />
      )}
      {types.includes('token') && (
        <PasteForm
          type="token"
          title="Access token"
          label="Token"
          hint={`A ${catalog.name} access token.`}
          save={save}
        />
      )}
      {types.includes('api_key') && (
        <PasteForm
          type="api_key"
          title="API key"
          label="Key"
          hint={`A ${catalog.name} API key.`}
          save={save}
        />
      )}
    </div>
  );
}

function Result({ outcome }: { outcome: Outcome }) {
  return (
    <p
      class={outcome ? `result ${outcome.ok ? 'ok-note' : 'error-note'}` : 'result'}
      role="status"
      aria-live="polite"
    >
      {outcome?.text}
    </p>
  );
}

function PasteForm(props: {
  type: CredentialType;
  title: string;
  label: string;
  hint: ComponentChildren;
  save: (type: CredentialType, data: unknown) => Promise<Outcome>;
}) {
  const { type } = props;
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const multiline = type === 'browser_state';

  const submit = async (event: Event) => {
    event.preventDefault();
    const raw = text.trim();
    if (!raw)
      return setOutcome({ ok: false, text: `Paste the ${props.title.toLowerCase()} first.` });
    let data: unknown = raw;
    if (multiline) {
      try {
        data = JSON.parse(raw);
      } catch (e) {
        return setOutcome({
          ok: false,
          text: `That is not valid JSON: ${(e as Error).message}. Paste the whole export.`,
        });
      }
    }
    setBusy(true);
    setOutcome({ ok: true, text: 'Checking it with the site…' });
    try {
      setOutcome(await props.save(type, data));
      setText('');
    } catch (e) {
      setOutcome({ ok: false, text: explain(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card">
      <form data-type={type} onSubmit={(e) => void submit(e)} noValidate>
        <h2>{props.title}</h2>
        <label for={`${type}-data`}>{props.label}</label>
        {multiline ? (
          <textarea
            id={`${type}-data`}
            name="data"
            spellcheck={false}
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
            aria-invalid={outcome && !outcome.ok ? true : undefined}
          />
        ) : (
          <input
            id={`${type}-data`}
            name="data"
            type="password"
            autocomplete="off"
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
            aria-invalid={outcome && !outcome.ok ? true : undefined}
          />
        )}
        <p class="hint">{props.hint}</p>
        <div class="actions-row">
          <button class="button primary" type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </div>
        <Result outcome={outcome} />
      </form>
    </section>
  );
}

function LoginForm(props: {
  catalog: CatalogDetail;
  fields: LoginField[];
  name: string;
  done: () => Promise<void>;
}) {
  const { api } = useSession();
  const catalogName = props.catalog.catalog.name;
  const [values, setValues] = useState<Record<string, string>>({});
  const [remember, setRemember] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const [missing, setMissing] = useState<string[]>([]);

  const submit = async (event: Event) => {
    event.preventDefault();
    const params = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
    const absent = props.fields.filter((f) => f.required && !params[f.name]).map((f) => f.name);
    setMissing(absent);
    if (absent.length) {
      return setOutcome({ ok: false, text: `Fill in ${absent.join(' and ')}.` });
    }
    setBusy(true);
    setOutcome({ ok: true, text: `Signing in to ${catalogName}… this takes a few seconds.` });
    try {
      const result = await api.login({
        catalog_slug: props.catalog.catalog.slug,
        params,
        identity_name: props.name.trim() || catalogName,
        remember_password: remember,
      });
      await props.done();
      setValues({});
      setOutcome({
        ok: true,
        text: `Connected. ${result.identity_name} is signed in; tasks for ${catalogName} will use it.`,
      });
    } catch (e) {
      if (e instanceof TaskwireError && e.missingFields) setMissing(e.missingFields);
      setOutcome({ ok: false, text: explain(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card">
      <form id="login-form" onSubmit={(e) => void submit(e)} noValidate>
        <h2>Sign in to {catalogName}</h2>
        <p class="hint">
          Taskwire signs in through {catalogName}'s own form in a browser on the server and keeps
          only the session it gets, unless you tick the box.
        </p>
        {props.fields.map((f) => (
          <div key={f.name} class="field-block">
            <label for={`login-${f.name}`}>
              {f.name}
              {!f.required && <span class="muted optional"> optional</span>}
            </label>
            <input
              id={`login-${f.name}`}
              data-field={f.name}
              type={SECRET.test(f.name) ? 'password' : 'text'}
              autocomplete="off"
              value={values[f.name] ?? ''}
              aria-invalid={missing.includes(f.name) ? true : undefined}
              onInput={(e) => {
                const value = e.currentTarget.value;
                setValues((prev) => ({ ...prev, [f.name]: value }));
              }}
            />
            <p class="hint">{f.description}</p>
          </div>
        ))}
        <label class="check">
          <input
            type="checkbox"
            name="remember"
            checked={remember}
            onChange={(e) => setRemember(e.currentTarget.checked)}
          />
          Remember the password to sign in again when the session ends
        </label>
        <div class="actions-row">
          <button class="button primary" type="submit" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
        <Result outcome={outcome} />
      </form>
    </section>
  );
}
