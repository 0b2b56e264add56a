import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Clock } from '../shared/clock.js';
import { ApiError } from '../shared/errors.js';
import type { Database } from '../store/index.js';
import './guards.tables.js';

const WINDOW_MS = 60_000;
/** A process reserves at most this share of a minute's budget at once. */
const CHUNK_SHARE = 50;

export interface RateLimiter {
  /** Counts one request of `clientId` in `group`; throws 429 rate_limited with retry_after when over. */
  hit(clientId: string, group: string): Promise<void>;
  cleanup(): Promise<number>;
}

/** What this process holds of one client's budget for one group in one window. */
interface Grant {
  windowStart: number;
  left: number;
  /** The shared budget is spent: refuse without asking the database again until the window ends. */
  spent: boolean;
}

/** How many of `chunk` reserved requests fit when the shared counter reached `total`. */
export function grantedOf(limit: number, chunk: number, total: number): number {
  return Math.max(0, Math.min(chunk, limit - (total - chunk)));
}

export const chunkOf = (limit: number) => Math.max(1, Math.floor(limit / CHUNK_SHARE));

/**
 * Fixed one-minute windows counted in PostgreSQL, so every API process shares one budget per client and
 * endpoint group (0 disables a group's limit). A process does not write the counter on every request: it
 * reserves a chunk of the budget (1/50 of the limit, at least 1) with one atomic upsert and spends it locally,
 * so the database sees one write per chunk. The shared count never admits more than the limit; a process may
 * hold up to chunk − 1 unspent requests when the window ends, so a client can be refused at most 2% early per
 * process. Once the budget is spent, the process refuses the rest of the window without touching the database.
 */
export function createRateLimiter(deps: {
  db: Kysely<Database>;
  clock: Clock;
  limits: Readonly<Record<string, number>>;
}): RateLimiter {
  const { db, clock, limits } = deps;
  const grants = new Map<string, Grant>();

  const refuse = (limit: number, group: string, windowStart: number, now: number) =>
    new ApiError('rate_limited', `Rate limit of ${limit} requests per minute for ${group} reached.`, {
      retry_after: Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000)),
    });

  const reserve = async (clientId: string, group: string, windowStart: number, chunk: number) => {
    const row = await db
      .insertInto('rate_limit_counters')
      .values({ client_id: clientId, bucket: group, window_start: new Date(windowStart), hits: chunk })
      .onConflict((oc) =>
        oc
          .columns(['client_id', 'bucket', 'window_start'])
          .doUpdateSet({ hits: sql`rate_limit_counters.hits + ${chunk}` }),
      )
      .returning('hits')
      .executeTakeFirstOrThrow();
    return row.hits;
  };

  const forgetOldWindows = (windowStart: number) => {
    if (grants.size < 10_000) return;
    for (const [key, grant] of grants) if (grant.windowStart !== windowStart) grants.delete(key);
  };

  return {
    async hit(clientId, group) {
      const limit = limits[group] ?? limits.default ?? 0;
      if (limit <= 0) return;
      const now = clock.now().getTime();
      const windowStart = now - (now % WINDOW_MS);
      const key = `${clientId}\u0000${group}`;
      const held = grants.get(key);
      if (held?.windowStart === windowStart) {
        if (held.left > 0) {
          held.left--;
          return;
        }
        if (held.spent) throw refuse(limit, group, windowStart, now);
      }
      const chunk = chunkOf(limit);
      const granted = grantedOf(limit, chunk, await reserve(clientId, group, windowStart, chunk));
      forgetOldWindows(windowStart);
      const grant = grants.get(key);
      if (grant?.windowStart === windowStart) {
        // Another request of this process reserved meanwhile: pool the two grants.
        grant.left += granted;
        grant.spent ||= granted < chunk;
      } else {
        grants.set(key, { windowStart, left: granted, spent: granted < chunk });
      }
      const mine = grants.get(key)!;
      if (mine.left <= 0) throw refuse(limit, group, windowStart, now);
      mine.left--;
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
