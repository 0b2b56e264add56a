import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { PreparingPool } from './prepared.js';
import type { Database } from './schema.js';

/** Pools of server-mode Kysely instances (registered by openStore), for `runStatement`'s direct path. */
const pools = new WeakMap<object, PreparingPool>();

export function registerDirectPool(db: Kysely<Database>, pool: PreparingPool): void {
  pools.set(db, pool);
}

/**
 * Runs one fixed SQL text with parameters and returns its rows. On the PostgreSQL server, outside a transaction,
 * it goes straight to the pool, prepared like every other query (`preparingPool`, same names): Kysely's
 * executor adds about 15 µs of CPU per query (connection provider, driver, result mapping), which matters on
 * the hottest writes (links/create).
 * Inside a transaction, or on the embedded database (one connection, serialised by Kysely's driver), it runs
 * through Kysely as usual. Dates are sent as ISO strings (pg's local-time formatting costs a few µs each).
 */
export async function runStatement<R = Record<string, unknown>>(
  db: Kysely<Database> | Transaction<Database>,
  text: string,
  values: readonly unknown[],
): Promise<R[]> {
  const params = values.map((v) => (v instanceof Date ? v.toISOString() : v));
  const pool = pools.get(db);
  if (!pool) return (await db.executeQuery<R>(CompiledQuery.raw(text, params))).rows;
  return (await pool.run(text, params)).rows as R[];
}
