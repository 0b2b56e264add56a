import type { Kysely } from 'kysely';
import type { Clock } from '../shared/clock.js';
import { ApiError } from '../shared/errors.js';
import type { Database } from '../store/index.js';
import { addFailure, failureCounts } from './auth-throttle.repository.js';

const WINDOW_MS = 60_000;

/** Failed authentications admitted per minute: per client id and per source address (0 = no limit). */
export interface AuthFailureLimits {
  client: number;
  address: number;
}

/** Who is trying: the client id presented (known or not) and the caller's address. */
export interface Attempt {
  clientId?: string | undefined;
  address?: string | undefined;
}

export interface AuthThrottle {
  /** Throws 429 `rate_limited` (with `retry_after`) when the client id or the address spent its failures. */
  check(attempt: Attempt): Promise<void>;
  /** Records one failure of the attempt (both keys); throws 429 as `check` when it spent a key's limit. */
  fail(attempt: Attempt): Promise<void>;
}

/**
 * Throttles failed authentication across every process (the counts live in the database, in one-minute
 * windows). Only attempts that would cost a secret hash are checked: a caller whose secret was verified
 * recently never reaches this, so successful clients see no extra query. A key found spent is remembered in
 * this process until its window ends, so a burst is refused without asking the database again.
 */
export function createAuthThrottle(deps: {
  db: Kysely<Database>;
  clock: Clock;
  limits: AuthFailureLimits;
}): AuthThrottle {
  const { db, clock, limits } = deps;
  const spent = new Map<string, number>();

  const keysOf = (a: Attempt) => {
    const keys: Array<[string, number]> = [];
    if (a.clientId && limits.client > 0) keys.push([`client:${a.clientId}`, limits.client]);
    if (a.address && limits.address > 0) keys.push([`address:${a.address}`, limits.address]);
    return keys;
  };
  const refuse = (windowStart: number, now: number) =>
    new ApiError('rate_limited', 'Too many failed authentication attempts; try again later.', {
      retry_after: Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000)),
    });
  /** Remembers the keys that reached their limit; true when any did. */
  const markSpent = (keys: Array<[string, number]>, counts: Map<string, number>, start: number) => {
    let any = false;
    for (const [key, limit] of keys) {
      if ((counts.get(key) ?? 0) < limit) continue;
      any = true;
      spent.set(key, start);
      if (spent.size > 10_000) spent.delete(spent.keys().next().value!);
    }
    return any;
  };

  return {
    async check(attempt) {
      const keys = keysOf(attempt);
      if (keys.length === 0) return;
      const now = clock.now().getTime();
      const start = now - (now % WINDOW_MS);
      if (keys.some(([key]) => spent.get(key) === start)) throw refuse(start, now);
      const counts = await failureCounts(
        db,
        keys.map(([k]) => k),
        new Date(start),
      );
      if (markSpent(keys, counts, start)) throw refuse(start, now);
    },
    async fail(attempt) {
      const keys = keysOf(attempt);
      if (keys.length === 0) return;
      const now = clock.now().getTime();
      const start = now - (now % WINDOW_MS);
      const counts = await addFailure(
        db,
        keys.map(([k]) => k),
        new Date(start),
      );
      if (markSpent(keys, counts, start)) throw refuse(start, now);
    },
  };
}
