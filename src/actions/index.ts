// Public surface of actions: declaring catalogs, the registry, params checks and search.
export * from './define.js';
export { compileCheck, type ParameterInfo, parametersOf, type SchemaCheck } from './params.js';
export {
  createRegistry,
  nameUuid,
  type RegisteredAction,
  type RegisteredCatalog,
  type Registry,
  type RegistryOptions,
} from './registry.js';
export { rankActions, scoreAction, tokens } from './search.js';
export { builtInCatalogs } from './catalogs/index.js';
