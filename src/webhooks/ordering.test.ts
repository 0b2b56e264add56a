import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeliveryWorker } from '../../test/support/delivery-worker.js';
import { decisionOf } from '../../test/support/first-attempts.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { type ReceivedWebhook, startReceiver, waitFor } from '../../test/support/webhook-receiver.js';
import { ManualClock } from '../shared/clock.js';
import { createWorkerRegistry, type Worker } from '../worker/index.js';
import { recordEvent } from './index.js';
import { createWebhooksService } from './webhooks.service.js';

interface Hook {
  object: string;
  eventId: string;
  sequence: number;
  status: number;
}

const hookOf = (r: ReceivedWebhook, status: number): Hook => {
  const body = JSON.parse(r.body.toString()) as { link_id: string; event_id: string; sequence: number };
  return { object: body.link_id, eventId: body.event_id, sequence: body.sequence, status };
};

describe('webhooks of one object arrive in the order they happened', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: {
        WEBHOOK_TEST_RETRY_SCHEDULE: '20ms,40ms,60ms,80ms,100ms,100ms,100ms,100ms,100ms,100ms',
        // Long enough that no event is ever let past an undelivered one in this test.
        WEBHOOK_TEST_ORDER_HOLD: '10m',
        // Only 503s cause retries here: on a starved machine an answered request can outlast a 10 s timeout,
        // and its late copy is the one disorder no sender can prevent (docs/webhooks.md, "In order per object").
        WEBHOOK_TIMEOUT_MS: '60000',
      },
    });
    await t.services.webhooks.keys.ensure();
  });
  afterAll(() => t?.close());

  it('200 objects × 6 fast transitions, two workers, receivers with random latency and 5xx', async () => {
    const objects = 200;
    const steps = 6;
    const hooks: Hook[] = [];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const receivers = await Promise.all(
      [0, 1].map(() =>
        startReceiver(async (r) => {
          await new Promise((done) => setTimeout(done, Math.floor(random() * 15)));
          const status = random() < 0.2 ? 503 : 200;
          hooks.push(hookOf(r, status));
          return status;
        }),
      ),
    );
    const clientIds = await Promise.all(
      receivers.map(async (r) => {
        const { clientId } = await t.client({ webhookUrl: `${r.url}/hook` });
        return (await t.services.clients.find(clientId))!.id;
      }),
    );
    const workers: Worker[] = [];
    for (let i = 0; i < 2; i++) {
      workers.push(
        await startDeliveryWorker(t.store, {
          delivery: t.services.webhooks.delivery,
          leaseMs: 90_000,
          pollMs: 20,
          claimBatch: 50,
        }),
      );
    }
    try {
      // Each transition in its own transaction, while the workers deliver the earlier ones.
      for (let step = 0; step < steps; step++) {
        for (let o = 0; o < objects; o++) {
          await recordEvent(t.store.db, {
            type: 'link_status_update',
            clientId: clientIds[o % 2]!,
            objectId: `obj-${o}`,
            payload: { link_id: `obj-${o}`, status: `s${step}` },
          });
        }
      }
      const total = objects * steps;
      // Every event delivered once (a duplicate must not end the wait early and hide a missing one).
      await waitFor(
        () => new Set(hooks.filter((h) => h.status === 200).map((h) => h.eventId)).size >= total,
        90_000,
      );
    } finally {
      for (const w of workers) await w.stop();
      for (const r of receivers) await r.close();
    }

    const byObject = new Map<string, Hook[]>();
    for (const h of hooks) byObject.set(h.object, [...(byObject.get(h.object) ?? []), h]);
    expect(byObject.size).toBe(objects);
    const failures: string[] = [];
    for (const [object, list] of byObject) {
      const delivered = list.filter((h) => h.status === 200);
      // None lost, none delivered twice.
      if (new Set(delivered.map((h) => h.eventId)).size !== steps || delivered.length !== steps) {
        failures.push(
          `${object}: ${delivered.length} deliveries of ${new Set(delivered.map((h) => h.eventId)).size} events`,
        );
      }
      // In order: every request (a failed one included) comes after every earlier event was delivered.
      let deliveredUpTo = -1;
      for (const h of list) {
        if (h.sequence < deliveredUpTo)
          failures.push(`${object}: sequence ${h.sequence} after ${deliveredUpTo}`);
        if (h.status === 200) deliveredUpTo = Math.max(deliveredUpTo, h.sequence);
      }
      // Only retries repeat an event: a retried event was refused each time before its delivery.
      for (const id of new Set(list.map((h) => h.eventId))) {
        const tries = list.filter((h) => h.eventId === id);
        if (tries.slice(0, -1).some((h) => h.status === 200))
          failures.push(`${object}: ${id} sent after delivery`);
      }
    }
    if (failures.length > 0) {
      // What Ferry recorded for the events named: tells a transport re-send from a second claim.
      const named = [...new Set(failures.flatMap((f) => f.match(/[0-9a-f-]{36}/g) ?? []))].slice(0, 5);
      for (const id of named) {
        const attempts = await t.store.db
          .selectFrom('webhook_attempts')
          .select(['attempt', 'status_code', 'outcome', 'error', 'latency_ms'])
          .where('event_id', '=', id)
          .execute();
        console.log(
          `event ${id}: receiver saw ${JSON.stringify(hooks.filter((h) => h.eventId === id).map((h) => h.status))}, Ferry recorded ${JSON.stringify(attempts)}`,
        );
      }
    }
    expect(failures).toEqual([]);
    expect(hooks.some((h) => h.status === 503)).toBe(true);
  }, 180_000);

  it('an event refused past the hold lets the later ones go, and keeps retrying with its lower sequence', async () => {
    const clock = new ManualClock('2026-06-01T12:00:00Z');
    const webhooks = createWebhooksService({
      config: t.config,
      store: t.store,
      clock,
      secretBox: t.services.secretBox,
      worker: createWorkerRegistry(),
      cursors: t.services.cursors,
      random: () => 0,
    });
    const refused = new Set<string>();
    const receiver = await startReceiver((r) => (refused.has(hookOf(r, 0).eventId) ? 400 : 200));
    try {
      const { clientId } = await t.client({ webhookUrl: `${receiver.url}/hook` });
      const client = (await t.services.clients.find(clientId))!.id;
      const write = (status: string) =>
        recordEvent(t.store.db, {
          type: 'link_status_update',
          clientId: client,
          objectId: 'held',
          payload: { link_id: 'held', status },
          at: clock.now(),
        });
      const first = await write('funds_received');
      refused.add(first);
      const second = await write('completed');
      const ids = (done: { eventId: string }[]) => done.map((d) => d.eventId);

      const [attempt] = await webhooks.delivery.runDue();
      expect(attempt!.eventId).toBe(first); // the later one waits
      expect(decisionOf(attempt!)).toMatchObject({ outcome: 'retry' });
      const holdMs = t.config.webhooks.orderHoldMs.test;
      expect(holdMs).toBe(600_000);
      // Within the hold, the second is not sent, even when the first's retry comes due and fails again.
      clock.advance(holdMs - 1);
      expect(ids(await webhooks.delivery.runDue())).toEqual([first]);
      expect(ids(await webhooks.delivery.runDue())).toEqual([]);
      // Past the hold: the second goes out; the first retries on its own schedule, with its own sequence.
      clock.advance(2);
      expect(ids(await webhooks.delivery.runDue())).toEqual([second]);
      refused.clear();
      clock.advance(3_600_000);
      expect(ids(await webhooks.delivery.runDue())).toEqual([first]);
      const got = receiver.received.map((r) => hookOf(r, 0));
      expect(got.map((h) => h.eventId)).toEqual([first, first, second, first]);
      expect(got[3]!.sequence).toBeLessThan(got[2]!.sequence);
    } finally {
      await webhooks.close();
      await receiver.close();
    }
  });
});
