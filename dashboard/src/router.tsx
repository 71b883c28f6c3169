// A few lines of client-side routing: the URL is the state (path and query), links push
// history entries, and the back button works. Patterns are matched in order.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set<() => void>();

/** Goes to `href` inside the app; `replace` rewrites the current entry instead (filters). */
export function navigate(href: string, options: { replace?: boolean } = {}): void {
  if (href === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  listeners.forEach((listen) => listen());
  if (!options.replace) window.scrollTo(0, 0);
}

/** The current location; re-renders the caller when it changes. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listen = () => setTick((n) => n + 1);
    listeners.add(listen);
    window.addEventListener('popstate', listen);
    return () => {
      listeners.delete(listen);
      window.removeEventListener('popstate', listen);
    };
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

/** `/jobs/:id` against `/jobs/42` → `{id: '42'}`; undefined when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.replace(/\/+$/, '').split('/');
  if (pattern === '/') return path === '/' ? {} : undefined;
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(g);
    else if (w !== g) return undefined;
  }
  return params;
}

/** An <a> that stays in the app on a plain click and behaves normally otherwise. */
export function Link(
  props: { href: string; children: ComponentChildren } & Omit<
    JSX.HTMLAttributes<HTMLAnchorElement>,
    'href'
  >,
) {
  const { href, children, ...rest } = props;
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}

/** `base` with `changes` applied to its query (empty values removed). */
export function withQuery(
  path: string,
  query: URLSearchParams,
  changes: Record<string, string | undefined>,
): string {
  const next = new URLSearchParams(query);
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined || value === '') next.delete(name);
    else next.set(name, value);
  }
  const text = next.toString();
  return text ? `${path}?${text}` : path;
}
