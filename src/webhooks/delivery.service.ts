import type { Config } from '../config/index.js';
import type { Clock } from '../shared/clock.js';
import { TtlCache } from '../shared/ttl-cache.js';
import type { Store } from '../store/index.js';
import { type AttemptResult, type Decision, decide } from './delivery-policy.js';
import * as repo from './events.repository.js';
import type { HttpSender } from './http-sender.js';
import type { WebhookKeys } from './signing-keys.js';
import {
  type ResolvedTarget,
  type Resolver,
  resolveTarget,
  TargetRefused,
  TargetUnresolved,
} from './ssrf.js';

export interface DeliveryDeps {
  config: Config;
  store: Store;
  clock: Clock;
  keys: WebhookKeys;
  sender: HttpSender;
  resolver?: Resolver;
  random?: () => number;
  /** Told of an attempt that failed inside Ferry (say, a key that cannot be decrypted); it is retried. */
  onInternalError?: (error: unknown, eventId: string) => void;
  /** Told of every recorded attempt: its outcome (delivered, retry, failed) and latency (metrics). */
  onAttempt?: (outcome: string, seconds: number) => void;
}

/** The error recorded for an attempt that failed inside Ferry; the detail goes to Ferry's log, not the client. */
export const INTERNAL_ATTEMPT_ERROR = 'internal error in Ferry: nothing was sent';

/** What one attempt produced: the record to store, or the finding that the event has no target any more. */
export type AttemptDone =
  | { eventId: string; record: repo.AttemptRecord; decision: Decision }
  | { eventId: string; noTarget: true };

/**
 * Attempts deliveries: claim due events, resolve and check the target, sign the exact body, POST it, then
 * record attempts and the events' new state (a retry is the event due again later, in the same table). An
 * attempt already recorded (a claim that expired and was taken again) is not recorded twice; an attempt cut
 * short by a crash is made again when its claim expires.
 */
export function createDeliveryService(deps: DeliveryDeps) {
  const { config, store, clock, keys, sender } = deps;
  const { retryJitter: jitter } = config.webhooks;
  // Test-mode clients' events retry on their own (by default compressed) schedule: a developer's endpoint that
  // was down for a minute should not wait half an hour for its webhook.
  const policies = {
    live: { scheduleMs: config.webhooks.retryScheduleMs, jitter },
    test: { scheduleMs: config.webhooks.testRetryScheduleMs, jitter },
  };

  // A target checked in the last second is used again as it was checked (its address, not a new lookup), so the
  // guarantee holds and a burst to one receiver costs one check, not one per webhook. The check itself is shared
  // while it runs, and its failure (a refusal, a name that did not resolve) is remembered for that second too:
  // a burst to a dead domain costs one lookup, not one per event.
  const targets = new TtlCache<Promise<ResolvedTarget>>(1000, 1000);
  function resolveCached(url: string, mode: 'test' | 'live'): Promise<ResolvedTarget> {
    const key = `${mode} ${url}`;
    const now = Date.now();
    let target = targets.get(key, now);
    if (!target) {
      target = resolveTarget(url, { mode, allowHosts: config.webhooks.allowHosts }, deps.resolver);
      targets.set(key, target, now);
    }
    return target;
  }

  /** Makes attempt number `attempt` of an event (nothing is stored yet: see `record`). */
  async function attempt(event: repo.DeliverableEvent, attempt: number): Promise<AttemptDone> {
    const url = event.url ?? event.clientUrl;
    if (!url) return { eventId: event.id, noTarget: true };
    const startedAt = clock.now();
    const roundAttempt = event.roundAttempts + 1;
    let result: AttemptResult & { latencyMs: number };
    let kid: string | null = null;
    try {
      const target = await resolveCached(url, event.clientMode);
      const signer = await keys.signer();
      kid = signer.kid;
      const bytes = Buffer.from(event.body, 'utf8');
      const signature = signer.sign(bytes);
      result = await sender.send({
        target,
        body: event.body,
        timeoutMs: config.webhooks.timeoutMs,
        headers: {
          'content-type': 'application/json',
          'x-signature': signature,
          'x-signature-kid': signer.kid,
          'x-webhook-id': event.id,
        },
      });
    } catch (error) {
      // Only a refused address fails for good; DNS and Ferry's own failures follow the retry schedule like
      // a receiver's, so they are recorded, backed off and given up on in the end, never retried unrecorded.
      // TargetUnresolved is a TargetRefused (nothing was sent), so it must be told apart first.
      const latencyMs = clock.now().getTime() - startedAt.getTime();
      if (error instanceof TargetUnresolved) result = { kind: 'error', error: error.message, latencyMs };
      else if (error instanceof TargetRefused)
        result = { kind: 'refused', error: `refused: ${error.message}`, latencyMs: 0 };
      else {
        deps.onInternalError?.(error, event.id);
        result = { kind: 'error', error: INTERNAL_ATTEMPT_ERROR, latencyMs };
      }
    }
    const decision = decide(result, roundAttempt, policies[event.clientMode], deps.random);
    const at = clock.now();
    const holdMs = config.webhooks.orderHoldMs[event.clientMode];
    const statusCode = result.kind === 'response' ? result.status : null;
    let error = result.kind === 'response' ? null : result.error;
    if (result.kind === 'response' && result.status >= 300 && result.status < 400) {
      error = 'redirect not followed';
    }
    if (decision.outcome === 'failed' && result.kind === 'response') error = decision.reason;
    return {
      eventId: event.id,
      decision,
      record: {
        eventId: event.id,
        attempt,
        roundAttempt,
        startedAt,
        url,
        kid,
        statusCode,
        latencyMs: result.latencyMs,
        outcome: decision.outcome,
        error,
        state: decision.outcome === 'retry' ? 'pending' : decision.outcome,
        nextAttemptAt: decision.outcome === 'retry' ? new Date(at.getTime() + decision.delayMs) : null,
        holdUntil: decision.outcome === 'retry' ? new Date(at.getTime() + holdMs) : null,
        at,
      },
    };
  }

  /** Stores attempts (many per statement); returns the ids whose attempt was applied (others were already). */
  async function record(done: AttemptDone[]): Promise<Set<string>> {
    const records: repo.AttemptRecord[] = [];
    const noTarget: string[] = [];
    const seen = new Set<string>();
    for (const d of done) {
      // Two results for one event (a claim expired and was taken again while the first waited): keep the first.
      if (seen.has(d.eventId)) continue;
      seen.add(d.eventId);
      if ('noTarget' in d) noTarget.push(d.eventId);
      else records.push(d.record);
    }
    const at = clock.now();
    const applied =
      noTarget.length === 0
        ? await repo.applyAttempts(store.db, records) // atomic alone
        : await store.db.transaction().execute(async (tx) => {
            await repo.markNoTarget(tx, noTarget, at);
            return repo.applyAttempts(tx, records);
          });
    if (deps.onAttempt) {
      for (const r of records) if (applied.has(r.eventId)) deps.onAttempt(r.outcome, r.latencyMs / 1000);
    }
    return applied;
  }

  /** Claims up to `limit` due events for `leaseMs`, in order per object (see repo.claimDue). */
  const claim = (limit: number, leaseMs: number) => repo.claimDue(store.db, clock.now(), limit, leaseMs);

  return {
    attempt,
    record,
    claim,

    /**
     * Makes every attempt that is due now, one batch at a time, and records them: what the worker's task does,
     * without its concurrency (tests with an injected clock, and the CLI). Returns what each attempt did.
     */
    async runDue(limit = 1000, leaseMs = 60_000): Promise<AttemptDone[]> {
      const events = await claim(limit, leaseMs);
      const done = await Promise.all(events.map((e) => attempt(e, e.attempts + 1)));
      await record(done);
      return done;
    },
  };
}

export type DeliveryService = ReturnType<typeof createDeliveryService>;
