import type { RoundResult, Task, TaskContext } from '../worker/index.js';
import type { AttemptDone, DeliveryService } from './delivery.service.js';
import type { DeliverableEvent } from './events.repository.js';
import { DELIVER_TASK } from './outbox.js';

export interface DispatcherOptions {
  delivery: DeliveryService;
  /** How long a claim holds an event; must outlast an attempt (the HTTP timeout) and its recording. */
  leaseMs: number;
  /** Attempts in flight at once (per process). */
  maxInFlight?: number;
  /** Events claimed per statement. */
  claimBatch?: number;
  /** Attempt records stored per transaction, at most. */
  recordBatch?: number;
  /** Backstop poll, and how late a retry may come after it is due. */
  pollMs?: number;
  /** How long a wake-up waits for others to join it before the dispatcher claims. */
  coalesceMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * The worker task that delivers webhooks: claims due events (first attempts and retries alike) for a lease
 * (SKIP LOCKED, so several processes split the work; in order per object), sends them, and records the attempts
 * as they finish, many per transaction, so a slow receiver holds up nothing but itself. A crash between claim
 * and record leaves the claim to expire: the event is sent again (at least once).
 */
export function createDeliverTask(options: DispatcherOptions): Task {
  const { delivery, leaseMs } = options;
  const maxInFlight = options.maxInFlight ?? 256;
  const claimBatch = Math.min(options.claimBatch ?? 100, maxInFlight);
  const recordBatch = options.recordBatch ?? 500;
  const onError = options.onError ?? (() => {});
  let done: AttemptDone[] = [];
  let recording: Promise<void> | undefined;
  let starved = false;
  // One per worker run: close() moves it on, so an attempt that outlived its worker is dropped (its claim
  // expires and the event is sent again) while a worker started later on the same task records its own.
  let run = 0;

  function send(ctx: TaskContext, event: DeliverableEvent): void {
    const sentIn = run;
    ctx.track(
      delivery
        .attempt(event, event.attempts + 1)
        .then(
          (d) => {
            if (sentIn !== run) return; // stop() gave up waiting: the claim expires and the event is sent again
            done.push(d);
            flush(ctx);
          },
          onError, // unrecorded: the claim expires and the event is sent again
        )
        .finally(() => {
          if (starved && ctx.inFlight <= maxInFlight - claimBatch) {
            starved = false;
            ctx.wake();
          }
        }),
    );
  }

  // One recording transaction at a time; what finishes meanwhile goes into the next one. A delivered event may
  // free the next event of its object: the recording wakes the task to claim it.
  function flush(ctx: TaskContext | undefined): void {
    if (recording || done.length === 0) return;
    recording = (async () => {
      while (done.length > 0) {
        const batch = done.slice(0, recordBatch);
        done = done.slice(batch.length);
        await delivery.record(batch).catch(onError); // unrecorded: the claims expire, sent again
      }
    })().finally(() => {
      recording = undefined;
      ctx?.wake();
    });
    ctx?.track(recording);
  }

  return {
    name: DELIVER_TASK,
    everyMs: options.pollMs ?? 1000,
    coalesceMs: options.coalesceMs ?? 5,
    async round(ctx): Promise<RoundResult> {
      // (+1 for the recording the task tracks too.)
      if (maxInFlight + 1 - ctx.inFlight < claimBatch) {
        starved = true;
        return 'idle';
      }
      const events = await delivery.claim(claimBatch, leaseMs);
      for (const event of events) send(ctx, event);
      if (events.length === claimBatch) return 'more';
      return events.length > 0 ? 'done' : 'idle';
    },
    async close() {
      run += 1;
      starved = false;
      await recording;
      flush(undefined);
      await recording;
    },
  };
}
