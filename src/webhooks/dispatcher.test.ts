import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDeliveryWorker } from '../../test/support/delivery-worker.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { startReceiver, waitFor } from '../../test/support/webhook-receiver.js';
import { systemClock } from '../shared/clock.js';
import { createWorker, createWorkerRegistry, type Worker } from '../worker/index.js';
import { resetForReplay } from './events.repository.js';
import { createDeliverTask, recordEvent } from './index.js';

let t: TestApp;
let fast: Awaited<ReturnType<typeof startReceiver>>;
let slow: Awaited<ReturnType<typeof startReceiver>>;
const running: Worker[] = [];

beforeAll(async () => {
  t = await createTestApp();
  await t.services.webhooks.keys.ensure();
  fast = await startReceiver();
  slow = await startReceiver(async () => {
    await new Promise((r) => setTimeout(r, 2500));
    return 200;
  });
});
// Each test's dispatchers stop with it, so that none of them takes the next test's events.
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop();
});
afterAll(async () => {
  await fast?.close();
  await slow?.close();
  await t?.close();
});

/** A worker process of its own that runs only the delivery task. */
const dispatcher = async (options: { leaseMs?: number; pollMs?: number; maxInFlight?: number } = {}) => {
  const d = await startDeliveryWorker(t.store, {
    delivery: t.services.webhooks.delivery,
    leaseMs: options.leaseMs ?? 30_000,
    pollMs: options.pollMs ?? 200,
    ...(options.maxInFlight ? { maxInFlight: options.maxInFlight, claimBatch: 10 } : {}),
  });
  running.push(d);
  return d;
};

async function record(url: string, count: number, label: string): Promise<string[]> {
  const { clientId: publicId } = await t.client({ webhookUrl: url });
  const clientId = (await t.services.clients.find(publicId))!.id;
  const ids: string[] = [];
  await t.store.db.transaction().execute(async (tx) => {
    for (let i = 0; i < count; i++) {
      ids.push(
        await recordEvent(tx, {
          type: 'link_status_update',
          clientId,
          objectId: `${label}-${i}`,
          payload: { link_id: `${label}-${i}`, web_id: `w${i}`, status: 'completed' },
        }),
      );
    }
  });
  return ids;
}

const events = (ids: string[]) =>
  t.store.db
    .selectFrom('webhook_events')
    .select(['id', 'state', 'attempts', 'dispatched', 'claimed_until'])
    .where('id', 'in', ids)
    .execute();

const received = (r: typeof fast, ids: string[]) => {
  const wanted = new Set(ids);
  return r.received.filter((h) => wanted.has(h.headers['x-webhook-id'] as string));
};

describe('webhook delivery task (every attempt claimed from the outbox)', () => {
  it('a worker started after another stopped, on the same task, records its deliveries', async () => {
    // As `ferry start` and the benches do: one set of services, its tasks run by one worker after another.
    const registry = createWorkerRegistry();
    registry.add(createDeliverTask({ delivery: t.services.webhooks.delivery, leaseMs: 30_000, pollMs: 100 }));
    const host = {
      store: t.store,
      worker: registry,
      clock: systemClock,
      config: { logLevel: 'silent' as const },
    };
    for (const round of ['first', 'second']) {
      const ids = await record(`${fast.url}/restart`, 20, `restart-${round}`);
      const worker = createWorker(host);
      await worker.start();
      try {
        await waitFor(async () => (await events(ids)).every((e) => e.state === 'delivered'), 10_000);
      } finally {
        await worker.stop();
      }
      expect(received(fast, ids)).toHaveLength(20);
    }
  });

  it('two dispatchers split a backlog: each event sent once, recorded once, out of the outbox', async () => {
    const ids = await record(`${fast.url}/split`, 300, 'split');
    const a = await dispatcher({ maxInFlight: 40 });
    const b = await dispatcher({ maxInFlight: 40 });
    await waitFor(async () => (await events(ids)).every((e) => e.state === 'delivered'), 30_000);
    await a.stop();
    await b.stop();
    const hooks = received(fast, ids);
    expect(hooks).toHaveLength(300);
    expect(new Set(hooks.map((h) => h.headers['x-webhook-id'])).size).toBe(300);
    for (const e of await events(ids)) {
      expect(e).toMatchObject({ state: 'delivered', attempts: 1, dispatched: true, claimed_until: null });
    }
    const attempts = await t.store.db
      .selectFrom('webhook_attempts')
      .select(['event_id', 'attempt', 'outcome', 'status_code'])
      .where('event_id', 'in', ids)
      .execute();
    expect(attempts).toHaveLength(300);
    expect(attempts.every((r) => r.attempt === 1 && r.outcome === 'delivered' && r.status_code === 200)).toBe(
      true,
    );
  });

  it('a slow receiver holds up only its own events: the others are recorded while it still answers', async () => {
    const slowIds = await record(`${slow.url}/slow`, 5, 'slow');
    const fastIds = await record(`${fast.url}/fast`, 50, 'fast');
    await dispatcher();
    await waitFor(async () => (await events(fastIds)).every((e) => e.state === 'delivered'), 10_000);
    // The slow receiver has not answered yet: its events are claimed, not recorded.
    const pending = await events(slowIds);
    expect(pending.every((e) => e.state === 'pending' && e.attempts === 0 && e.claimed_until !== null)).toBe(
      true,
    );
    await waitFor(async () => (await events(slowIds)).every((e) => e.state === 'delivered'), 15_000);
  });

  it('a claim whose holder died expires and another dispatcher sends the event', async () => {
    const ids = await record(`${fast.url}/orphan`, 3, 'orphan');
    // A process claims the events and dies before sending them (nothing recorded).
    const claimed = await t.services.webhooks.delivery.claim(10, 600);
    expect(claimed.map((e) => e.id).sort()).toEqual([...ids].sort());
    const claimedAt = Date.now();
    await dispatcher({ pollMs: 100 });
    await waitFor(async () => (await events(ids)).every((e) => e.state === 'delivered'), 15_000);
    const hooks = received(fast, ids);
    expect(hooks).toHaveLength(3);
    // Not before the lease ran out.
    for (const h of hooks) expect(h.at - claimedAt).toBeGreaterThanOrEqual(500);
  });

  it('a retry is claimed when due, and a replay starts a new round; a stale result is never recorded', async () => {
    let status = 500;
    const flaky = await startReceiver(() => status);
    try {
      const [id] = await record(`${flaky.url}/replay`, 1, 'replay');
      const delivery = t.services.webhooks.delivery;
      const [claimed] = await delivery.claim(10, 30_000);
      const first = await delivery.attempt(claimed!, 1);
      await delivery.record([first]);
      const [row] = await events([id!]);
      expect(row).toMatchObject({ state: 'pending', attempts: 1, dispatched: true, claimed_until: null });
      // Not due yet: the retry waits for its delay (30 s for a live client, 500 ms compressed for a test one).
      expect((await delivery.claim(10, 30_000)).map((e) => e.id)).not.toContain(id);
      // The client asks for a replay: a new round, due now.
      await t.store.db.transaction().execute((tx) => resetForReplay(tx, id!, new Date()));
      status = 200;
      const [again] = await delivery.claim(10, 30_000);
      expect(again).toMatchObject({ id, attempts: 1, roundAttempts: 0, dispatched: false });
      const applied = await delivery.record([await delivery.attempt(again!, 2)]);
      expect([...applied]).toEqual([id]);
      expect((await events([id!]))[0]).toMatchObject({ state: 'delivered', attempts: 2, dispatched: true });
      // The old first attempt's result, arriving late (its claim had expired), is not recorded again.
      expect([...(await delivery.record([first]))]).toEqual([]);
      expect(flaky.received).toHaveLength(2);
    } finally {
      await flaky.close();
    }
  });

  it('stop() waits for attempts in flight and records them', async () => {
    const ids = await record(`${slow.url}/drain`, 4, 'drain');
    const d = await dispatcher();
    await waitFor(() => received(slow, ids).length === 4, 10_000);
    await d.stop();
    for (const e of await events(ids)) expect(e).toMatchObject({ state: 'delivered', dispatched: true });
  });
});
