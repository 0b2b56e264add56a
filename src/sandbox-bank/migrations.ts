import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadMigrations, type MigrationSet, migrate, type Store } from '../store/index.js';

/** Its own advisory lock, so it never waits on (or blocks) Ferry's migrations. */
const SANDBOX_BANK_LOCK_KEY = 7_246_118_077;

/** The SQL files sit beside the sources; a build in dist/ reads them from src/. */
function migrationsFolder(): string {
  const beside = fileURLToPath(new URL('./migrations/', import.meta.url));
  if (existsSync(beside)) return beside;
  return fileURLToPath(new URL('../../src/sandbox-bank/migrations/', import.meta.url));
}

export function sandboxBankMigrations(): MigrationSet {
  return {
    table: 'sandbox_bank.migrations',
    lockKey: SANDBOX_BANK_LOCK_KEY,
    migrations: loadMigrations(migrationsFolder()),
  };
}

export const migrateSandboxBank = (store: Store): Promise<string[]> =>
  migrate(store, sandboxBankMigrations());
