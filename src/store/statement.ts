import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type pg from 'pg';
import type { Database } from './schema.js';

/** Pools of server-mode Kysely instances (registered by openStore), for `runStatement`'s direct path. */
const pools = new WeakMap<object, pg.Pool>();
const names = new Map<string, string>();

export function registerDirectPool(db: Kysely<Database>, pool: pg.Pool): void {
  pools.set(db, pool);
}

/**
 * Runs one fixed SQL text with parameters and returns its rows. On the PostgreSQL server, outside a transaction,
 * it goes straight to the pool as a named prepared statement: Kysely's executor adds about 15 µs of CPU per
 * query (connection provider, driver, result mapping), which matters on the hottest writes (links/create).
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
  let name = names.get(text);
  if (name === undefined) {
    name = `ferry_direct_${names.size}`;
    names.set(text, name);
  }
  return (await pool.query<R & pg.QueryResultRow>({ name, text, values: params })).rows;
}
