// The catalogs Taskwire ships with.
import type { CatalogDefinition } from '../define.js';
import { amazonCatalog } from './amazon/index.js';
import { githubCatalog } from './github/index.js';
import { hackernewsCatalog } from './hackernews/index.js';
import { linkedinCatalog } from './linkedin/index.js';
import { webCatalog } from './web/index.js';

export const builtInCatalogs: readonly CatalogDefinition[] = [
  webCatalog,
  linkedinCatalog,
  hackernewsCatalog,
  githubCatalog,
  amazonCatalog,
];
