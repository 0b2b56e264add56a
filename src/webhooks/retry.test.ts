import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionOf, firstAttempts } from '../../test/support/first-attempts.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { startReceiver } from '../../test/support/webhook-receiver.js';
import { ManualClock } from '../shared/clock.js';
import { createCursorCodec } from '../shared/cursor.js';
import { createWorkerRegistry } from '../worker/index.js';
import { createDeliveryService, type DeliveryService, INTERNAL_ATTEMPT_ERROR } from './delivery.service.js';
import { createHttpSender } from './http-sender.js';
import { recordEvent } from './index.js';
import { createWebhooksService, type WebhooksService } from './webhooks.service.js';

// Retry timing with an injected clock: attempts are driven by hand, the clock moved by each scheduled delay.
const clock = new ManualClock('2026-03-01T10:00:00Z');
const schedule = [1000, 2000, 4000, 8000, 16000, 32000];
let t: TestApp;
let webhooks: WebhooksService;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let status: (n: number) => number = () => 200;

beforeAll(async () => {
  t = await createTestApp({
    clock,
    env: {
      // Test-mode clients' schedule; live clients keep the default one (its first delay is 30 s).
      WEBHOOK_TEST_RETRY_SCHEDULE: schedule.map((ms) => `${ms}ms`).join(','),
      WEBHOOK_RETRY_JITTER_PERCENT: '20',
    },
  });
  webhooks = createWebhooksService({
    config: t.config,
    store: t.store,
    clock,
    secretBox: t.services.secretBox,
    worker: createWorkerRegistry(),
    cursors: createCursorCodec(Buffer.alloc(32)),
    random: () => 0.5, // jitter takes exactly 10% off every delay
  });
  receiver = await startReceiver((_req, n) => status(n));
});
afterAll(async () => {
  await webhooks?.close();
  await receiver?.close();
  await t?.close();
});

async function newEvent(
  webhookUrl = `${receiver.url}/hook`,
  mode: 'test' | 'live' = 'test',
): Promise<string> {
  const { clientId } = await t.client({ webhookUrl, mode });
  const client = (await t.services.clients.find(clientId))!;
  return recordEvent(t.store.db, {
    type: 'consent_status_update',
    clientId: client.id,
    objectId: 'consent-1',
    payload: { consent_id: 'consent-1', status: 'active' },
    at: clock.now(),
  });
}

const eventRow = (id: string) =>
  t.store.db.selectFrom('webhook_events').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** The attempt a `runDue` made of one event (exactly one). */
async function dueAttempt(delivery: DeliveryService, eventId: string) {
  const mine = (await delivery.runDue()).filter((d) => d.eventId === eventId);
  expect(mine).toHaveLength(1);
  return decisionOf(mine[0]!);
}

/**
 * Runs attempts as the worker would, moving the clock to each retry: the first as soon as the event is written,
 * each retry when the clock reaches it. Returns the number of attempts made.
 */
async function runToEnd(eventId: string, delivery: DeliveryService = webhooks.delivery): Promise<number> {
  let decision = decisionOf((await firstAttempts(delivery, [eventId]))[0]!);
  let attempts = 1;
  while (decision?.outcome === 'retry') {
    // Not a moment early: the retry is not due before its delay.
    expect((await delivery.runDue()).map((d) => d.eventId)).not.toContain(eventId);
    clock.advance(decision.delayMs);
    decision = await dueAttempt(delivery, eventId);
    attempts += 1;
  }
  return attempts;
}

describe('retry schedule (injected clock)', () => {
  it('a receiver failing 5 times then succeeding gets 6 attempts, at the scheduled delays', async () => {
    await webhooks.keys.ensure();
    receiver.received.length = 0;
    status = (n) => (n <= 5 ? 503 : 204);
    const eventId = await newEvent();
    const start = clock.now().getTime();
    expect(await runToEnd(eventId)).toBe(6);

    const attempts = await t.store.db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('event_id', '=', eventId)
      .orderBy('attempt')
      .execute();
    expect(attempts.map((a) => a.status_code)).toEqual([503, 503, 503, 503, 503, 204]);
    expect(attempts.map((a) => a.outcome)).toEqual([
      'retry',
      'retry',
      'retry',
      'retry',
      'retry',
      'delivered',
    ]);
    const offsets = attempts.map((a) => a.started_at.getTime() - start);
    const expected = [0];
    for (const ms of schedule.slice(0, 5)) expected.push(expected.at(-1)! + ms * 0.9);
    expect(offsets).toEqual(expected);
    for (const a of attempts) expect(a.latency_ms).toBeGreaterThanOrEqual(0);

    expect(receiver.received).toHaveLength(6);
    expect(new Set(receiver.received.map((r) => r.headers['x-webhook-id']))).toEqual(new Set([eventId]));
    expect(new Set(receiver.received.map((r) => r.body.toString()))).toHaveLength(1);

    const event = await eventRow(eventId);
    expect(event).toMatchObject({ state: 'delivered', attempts: 6, last_status: 204 });
    expect(event.delivered_at?.getTime()).toBe(clock.now().getTime());

    // Settled: nothing claims it again.
    clock.advance(3_600_000);
    expect((await webhooks.delivery.runDue()).map((d) => d.eventId)).not.toContain(eventId);
    expect(receiver.received).toHaveLength(6);
  });

  it('410 Gone stops after 1 attempt', async () => {
    receiver.received.length = 0;
    status = () => 410;
    const eventId = await newEvent();
    expect(await runToEnd(eventId)).toBe(1);
    const event = await eventRow(eventId);
    expect(event).toMatchObject({ state: 'gone', attempts: 1, last_status: 410, next_attempt_at: null });
    clock.advance(3_600_000);
    expect((await webhooks.delivery.runDue()).map((d) => d.eventId)).not.toContain(eventId);
    expect(receiver.received).toHaveLength(1);
  });

  it('gives up after the schedule (length + 1 attempts) and records the event as failed', async () => {
    receiver.received.length = 0;
    status = () => 500;
    const eventId = await newEvent();
    expect(await runToEnd(eventId)).toBe(schedule.length + 1);
    const event = await eventRow(eventId);
    expect(event).toMatchObject({ state: 'failed', attempts: schedule.length + 1 });
    expect(event.last_error).toMatch(/gave up/);
  });

  it('records timeouts and connection errors as attempts with no status code', async () => {
    const { clientId } = await t.client({ webhookUrl: 'http://127.0.0.1:1/closed-port' });
    const client = (await t.services.clients.find(clientId))!;
    const eventId = await recordEvent(t.store.db, {
      type: 'job_status_update',
      clientId: client.id,
      objectId: 'job-1',
      payload: { consent_id: 'c', job_id: 'job-1', status: 'job_completed' },
      at: clock.now(),
    });
    const [first] = await firstAttempts(webhooks.delivery, [eventId]);
    expect(decisionOf(first!)).toMatchObject({ outcome: 'retry' });
    const [attempt] = await t.store.db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('event_id', '=', eventId)
      .execute();
    expect(attempt).toMatchObject({ status_code: null, outcome: 'retry' });
    expect(attempt!.error).toMatch(/ECONNREFUSED/);
  });

  /** A delivery service like Ferry's, with one part swapped for a failing one. */
  function deliveryWith(parts: Partial<Parameters<typeof createDeliveryService>[0]>): DeliveryService {
    const sender = createHttpSender();
    return createDeliveryService({
      config: t.config,
      store: t.store,
      clock,
      keys: webhooks.keys,
      sender,
      random: () => 0.5,
      ...parts,
    });
  }

  /** Attempt rows of an event, in order. */
  const attemptsOf = (eventId: string) =>
    t.store.db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('event_id', '=', eventId)
      .orderBy('attempt')
      .execute();

  it('a host that does not resolve is retried along the schedule, then given up, never refused for good', async () => {
    let lookups = 0;
    const delivery = deliveryWith({
      resolver: async () => {
        lookups++;
        throw Object.assign(new Error('temporary failure'), { code: 'EAI_AGAIN' });
      },
    });
    const start = clock.now().getTime();
    const eventId = await newEvent('http://hooks.example.test/dns');
    // A burst to the same dead name costs one lookup: the failure is remembered for a second.
    const others = [
      await newEvent('http://hooks.example.test/dns'),
      await newEvent('http://hooks.example.test/dns'),
    ];
    const [first] = await firstAttempts(delivery, [eventId, ...others]);
    expect(lookups).toBe(1);
    expect(decisionOf(first!)).toMatchObject({ outcome: 'retry', delayMs: schedule[0]! * 0.9 });
    clock.advance(schedule[0]! * 0.9);
    for (let attempt = 2; attempt <= schedule.length + 1; attempt++) {
      const decision = await dueAttempt(delivery, eventId);
      if (decision?.outcome === 'retry') clock.advance(decision.delayMs);
    }
    const attempts = await attemptsOf(eventId);
    expect(attempts).toHaveLength(schedule.length + 1);
    expect(attempts.slice(0, -1).every((a) => a.outcome === 'retry' && a.status_code === null)).toBe(true);
    const expected = [0];
    for (const ms of schedule) expected.push(expected.at(-1)! + ms * 0.9);
    expect(attempts.map((a) => a.started_at.getTime() - start)).toEqual(expected);
    expect(attempts[0]!.error).toBe('cannot resolve hooks.example.test: EAI_AGAIN');
    const event = await eventRow(eventId);
    expect(event).toMatchObject({ state: 'failed', attempts: schedule.length + 1 });
  });

  it('an attempt that fails inside Ferry is recorded, logged and retried, not re-sent unrecorded', async () => {
    const logged: [unknown, string][] = [];
    const delivery = deliveryWith({
      keys: {
        ...webhooks.keys,
        signer: async () => {
          throw new Error('cannot decrypt the signing key');
        },
      },
      onInternalError: (error, id) => logged.push([error, id]),
    });
    receiver.received.length = 0;
    const eventId = await newEvent();
    const [first] = await firstAttempts(delivery, [eventId]);
    expect(decisionOf(first!)).toMatchObject({ outcome: 'retry' });
    expect(logged).toHaveLength(1);
    expect(logged[0]![1]).toBe(eventId);
    expect((logged[0]![0] as Error).message).toBe('cannot decrypt the signing key');
    const [attempt] = await attemptsOf(eventId);
    // The client sees that Ferry failed, not Ferry's internals.
    expect(attempt).toMatchObject({ outcome: 'retry', status_code: null, error: INTERNAL_ATTEMPT_ERROR });
    expect(receiver.received).toHaveLength(0);
    // Backed off: nothing claims it again before its retry is due.
    expect((await delivery.runDue()).map((d) => d.eventId)).not.toContain(eventId);
    // Once the key is readable again, the retry delivers.
    clock.advance(schedule[0]!);
    status = () => 200;
    expect(await dueAttempt(webhooks.delivery, eventId)).toMatchObject({ outcome: 'delivered' });
    expect(receiver.received).toHaveLength(1);
  });

  it("a live client's event retries on the live schedule, a test client's on the compressed one", async () => {
    const delivery = deliveryWith({
      resolver: async () => {
        throw Object.assign(new Error('temporary failure'), { code: 'EAI_AGAIN' });
      },
    });
    const live = await newEvent('https://hooks.example.test/live', 'live');
    const test = await newEvent('http://hooks.example.test/test');
    const [l, s] = await firstAttempts(delivery, [live, test]);
    expect(t.config.webhooks.retryScheduleMs[0]).toBe(30_000); // the default live schedule
    expect(decisionOf(l!)).toEqual({ outcome: 'retry', delayMs: 30_000 * 0.9 });
    expect(decisionOf(s!)).toEqual({ outcome: 'retry', delayMs: schedule[0]! * 0.9 });
  });
});
