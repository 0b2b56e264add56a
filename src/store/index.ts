export type { DataDirLock } from './data-dir-lock.js';
export { acquireDataDirLock } from './data-dir-lock.js';
export type { OpenStoreOptions, ScriptRunner, Store, StoreKind } from './database.js';
export { openStore, pgliteParsers } from './database.js';
export { withIndexPlans } from './index-plans.js';
export type { Migration, MigrationSet } from './migrate.js';
export { ferryMigrations, loadMigrations, migrate, migrationsApplied, migrationsDir } from './migrate.js';
export type * from './schema.js';
export { runStatement } from './statement.js';
