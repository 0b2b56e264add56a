import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Clock } from '../shared/clock.js';
import { ApiError } from '../shared/errors.js';
import type { Database } from '../store/index.js';
import './guards.tables.js';

const WINDOW_MS = 60_000;

export interface RateLimiter {
  /** Counts one request of `clientId` in `group`; throws 429 rate_limited with retry_after when over. */
  hit(clientId: string, group: string): Promise<void>;
  cleanup(): Promise<number>;
}

/**
 * Fixed one-minute windows counted in PostgreSQL with one atomic upsert, so every API process shares the
 * same budget. Limits are per minute, per client and endpoint group; 0 disables a group's limit.
 */
export function createRateLimiter(deps: {
  db: Kysely<Database>;
  clock: Clock;
  limits: Readonly<Record<string, number>>;
}): RateLimiter {
  const { db, clock, limits } = deps;
  return {
    async hit(clientId, group) {
      const limit = limits[group] ?? limits.default ?? 0;
      if (limit <= 0) return;
      const now = clock.now().getTime();
      const windowStart = new Date(now - (now % WINDOW_MS));
      const row = await db
        .insertInto('rate_limit_counters')
        .values({ client_id: clientId, bucket: group, window_start: windowStart, hits: 1 })
        .onConflict((oc) =>
          oc
            .columns(['client_id', 'bucket', 'window_start'])
            .doUpdateSet({ hits: sql`rate_limit_counters.hits + 1` }),
        )
        .returning('hits')
        .executeTakeFirstOrThrow();
      if (row.hits > limit) {
        const retryAfter = Math.max(1, Math.ceil((windowStart.getTime() + WINDOW_MS - now) / 1000));
        throw new ApiError(
          'rate_limited',
          `Rate limit of ${limit} requests per minute for ${group} reached.`,
          {
            retry_after: retryAfter,
          },
        );
      }
    },
    async cleanup() {
      const cutoff = new Date(clock.now().getTime() - 10 * WINDOW_MS);
      const result = await db
        .deleteFrom('rate_limit_counters')
        .where('window_start', '<', cutoff)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
