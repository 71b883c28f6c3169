// Sign in with an API key: checked against GET /account before it is kept (for this browser
// tab only), so a typo is explained here rather than as failures on every page.
import { useState } from 'preact/hooks';

import { type Account, createApi, explain, TaskwireError } from '../api.js';
import { ErrorNote } from '../ui.js';

export function SignInPage(props: { onSignedIn: (key: string, account: Account) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) return setError('Paste your API key: it starts with tw_.');
    setBusy(true);
    setError(undefined);
    try {
      props.onSignedIn(trimmed, await createApi(trimmed).account());
    } catch (e) {
      setError(
        e instanceof TaskwireError && e.code === 'UNAUTHORIZED'
          ? 'Taskwire did not accept that key: it may be mistyped or revoked.'
          : explain(e),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <form class="card sign-in-card" onSubmit={(e) => void submit(e)} noValidate>
        <div class="brand brand-large">
          <span class="brand-mark" aria-hidden="true">
            T
          </span>
          Taskwire
        </div>
        <h1>Sign in</h1>
        <p class="lead">
          Use an API key of your account. <code>taskwire serve</code> prints one on first start;
          <code>taskwire keys create</code> makes another.
        </p>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          placeholder="tw_…"
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'sign-in-error' : 'sign-in-hint'}
          autofocus
        />
        <p class="hint" id="sign-in-hint">
          Kept in this browser tab only, and forgotten when you close it or sign out.
        </p>
        {error && <ErrorNote id="sign-in-error">{error}</ErrorNote>}
        <button class="button primary wide" type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
