// The "Page N of M" line with Newer / Older buttons under a paginated list; the page number
// lives in the URL's query, so Back and shared links keep it.
import type { ComponentChildren } from 'preact';

import { navigate, withQuery } from '../router.js';

export interface PagerProps {
  /** The current path and query, whose `page` the buttons change. */
  path: string;
  query: URLSearchParams;
  page: number;
  /** Whether a later (older) page exists. */
  hasOlder: boolean;
  /** What the list holds: "Page 2 of 5 · 93 jobs". */
  children: ComponentChildren;
}

export function Pager({ path, query, page, hasOlder, children }: PagerProps) {
  const go = (to: number) => navigate(withQuery(path, query, { page: String(to) }));
  return (
    <nav class="pager" aria-label="Pages">
      <span class="muted small">{children}</span>
      <span class="pager-buttons">
        <button
          type="button"
          class="button small"
          disabled={page <= 1}
          onClick={() => go(page - 1)}
        >
          Newer
        </button>
        <button
          type="button"
          class="button small"
          disabled={!hasOlder}
          onClick={() => go(page + 1)}
        >
          Older
        </button>
      </span>
    </nav>
  );
}
