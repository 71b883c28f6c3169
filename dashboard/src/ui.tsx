// The pieces every page is made of: loading, empty and error states, badges, headers, and
// the hook that loads data for a page and reloads it on demand.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

import { explain } from './api.js';
import { formatAgo, formatTime } from './format.js';

export type Loaded<T> =
  | { state: 'loading'; value?: T }
  | { state: 'ready'; value: T }
  | { state: 'failed'; error: string; value?: T };

/**
 * Runs `load` when `deps` change and on `reload()`; a reload keeps showing the last value
 * (no flash of the loading state). Answers that arrive after a newer request are dropped.
 */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: unknown[],
): [Loaded<T>, () => Promise<void>] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const latest = useRef(0);
  const run = useCallback(async () => {
    const ticket = ++latest.current;
    try {
      const value = await load();
      if (ticket === latest.current) setLoaded({ state: 'ready', value });
    } catch (error) {
      if (ticket === latest.current) {
        setLoaded((prev) => ({ state: 'failed', error: explain(error), value: prev.value }));
      }
    }
    // The caller lists what `load` depends on, as with useEffect.
  }, deps);
  useEffect(() => {
    setLoaded((prev) => ({ state: 'loading', value: prev.value }));
    void run();
  }, [run]);
  return [loaded, run];
}

/** Calls `tick` every `ms` while the tab is visible. */
export function useInterval(tick: () => void, ms: number | undefined): void {
  const saved = useRef(tick);
  saved.current = tick;
  useEffect(() => {
    if (ms === undefined) return;
    const id = setInterval(() => {
      if (document.visibilityState === 'visible') saved.current();
    }, ms);
    return () => clearInterval(id);
  }, [ms]);
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p class="empty-title">{title}</p>
      {children && <div class="empty-body">{children}</div>}
    </div>
  );
}

/** An error, in words, next to what caused it. */
export function ErrorNote({ children, id }: { children: ComponentChildren; id?: string }) {
  return (
    <p class="error-note" role="alert" id={id}>
      {children}
    </p>
  );
}

/** The loading / failed / ready switch every data view needs. */
export function Show<T>(props: {
  loaded: Loaded<T>;
  children: (value: T) => ComponentChildren;
  label?: string;
}) {
  const { loaded } = props;
  if (loaded.value !== undefined) {
    return (
      <>
        {loaded.state === 'failed' && <ErrorNote>{loaded.error}</ErrorNote>}
        {props.children(loaded.value)}
      </>
    );
  }
  if (loaded.state === 'failed') return <ErrorNote>{loaded.error}</ErrorNote>;
  return <Loading {...(props.label ? { label: props.label } : {})} />;
}

const TONES: Record<string, string> = {
  completed: 'good',
  succeeded: 'good',
  active: 'good',
  delivered: 'good',
  verified: 'good',
  processing: 'busy',
  queued: 'busy',
  running: 'busy',
  pending: 'busy',
  failed: 'bad',
  expired: 'bad',
  revoked: 'muted',
};

export type Tone = 'good' | 'bad' | 'busy' | 'muted' | 'accent';

/** A status word in its colour; `tone` overrides the colour the word usually gets. */
export function Badge({ value, label, tone }: { value: string; label?: string; tone?: Tone }) {
  return <span class={`badge badge-${tone ?? TONES[value] ?? 'muted'}`}>{label ?? value}</span>;
}

export function Time({ iso, relative }: { iso: string | undefined; relative?: boolean }) {
  if (!iso) return <span class="muted">—</span>;
  return (
    <time dateTime={iso} title={formatTime(iso)}>
      {relative ? formatAgo(iso) : formatTime(iso)}
    </time>
  );
}

export function PageHeader(props: {
  title: ComponentChildren;
  lead?: ComponentChildren;
  actions?: ComponentChildren;
}) {
  return (
    <header class="page-header">
      <div>
        <h1>{props.title}</h1>
        {props.lead && <p class="lead">{props.lead}</p>}
      </div>
      {props.actions && <div class="page-actions">{props.actions}</div>}
    </header>
  );
}

/** Copies text and says so for a moment. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Clipboard refused (no permission, plain http): select-and-copy stays possible.
      return;
    }
    setDone(true);
    setTimeout(() => setDone(false), 1500);
  };
  return (
    <button type="button" class="button small ghost" onClick={() => void copy()}>
      {done ? 'Copied' : label}
    </button>
  );
}
