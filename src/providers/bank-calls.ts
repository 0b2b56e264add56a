import type { Kysely } from 'kysely';
import type { BankCall } from '../connectors/index.js';
import type { Clock } from '../shared/clock.js';
import type { Database } from '../store/index.js';
import {
  type BankCallRow,
  type BankHealthRow,
  bankCallsOf,
  bankHealthSince,
  deleteBankCallsBefore,
  insertBankCalls,
} from './bank-calls.repository.js';

export type { BankCallRow, BankHealthRow };

/** Every bank call Ferry makes, kept for the operator console (an object's calls, each bank's health). */
export interface BankCallLog {
  /**
   * Queues one call. It is written in the background, in batches: never in the caller's way, and never on the
   * connection of a transaction the caller may hold (the embedded database has one connection).
   */
  record(call: BankCall): void;
  /** Resolves once every call queued so far is written (or failed to be: the log is not worth an error). */
  flush(): Promise<void>;
  /** The calls made for a link or a consent, oldest first (the newest 200). */
  of(subjectId: string): Promise<BankCallRow[]>;
  /** Per bank over the last `hours` (24 by default): calls, successes, latency percentiles. */
  health(hours?: number): Promise<BankHealthRow[]>;
  /** Deletes calls older than the retention; how many. */
  cleanup(): Promise<number>;
}

export interface BankCallLogDeps {
  db: Kysely<Database>;
  clock: Clock;
  retentionDays: number;
  onError(error: unknown): void;
}

/** At most this many calls wait to be written; beyond it new ones are dropped (and counted) until it drains. */
const MAX_QUEUED = 10_000;
const BATCH = 500;

export function createBankCallLog(deps: BankCallLogDeps): BankCallLog & { readonly dropped: number } {
  const { db, clock } = deps;
  let queue: Parameters<typeof insertBankCalls>[1] = [];
  let writing: Promise<void> | undefined;
  let dropped = 0;

  const drain = async () => {
    // Let the caller's current step (its transaction, its reply) finish before writing.
    await new Promise((resolve) => setImmediate(resolve));
    while (queue.length > 0) {
      const batch = queue.slice(0, BATCH);
      queue = queue.slice(BATCH);
      try {
        await insertBankCalls(db, batch);
      } catch (error) {
        deps.onError(error);
      }
    }
    writing = undefined;
  };

  return {
    get dropped() {
      return dropped;
    },
    record(call) {
      if (queue.length >= MAX_QUEUED) {
        dropped += 1;
        return;
      }
      queue.push({
        at: clock.now(),
        provider_id: call.provider,
        operation: call.operation,
        outcome: call.outcome,
        http_status: call.httpStatus ?? null,
        latency_ms: Math.round(call.seconds * 1000),
        subject_kind: call.subject?.kind ?? null,
        subject_id: call.subject?.id ?? null,
      });
      writing ??= drain();
    },
    async flush() {
      while (writing) await writing;
    },
    of: (subjectId) => bankCallsOf(db, subjectId, 200),
    health: (hours = 24) => bankHealthSince(db, new Date(clock.now().getTime() - hours * 3_600_000)),
    cleanup: () =>
      deleteBankCallsBefore(db, new Date(clock.now().getTime() - deps.retentionDays * 86_400_000)),
  };
}
