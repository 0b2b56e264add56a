import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from './schema.js';

/**
 * Runs `fn` in a transaction where the planner may neither sort nor bitmap-scan, so a keyset page walks its
 * index in order and stops at the page's end. For list queries whose filters the planner, short of statistics,
 * would answer by reading every row of a client and sorting them (a table that had outgrown its last ANALYZE:
 * measured 0.8 s for a page of 100 webhook events among 400,000, against 0.05 ms walking the index).
 * Given a transaction, the settings hold for the rest of it.
 */
export async function withIndexPlans<T>(
  db: Kysely<Database> | Transaction<Database>,
  fn: (tx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  const run = async (tx: Transaction<Database>) => {
    await sql`SELECT set_config('enable_sort', 'off', true), set_config('enable_bitmapscan', 'off', true)`.execute(
      tx,
    );
    return fn(tx);
  };
  return db.isTransaction ? run(db as Transaction<Database>) : db.transaction().execute(run);
}
