import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../store/index.js';

/**
 * Failed authentications share the API rate limiter's counter table (one row per key and minute, cleaned up with
 * it). A key (a client id or a source address) is stored as a UUID derived from its SHA-256, in its own bucket.
 */
export const FAILURE_BUCKET = 'auth-failures';

export function keyId(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The failures each key counted in the window starting at `windowStart`. */
export async function failureCounts(
  db: Kysely<Database>,
  keys: readonly string[],
  windowStart: Date,
): Promise<Map<string, number>> {
  const ids = keys.map(keyId);
  const rows = await db
    .selectFrom('rate_limit_counters')
    .select(['client_id', 'hits'])
    .where('bucket', '=', FAILURE_BUCKET)
    .where('window_start', '=', windowStart)
    .where('client_id', 'in', ids)
    .execute();
  const byId = new Map(rows.map((r) => [r.client_id, r.hits]));
  return new Map(keys.map((k, i) => [k, byId.get(ids[i]!) ?? 0]));
}

/** Counts one failure for each key; returns the counts after it. */
export async function addFailure(
  db: Kysely<Database>,
  keys: readonly string[],
  windowStart: Date,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const key of keys) {
    const row = await db
      .insertInto('rate_limit_counters')
      .values({ client_id: keyId(key), bucket: FAILURE_BUCKET, window_start: windowStart, hits: 1 })
      .onConflict((oc) =>
        oc
          .columns(['client_id', 'bucket', 'window_start'])
          .doUpdateSet({ hits: sql`rate_limit_counters.hits + 1` }),
      )
      .returning('hits')
      .executeTakeFirstOrThrow();
    counts.set(key, row.hits);
  }
  return counts;
}
