// The registry: every catalog and action this server offers, looked up by slug, UUID or
// action id, with stable UUIDs derived from their names.
import { createHash } from 'node:crypto';

import type { ActionDefinition, CatalogDefinition } from './define.js';
import { compileCheck, type ParameterInfo, parametersOf, type SchemaCheck } from './params.js';

/** A deterministic UUID (version 5 layout) for a name, so ids survive restarts and nodes. */
export function nameUuid(name: string): string {
  const hash = createHash('sha1').update(`taskwire:${name}`).digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface RegisteredAction {
  uuid: string;
  definition: ActionDefinition;
  catalog: RegisteredCatalog;
  parameters: ParameterInfo[];
  params: SchemaCheck;
  output: SchemaCheck;
  enabled: boolean;
}

export interface RegisteredCatalog {
  uuid: string;
  definition: CatalogDefinition;
  actions: RegisteredAction[];
  /** Real origin → configured origin for this catalog's sites. */
  origins: Map<string, string>;
}

export interface RegistryOptions {
  /** Configured origins by catalog slug, from TASKWIRE_ORIGIN_<SLUG>. */
  originOverrides: ReadonlyMap<string, string>;
  disabledActions: ReadonlySet<string>;
}

export function createRegistry(catalogs: readonly CatalogDefinition[], options: RegistryOptions) {
  const bySlug = new Map<string, RegisteredCatalog>();
  const byUuid = new Map<string, RegisteredCatalog>();
  const actions = new Map<string, RegisteredAction>();

  for (const definition of catalogs) {
    if (bySlug.has(definition.slug))
      throw new Error(`Catalog '${definition.slug}' is defined twice.`);
    const origins = new Map<string, string>();
    const override = options.originOverrides.get(definition.slug);
    if (override) {
      for (const real of [definition.url, ...(definition.extraOrigins ?? [])]) {
        origins.set(new URL(real).origin, new URL(override).origin);
      }
    }
    const catalog: RegisteredCatalog = {
      uuid: nameUuid(`catalog:${definition.slug}`),
      definition,
      actions: [],
      origins,
    };
    for (const action of definition.actions) {
      if (actions.has(action.id)) throw new Error(`Action '${action.id}' is defined twice.`);
      const registered: RegisteredAction = {
        uuid: nameUuid(`action:${action.id}`),
        definition: action,
        catalog,
        parameters: parametersOf(action.params),
        params: compileCheck(action.params),
        output: compileCheck(action.output),
        enabled: !options.disabledActions.has(action.id),
      };
      catalog.actions.push(registered);
      actions.set(action.id, registered);
    }
    bySlug.set(definition.slug, catalog);
    byUuid.set(catalog.uuid, catalog);
  }

  return {
    catalogs: (): RegisteredCatalog[] => [...bySlug.values()],
    catalog: (slug: string): RegisteredCatalog | undefined => bySlug.get(slug),
    catalogByUuid: (uuid: string): RegisteredCatalog | undefined => byUuid.get(uuid),
    action: (actionId: string): RegisteredAction | undefined => actions.get(actionId),
    actions: (): RegisteredAction[] => [...actions.values()],
  };
}

export type Registry = ReturnType<typeof createRegistry>;
