// Every catalog with its actions, read once per session and shared by the pages that need
// them (catalog, action, jobs filters, identities, connect): catalogs change only on deploy.
import type { Action, CatalogDetail } from '@taskwire/client';

import type { Api } from './api.js';

export interface CatalogIndex {
  catalogs: CatalogDetail[];
  /** Every action by its `action_id`, with its catalog. */
  actions: Map<string, { action: Action; catalog: CatalogDetail }>;
  bySlug: Map<string, CatalogDetail>;
}

const cache = new WeakMap<Api, Promise<CatalogIndex>>();

async function read(api: Api): Promise<CatalogIndex> {
  const entries = await api.tw.catalog();
  const catalogs = await Promise.all(entries.map((c) => api.tw.catalogEntry(c.slug)));
  catalogs.sort((a, b) => a.catalog.name.localeCompare(b.catalog.name));
  const actions = new Map<string, { action: Action; catalog: CatalogDetail }>();
  for (const catalog of catalogs) {
    for (const action of catalog.actions) actions.set(action.action_id, { action, catalog });
  }
  return { catalogs, actions, bySlug: new Map(catalogs.map((c) => [c.catalog.slug, c])) };
}

export function catalogIndex(api: Api): Promise<CatalogIndex> {
  let pending = cache.get(api);
  if (!pending) {
    pending = read(api);
    // A failed read is not kept: the next page to ask tries again.
    pending.catch(() => cache.delete(api));
    cache.set(api, pending);
  }
  return pending;
}
