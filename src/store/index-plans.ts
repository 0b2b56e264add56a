import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from './schema.js';

/**
 * Runs `fn` in a transaction where the planner may neither sort nor bitmap-scan, so a keyset page walks its
 * index in order and stops at the page's end. For list queries whose filters the planner, short of statistics,
 * would answer by reading every row of a client and sorting them (a table that had outgrown its last ANALYZE:
 * measured 0.8 s for a page of 100 webhook events among 400,000, against 0.05 ms walking the index).
 * Given a transaction, the settings are put back as they were once `fn` has run.
 */
export async function withIndexPlans<T>(
  db: Kysely<Database> | Transaction<Database>,
  fn: (tx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  const pin = (tx: Transaction<Database>, sort: string, bitmap: string) =>
    sql<{ sort: string; bitmap: string }>`
      SELECT current_setting('enable_sort') AS sort, current_setting('enable_bitmapscan') AS bitmap,
             set_config('enable_sort', ${sort}, true), set_config('enable_bitmapscan', ${bitmap}, true)`.execute(
      tx,
    );
  if (!db.isTransaction) {
    return db.transaction().execute(async (tx) => {
      await pin(tx, 'off', 'off');
      return fn(tx);
    });
  }
  const tx = db as Transaction<Database>;
  const [was] = (await pin(tx, 'off', 'off')).rows;
  try {
    return await fn(tx);
  } finally {
    await pin(tx, was!.sort, was!.bitmap);
  }
}
