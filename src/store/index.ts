export type { OpenStoreOptions, ScriptRunner, Store, StoreKind } from './database.js';
export { openStore, pgliteParsers } from './database.js';
export type { Migration } from './migrate.js';
export { loadMigrations, migrate, migrationsApplied, migrationsDir } from './migrate.js';
export type * from './schema.js';
