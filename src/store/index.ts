// Public surface of the store: opening a database, migrations, table types, time and JSON.
export { type Clock, isoAfter, isoNow, systemClock } from './clock.js';
export { type Dialect, dialectOf, migrateToLatest, openStore, type Store } from './database.js';
export { fromJson, toJson } from './json.js';
export type * from './schema.js';
export { type CatalogTimes, syncCatalogRecord } from './catalog-records.repo.js';
export { createWriter, type Writer } from './group-commit.js';
export { type Channel, createNotifier, type Notifier } from './notifier.js';
export { prepared } from './prepared.js';
