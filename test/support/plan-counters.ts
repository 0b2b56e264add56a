import { sql, type Transaction } from 'kysely';
import type { Database } from '../../src/store/index.js';

/**
 * This transaction's own planner-visible work on `table`, so far: entries read from its indexes (one index when
 * `index` is given, all of them otherwise) and whole-table scans. Tests of plans compare two readings around a
 * call, on tables loaded in one statement and never analysed: no scan, and about a page of entries read.
 */
export async function planCounters(
  tx: Transaction<Database>,
  table: string,
  index?: string,
): Promise<{ read: number; scans: number }> {
  const r = await sql<{ read: string | null; scans: string }>`
    SELECT (SELECT sum(pg_stat_get_xact_tuples_returned(indexrelid)) FROM pg_index
            WHERE indrelid = ${table}::regclass
              AND (${index ?? null}::text IS NULL OR indexrelid = ${index ?? null}::regclass)) AS read,
           pg_stat_get_xact_numscans(${table}::regclass) AS scans`.execute(tx);
  return { read: Number(r.rows[0]!.read ?? 0), scans: Number(r.rows[0]!.scans) };
}
