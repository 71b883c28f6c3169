// The dashboard's frame: sign-in gate, the header (account name and balance always in view),
// the navigation, and the page the URL names.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';

import { type Account, createApi } from './api.js';
import { formatCredits } from './format.js';
import { ActionPage } from './pages/action.page.js';
import { CatalogPage } from './pages/catalog.page.js';
import { ConnectPage } from './pages/connect.page.js';
import { CreditsPage } from './pages/credits.page.js';
import { IdentitiesPage } from './pages/identities.page.js';
import { JobPage } from './pages/job.page.js';
import { JobsPage } from './pages/jobs.page.js';
import { KeysPage } from './pages/keys.page.js';
import { OverviewPage } from './pages/overview.page.js';
import { SignInPage } from './pages/sign-in.page.js';
import { WebhooksPage } from './pages/webhooks.page.js';
import { Link, match, navigate, useLocation } from './router.js';
import { type Session, SessionContext, useSession } from './session-context.js';
import { storedKey, storeKey } from './session.js';
import { ErrorNote, Loading, useInterval } from './ui.js';

interface Route {
  pattern: string;
  render: (params: Record<string, string>) => ComponentChildren;
}

const ROUTES: Route[] = [
  { pattern: '/', render: () => <OverviewPage /> },
  { pattern: '/catalog', render: () => <CatalogPage /> },
  { pattern: '/actions/:id', render: (p) => <ActionPage id={p.id!} /> },
  { pattern: '/jobs', render: () => <JobsPage /> },
  { pattern: '/jobs/:id', render: (p) => <JobPage key={p.id} id={p.id!} /> },
  { pattern: '/identities', render: () => <IdentitiesPage /> },
  { pattern: '/credits', render: () => <CreditsPage /> },
  { pattern: '/keys', render: () => <KeysPage /> },
  { pattern: '/webhooks', render: () => <WebhooksPage /> },
  {
    pattern: '/products/holocron/:slug/connect',
    render: (p) => <ConnectPage key={p.slug} slug={p.slug!} />,
  },
];

const NAV: Array<{ href: string; label: string; sections: string[] }> = [
  { href: '/', label: 'Overview', sections: [] },
  { href: '/catalog', label: 'Catalog', sections: ['/catalog', '/actions'] },
  { href: '/jobs', label: 'Jobs', sections: ['/jobs'] },
  { href: '/identities', label: 'Identities', sections: ['/identities', '/products/'] },
  { href: '/credits', label: 'Credits', sections: ['/credits'] },
  { href: '/keys', label: 'API keys', sections: ['/keys'] },
  { href: '/webhooks', label: 'Webhooks', sections: ['/webhooks'] },
];

/** How often the header's balance is read again while the tab is visible. */
const ACCOUNT_REFRESH_MS = 15_000;

export function App() {
  const [key, setKey] = useState(storedKey);
  const [account, setAccount] = useState<Account>();
  const [error, setError] = useState<string>();
  const api = useMemo(() => (key ? createApi(key) : undefined), [key]);

  const signOut = useCallback(() => {
    storeKey(undefined);
    setKey(undefined);
    setAccount(undefined);
  }, []);

  const refreshAccount = useCallback(() => {
    if (!api) return;
    api.account().then(
      (next) => {
        setAccount(next);
        setError(undefined);
      },
      (e: unknown) => {
        // A key revoked elsewhere ends the session; anything else is shown and retried.
        if ((e as { code?: string }).code === 'UNAUTHORIZED') signOut();
        else setError((e as Error).message);
      },
    );
  }, [api, signOut]);

  useEffect(refreshAccount, [refreshAccount]);
  useInterval(refreshAccount, api ? ACCOUNT_REFRESH_MS : undefined);

  if (!key || !api) {
    return (
      <SignInPage
        onSignedIn={(next, signedIn) => {
          storeKey(next);
          setAccount(signedIn);
          setKey(next);
        }}
      />
    );
  }
  if (!account) {
    return (
      <main class="sign-in">
        {error ? <ErrorNote>{error}</ErrorNote> : <Loading label="Signing in…" />}
      </main>
    );
  }
  const session: Session = { api, account, refreshAccount, signOut };
  return (
    <SessionContext.Provider value={session}>
      <Shell />
    </SessionContext.Provider>
  );
}

function Shell() {
  const { path } = useLocation();
  let page: ComponentChildren;
  for (const route of ROUTES) {
    const params = match(route.pattern, path);
    if (params) {
      page = route.render(params);
      break;
    }
  }
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <Header path={path} />
      <main id="main" class="main" tabIndex={-1}>
        {page ?? <NotFound path={path} />}
      </main>
    </>
  );
}

function Header({ path }: { path: string }) {
  return (
    <header class="topbar">
      <div class="topbar-inner">
        <Link href="/" class="brand" aria-label="Taskwire overview">
          <span class="brand-mark" aria-hidden="true">
            T
          </span>
          Taskwire
        </Link>
        <nav class="nav" aria-label="Main">
          {NAV.map((item) => {
            const current =
              item.href === '/' ? path === '/' : item.sections.some((s) => path.startsWith(s));
            return (
              <Link
                key={item.href}
                href={item.href}
                class={current ? 'nav-link current' : 'nav-link'}
                aria-current={current ? 'page' : undefined}
              >
                {item.label}
              </Link>
            );
          })}
        </nav>
        <AccountBadge />
      </div>
    </header>
  );
}

function AccountBadge() {
  const { account, signOut } = useSession();
  return (
    <div class="account">
      <div class="account-text">
        <span class="account-name" data-testid="account-name">
          {account.name}
        </span>
        <Link href="/credits" class="account-balance" data-testid="account-balance">
          {formatCredits(account.balance)}
        </Link>
      </div>
      <button
        type="button"
        class="button small ghost"
        onClick={() => {
          signOut();
          navigate('/');
        }}
      >
        Sign out
      </button>
    </div>
  );
}

function NotFound({ path }: { path: string }) {
  return (
    <section class="card">
      <h1>Nothing at {path}</h1>
      <p>
        <Link href="/">Back to the overview</Link>
      </p>
    </section>
  );
}
