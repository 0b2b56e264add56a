import type { AttemptOutcome, EventState } from './webhooks.schema.js';

/** What one HTTP attempt produced: a response status, or no response at all. */
export type AttemptResult =
  | { kind: 'response'; status: number }
  | { kind: 'error'; error: string }
  /** The SSRF guard refused the target: nothing was sent and retrying cannot help. */
  | { kind: 'refused'; error: string };

export type Decision =
  | { outcome: 'delivered' }
  | { outcome: 'gone' }
  | { outcome: 'retry'; delayMs: number }
  | { outcome: 'failed'; reason: string };

export interface RetryPolicy {
  /** Delay before retry n (1-based) is scheduleMs[n - 1]. */
  scheduleMs: readonly number[];
  /** Fraction (0..1) by which a delay may be shortened at random. */
  jitter: number;
}

/**
 * Decides what follows an attempt. `roundAttempt` is this attempt's number within the current round (1 for the
 * first attempt after recording or a replay). Any 2xx is delivered; 410 Gone stops for good; everything else is
 * retried along the schedule, with jitter that only ever shortens a delay so the total stays within it.
 */
export function decide(
  result: AttemptResult,
  roundAttempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): Decision {
  if (result.kind === 'refused') return { outcome: 'failed', reason: result.error };
  if (result.kind === 'response' && result.status >= 200 && result.status < 300)
    return { outcome: 'delivered' };
  if (result.kind === 'response' && result.status === 410) return { outcome: 'gone' };
  const base = policy.scheduleMs[roundAttempt - 1];
  if (base === undefined) return { outcome: 'failed', reason: `gave up after ${roundAttempt} attempts` };
  const delayMs = Math.max(1, Math.round(base * (1 - policy.jitter * random())));
  return { outcome: 'retry', delayMs };
}

/** Event state after an attempt with the given outcome (the attempt row keeps the outcome itself). */
export const stateAfterAttempt: Record<AttemptOutcome, EventState> = {
  delivered: 'delivered',
  retry: 'pending',
  gone: 'gone',
  failed: 'failed',
};

/**
 * Which states a replay (redeliver) may start from. Everything can be replayed, including a delivered event
 * (the receiver asked for it again); `no_target` only once the client has a default URL, which the caller checks.
 */
export const replayableFrom: Record<EventState, boolean> = {
  pending: true,
  delivered: true,
  failed: true,
  gone: true,
  no_target: true,
};
