import { startRounds } from '../shared/rounds.js';
import type { PayDeps } from './pay.deps.js';
import type { PaymentFlow } from './payment-flow.service.js';

export interface PayLoopOptions {
  /** How often due polls are looked for. Each link's own backoff decides when it is actually due. */
  tickMs?: number;
  sweepEveryMs?: number;
  batch?: number;
  log?: PayDeps['log'];
}

/**
 * Follows payments at their banks and expires links, on a timer. Claims are row-locked with SKIP LOCKED, so
 * several worker processes share the work without polling one payment twice.
 */
export function startPayLoop(flow: PaymentFlow, options: PayLoopOptions = {}): { stop(): Promise<void> } {
  const tickMs = options.tickMs ?? 500;
  const sweepEveryMs = options.sweepEveryMs ?? 10_000;
  const batch = options.batch ?? 20;
  const log = options.log ?? (() => {});
  let lastSweep = 0;
  return startRounds(async (stopped) => {
    try {
      // A full batch means more may be due: keep going until the backlog is drained.
      while (!stopped() && (await flow.pollDue(batch)) === batch) {}
      if (!stopped() && Date.now() - lastSweep >= sweepEveryMs) {
        lastSweep = Date.now();
        while (!stopped() && (await flow.sweepExpired(500)) === 500) {}
      }
    } catch (error) {
      log('pay background round failed', { error: (error as Error).message });
    }
  }, tickMs);
}
