import type { RoundResult, WorkerRegistry } from '../worker/index.js';
import type { PaymentFlow } from './payment-flow.service.js';

export const POLL_TASK = 'pay.poll';
export const EXPIRE_TASK = 'pay.expire';

export interface PayTaskOptions {
  /** How often due polls are looked for. Each link's own backoff decides when it is actually due. */
  pollEveryMs?: number;
  expireEveryMs?: number;
  batch?: number;
}

/** A round's result from how many it handled out of a batch. */
const resultOf = (handled: number, batch: number): RoundResult =>
  handled >= batch ? 'more' : handled > 0 ? 'done' : 'idle';

/**
 * Follows payments at their banks, and expires links, as worker tasks. Claims are row-locked with SKIP LOCKED,
 * so several worker processes share the work without polling one payment twice.
 */
export function addPayTasks(worker: WorkerRegistry, flow: PaymentFlow, options: PayTaskOptions = {}): void {
  const batch = options.batch ?? 20;
  worker.add({
    name: POLL_TASK,
    everyMs: options.pollEveryMs ?? 500,
    round: async () => resultOf(await flow.pollDue(batch), batch),
  });
  worker.add({
    name: EXPIRE_TASK,
    everyMs: options.expireEveryMs ?? 10_000,
    round: async () => resultOf(await flow.sweepExpired(500), 500),
  });
}
