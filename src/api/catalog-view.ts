// Catalog and action records as the discovery routes return them.
import type { RegisteredAction, RegisteredCatalog } from '../actions/index.js';
import type { CatalogTimes } from '../store/index.js';

const EPOCH: CatalogTimes = {
  created_at: '1970-01-01T00:00:00.000Z',
  updated_at: '1970-01-01T00:00:00.000Z',
};

export function catalogEntry(catalog: RegisteredCatalog, times: CatalogTimes = EPOCH) {
  const def = catalog.definition;
  const visible = catalog.actions.filter((a) => a.enabled);
  const entry = {
    id: catalog.uuid,
    slug: def.slug,
    name: def.name,
    url: def.url,
    domain: def.domain,
    category: def.category,
    description: def.description,
    logo_url: def.logoUrl,
    auth_required: catalog.actions.some((a) => a.definition.authMode === 'required'),
    auth_types: [...def.authTypes],
    status: 'active',
    created_at: times.created_at,
    updated_at: times.updated_at,
    action_count: visible.length,
  };
  return {
    ...entry,
    ...(def.authTypes[0] ? { auth_type: def.authTypes[0] } : {}),
    ...(def.loginUrl ? { auth_login_url: def.loginUrl } : {}),
  };
}

export function actionInfo(action: RegisteredAction, times: CatalogTimes = EPOCH) {
  const def = action.definition;
  return {
    id: action.uuid,
    action_id: def.id,
    catalog_id: action.catalog.uuid,
    name: def.name,
    description: def.description,
    tags: [...def.tags],
    type: def.type,
    mode: def.mode,
    auth_mode: def.authMode,
    auth_required: def.authMode === 'required',
    parameters: action.parameters,
    input_schema: def.params as unknown as Record<string, unknown>,
    output_schema: def.output as unknown as Record<string, unknown>,
    credits_per_call: def.credits,
    status: action.enabled ? 'active' : 'disabled',
    created_at: times.created_at,
    updated_at: times.updated_at,
  };
}
