import type { ScriptRunner, Store } from './database.js';
import { loadMigrations, type Migration } from './migrations.js';

export { loadMigrations, type Migration, migrationsDir } from './migrations.js';

/** Which migration set: Ferry's own, or a separate component's (the sandbox bank keeps its own). */
export interface MigrationSet {
  /** Table recording applied versions (may be schema-qualified). */
  table: string;
  /** Advisory lock key shared by every process applying this set. */
  lockKey: number;
  migrations: Migration[];
}

/** Arbitrary constant shared by every Ferry process: the advisory lock that serialises migrations. */
const MIGRATION_LOCK_KEY = 7_246_118_003;

export function ferryMigrations(): MigrationSet {
  return { table: 'ferry_migrations', lockKey: MIGRATION_LOCK_KEY, migrations: loadMigrations() };
}

/**
 * Applies pending migrations, each in its own transaction, under a session-level advisory lock so that
 * two processes starting at once apply each migration exactly once (the second waits, then finds nothing).
 */
export async function migrate(store: Store, set: MigrationSet = ferryMigrations()): Promise<string[]> {
  const { table, lockKey, migrations } = set;
  if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(table))
    throw new Error(`bad migrations table ${table}`);
  return store.withSession(async (run) => {
    await run(`SELECT pg_advisory_lock(${lockKey})`);
    try {
      if (table.includes('.')) await run(`CREATE SCHEMA IF NOT EXISTS ${table.split('.')[0]}`);
      await run(`CREATE TABLE IF NOT EXISTS ${table} (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const done = new Set((await run(`SELECT version FROM ${table}`)).map((r) => Number(r.version)));
      const applied: string[] = [];
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        await applyOne(run, table, m);
        applied.push(`${String(m.version).padStart(4, '0')}_${m.name}`);
      }
      return applied;
    } finally {
      await run(`SELECT pg_advisory_unlock(${lockKey})`);
    }
  });
}

async function applyOne(run: ScriptRunner, table: string, m: Migration): Promise<void> {
  await run('BEGIN');
  try {
    await run(m.sql);
    await run(`INSERT INTO ${table} (version, name) VALUES (${m.version}, '${m.name}')`);
    await run('COMMIT');
  } catch (error) {
    await run('ROLLBACK');
    throw new Error(`Migration ${m.version}_${m.name} failed: ${(error as Error).message}`, { cause: error });
  }
}

/** True when every known migration is applied (the readiness check). */
export async function migrationsApplied(
  store: Store,
  migrations: Migration[] = loadMigrations(),
): Promise<boolean> {
  const rows = await store.db
    .selectFrom('ferry_migrations')
    .select('version')
    .execute()
    .catch(() => []);
  const done = new Set(rows.map((r) => Number(r.version)));
  return migrations.every((m) => done.has(m.version));
}
