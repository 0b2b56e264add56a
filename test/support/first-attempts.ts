import type { AttemptDone, DeliveryService } from '../../src/webhooks/delivery.service.js';

/**
 * Makes the first attempt of each event as the worker would (claim, send, record), without a running worker;
 * returns the results in the order of `ids`. Tests that drive attempts by hand start here and go on with
 * `delivery.runDue` for the retries, moving the clock.
 */
export async function firstAttempts(delivery: DeliveryService, ids: string[]): Promise<AttemptDone[]> {
  const claimed = new Map((await delivery.claim(10_000, 60_000)).map((e) => [e.id, e]));
  const done = await Promise.all(
    ids.map((id) => {
      const event = claimed.get(id);
      if (!event) throw new Error(`event ${id} is not waiting in the outbox`);
      return delivery.attempt(event, event.attempts + 1);
    }),
  );
  await delivery.record(done);
  return done;
}

/** The decision of an attempt that reached a target (undefined when there was none to reach). */
export const decisionOf = (d: AttemptDone) => ('decision' in d ? d.decision : undefined);
