import { fromKysely, type PgBoss } from 'pg-boss';
import type { Config } from '../config/index.js';
import type { Clock } from '../shared/clock.js';
import { TtlCache } from '../shared/ttl-cache.js';
import type { Store } from '../store/index.js';
import type { JobOutcome } from '../worker/index.js';
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

export const DELIVER_QUEUE = 'webhook-deliver';

/** A delivery job: make attempt number `attempt` (1-based, over the event's whole life) of one event. */
export interface DeliverJob {
  eventId: string;
  attempt: number;
}

export interface DeliveryDeps {
  config: Config;
  store: Store;
  clock: Clock;
  keys: WebhookKeys;
  sender: HttpSender;
  resolver?: Resolver;
  random?: () => number;
  /** Enqueues retries in the attempt's transaction; absent in tests that drive attempts by hand. */
  boss?: () => PgBoss | undefined;
  /** Told of an attempt that failed inside Ferry (say, a key that cannot be decrypted); it is retried. */
  onInternalError?: (error: unknown, eventId: string) => void;
}

/** The error recorded for an attempt that failed inside Ferry; the detail goes to Ferry's log, not the client. */
export const INTERNAL_ATTEMPT_ERROR = 'internal error in Ferry: nothing was sent';

export interface AttemptReport {
  eventId: string;
  attempt: number;
  outcome: JobOutcome;
  decision?: Decision;
  /** Retry delay when the decision is a retry. */
  delayMs?: number;
}

/** What one attempt produced: the record to store, or the finding that the event has no target any more. */
export type AttemptDone =
  | { eventId: string; record: repo.AttemptRecord; decision: Decision }
  | { eventId: string; noTarget: true };

/**
 * Attempts deliveries: resolve and check the target, sign the exact body, POST it, then record attempts, the
 * events' new state and any retry job in one transaction. First attempts come from the outbox dispatcher;
 * retries come as queue jobs (`deliver`). An attempt already recorded (crash, duplicate) is not recorded
 * again, so both paths are idempotent; an attempt cut short by a crash is made again.
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
        at,
      },
    };
  }

  /**
   * Stores attempts in one transaction, with a queue job for each retry; returns the ids whose attempt was
   * applied (the others were recorded already). `dispatch`: first attempts from the outbox.
   */
  async function record(done: AttemptDone[], dispatch = false): Promise<Set<string>> {
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
    const retrying = records.some((r) => r.outcome === 'retry');
    if (noTarget.length === 0 && !retrying) return repo.applyAttempts(store.db, records, dispatch); // atomic alone
    const at = clock.now();
    return store.db.transaction().execute(async (tx) => {
      await repo.markNoTarget(tx, noTarget, at);
      const ids = await repo.applyAttempts(tx, records, dispatch);
      const retries = records.filter((r) => ids.has(r.eventId) && r.outcome === 'retry');
      const boss = deps.boss?.();
      if (boss && retries.length > 0) {
        await boss.insert(
          DELIVER_QUEUE,
          retries.map((r) => ({
            data: { eventId: r.eventId, attempt: r.attempt + 1 } satisfies DeliverJob,
            startAfter: `${r.nextAttemptAt!.getTime() - r.at.getTime()} milliseconds`,
          })),
          { db: fromKysely(tx) },
        );
      }
      return ids;
    });
  }

  return {
    attempt,
    record,

    /** Claims outbox events whose first attempt is due (see repo.claimUndispatched). */
    claim: (limit: number, leaseMs: number) => repo.claimUndispatched(store.db, limit, leaseMs),

    /** Runs a batch of retry jobs; the reports say what happened to each (in order). */
    async deliver(jobs: DeliverJob[]): Promise<AttemptReport[]> {
      const events = await repo.findDeliverable(
        store.db,
        jobs.map((j) => j.eventId),
      );
      const reports: AttemptReport[] = jobs.map((job) => ({
        ...job,
        outcome: { status: 'skipped', detail: 'event not found' },
      }));
      const work: Promise<AttemptDone>[] = [];
      const index = new Map<string, number>();
      jobs.forEach((job, i) => {
        const event = events.get(job.eventId);
        if (!event) return;
        if (event.state !== 'pending' || event.attempts !== job.attempt - 1 || index.has(event.id)) {
          reports[i]!.outcome = {
            status: 'skipped',
            detail: `stale: event is ${event.state} at attempt ${event.attempts}`,
          };
          return;
        }
        if (!event.dispatched) {
          reports[i]!.outcome = { status: 'skipped', detail: 'stale: replayed, the outbox sends it' };
          return;
        }
        index.set(event.id, i);
        work.push(attempt(event, job.attempt));
      });
      const done = await Promise.all(work);
      const applied = await record(done);

      for (const d of done) {
        const report = reports[index.get(d.eventId)!]!;
        if ('noTarget' in d) {
          report.outcome = { status: 'completed', detail: 'no webhook URL any more' };
          continue;
        }
        report.decision = d.decision;
        if (d.decision.outcome === 'retry') report.delayMs = d.decision.delayMs;
        report.outcome = applied.has(d.eventId)
          ? { status: 'completed', detail: d.decision.outcome }
          : { status: 'skipped', detail: 'attempt already recorded by another run' };
      }
      return reports;
    },
  };
}

export type DeliveryService = ReturnType<typeof createDeliveryService>;
