import { fromKysely, type PgBoss } from 'pg-boss';
import type { Config } from '../config/index.js';
import type { Clock } from '../shared/clock.js';
import type { Store } from '../store/index.js';
import type { JobOutcome } from '../worker/index.js';
import { type AttemptResult, type Decision, decide } from './delivery-policy.js';
import * as repo from './events.repository.js';
import type { HttpSender } from './http-sender.js';
import type { WebhookKeys } from './signing-keys.js';
import { type Resolver, resolveTarget, TargetRefused } from './ssrf.js';

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
}

export interface AttemptReport {
  eventId: string;
  attempt: number;
  outcome: JobOutcome;
  decision?: Decision;
  /** Retry delay when the decision is a retry. */
  delayMs?: number;
}

/**
 * Makes one attempt for each job: resolve and check the target, sign the exact body, POST it, then record every
 * attempt, the event's new state and any retry job in one transaction. A job whose attempt was already made
 * (crash, duplicate) is skipped, so handlers are idempotent; an attempt cut short by a crash is made again.
 */
export function createDeliveryService(deps: DeliveryDeps) {
  const { config, store, clock, keys, sender } = deps;
  const policy = { scheduleMs: config.webhooks.retryScheduleMs, jitter: config.webhooks.retryJitter };

  async function attemptOne(
    event: repo.DeliverableEvent,
    job: DeliverJob,
  ): Promise<{ record: repo.AttemptRecord; decision: Decision } | { noTarget: true }> {
    const url = event.url ?? event.clientUrl;
    if (!url) return { noTarget: true };
    const startedAt = clock.now();
    const roundAttempt = event.roundAttempts + 1;
    let result: AttemptResult & { latencyMs: number };
    let kid: string | null = null;
    try {
      const target = await resolveTarget(
        url,
        { mode: event.clientMode, allowHosts: config.webhooks.allowHosts },
        deps.resolver,
      );
      const signer = await keys.signer();
      kid = signer.kid;
      const bytes = Buffer.from(event.body, 'utf8');
      const signature = await signer.sign(bytes);
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
      if (!(error instanceof TargetRefused)) throw error;
      result = { kind: 'refused', error: `refused: ${error.message}`, latencyMs: 0 };
    }
    const decision = decide(result, roundAttempt, policy, deps.random);
    const at = clock.now();
    const statusCode = result.kind === 'response' ? result.status : null;
    let error = result.kind === 'response' ? null : result.error;
    if (result.kind === 'response' && result.status >= 300 && result.status < 400) {
      error = 'redirect not followed';
    }
    if (decision.outcome === 'failed' && result.kind === 'response') error = decision.reason;
    return {
      decision,
      record: {
        eventId: event.id,
        attempt: job.attempt,
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

  return {
    /** Runs a batch of delivery jobs; the reports say what happened to each (in order). */
    async deliver(jobs: DeliverJob[]): Promise<AttemptReport[]> {
      const events = await repo.findDeliverable(
        store.db,
        jobs.map((j) => j.eventId),
      );
      const reports: AttemptReport[] = jobs.map((job) => ({
        ...job,
        outcome: { status: 'skipped', detail: 'event not found' },
      }));
      const work: Promise<void>[] = [];
      const records: repo.AttemptRecord[] = [];
      const decisions = new Map<number, Decision>();
      const noTarget: string[] = [];
      jobs.forEach((job, i) => {
        const event = events.get(job.eventId);
        if (!event) return;
        if (event.state !== 'pending' || event.attempts !== job.attempt - 1) {
          reports[i]!.outcome = {
            status: 'skipped',
            detail: `stale: event is ${event.state} at attempt ${event.attempts}`,
          };
          return;
        }
        work.push(
          attemptOne(event, job).then((r) => {
            if ('noTarget' in r) {
              noTarget.push(event.id);
              reports[i]!.outcome = { status: 'completed', detail: 'no webhook URL any more' };
              return;
            }
            records.push(r.record);
            decisions.set(i, r.decision);
          }),
        );
      });
      await Promise.all(work);

      const at = clock.now();
      const applied = await store.db.transaction().execute(async (tx) => {
        await repo.markNoTarget(tx, noTarget, at);
        const ids = await repo.applyAttempts(tx, records);
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

      jobs.forEach((job, i) => {
        const decision = decisions.get(i);
        if (!decision) return;
        const report = reports[i]!;
        report.decision = decision;
        if (decision.outcome === 'retry') report.delayMs = decision.delayMs;
        report.outcome = applied.has(job.eventId)
          ? { status: 'completed', detail: decision.outcome }
          : { status: 'skipped', detail: 'attempt already recorded by another run' };
      });
      return reports;
    },
  };
}

export type DeliveryService = ReturnType<typeof createDeliveryService>;
