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

/**
 * Runs attempts as Ferry would, moving the clock to each retry: the first from the outbox (as the dispatcher
 * makes it), the rest as queue jobs. Returns the number of attempts made.
 */
async function runToEnd(eventId: string): Promise<number> {
  const decision = decisionOf((await firstAttempts(webhooks.delivery, [eventId]))[0]!);
  if (decision?.outcome !== 'retry') return 1;
  clock.advance(decision.delayMs);
  for (let attempt = 2; ; attempt++) {
    const [report] = await webhooks.delivery.deliver([{ eventId, attempt }]);
    expect(report!.outcome.status).toBe('completed');
    if (report!.decision?.outcome !== 'retry') return attempt;
    clock.advance(report!.delayMs!);
  }
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

    // The same job delivered again (a crash after recording) is a no-op.
    const [again] = await webhooks.delivery.deliver([{ eventId, attempt: 6 }]);
    expect(again!.outcome).toMatchObject({ status: 'skipped' });
    expect(receiver.received).toHaveLength(6);
  });

  it('410 Gone stops after 1 attempt', async () => {
    receiver.received.length = 0;
    status = () => 410;
    const eventId = await newEvent();
    expect(await runToEnd(eventId)).toBe(1);
    const event = await eventRow(eventId);
    expect(event).toMatchObject({ state: 'gone', attempts: 1, last_status: 410, next_attempt_at: null });
    const [next] = await webhooks.delivery.deliver([{ eventId, attempt: 2 }]);
    expect(next!.outcome.status).toBe('skipped');
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
    });
    // The first attempt comes from the outbox; a queue job for attempt 1 is stale (the outbox sends it).
    const [job] = await webhooks.delivery.deliver([{ eventId, attempt: 1 }]);
    expect(job!.outcome).toMatchObject({ status: 'skipped' });
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
      const [report] = await delivery.deliver([{ eventId, attempt }]);
      expect(report!.outcome.status).toBe('completed');
      if (report!.delayMs) clock.advance(report!.delayMs);
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
    // Out of the outbox: the retry is a scheduled job, so nothing claims it again before it is due.
    expect(await delivery.claim(100, 60_000)).toEqual([]);
    // Once the key is readable again, the retry delivers.
    clock.advance(schedule[0]!);
    status = () => 200;
    const [report] = await webhooks.delivery.deliver([{ eventId, attempt: 2 }]);
    expect(report!.decision).toMatchObject({ outcome: 'delivered' });
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
