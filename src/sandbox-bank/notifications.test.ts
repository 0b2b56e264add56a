import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestStore } from '../../test/support/test-store.js';
import { ManualClock } from '../shared/clock.js';
import { randomIds } from '../shared/ids.js';
import type { Store } from '../store/index.js';
import type { SandboxContext } from './context.js';
import { findAccountByIban } from './data/users.js';
import { createFaults } from './faults.service.js';
import { migrateSandboxBank } from './migrations.js';
import {
  type AttemptResult,
  creditorAnswer,
  defaultNotifyPolicy,
  type NotifyPolicy,
  nextStep,
  readAttempt,
  retryDelayMs,
} from './notification-policy.js';
import { createNotifier, type NotifyPost } from './notifications.service.js';
import { defaultTiming } from './payment-status.js';
import { approvePayment, cancelPayment, initiatePayment, loadPayment } from './payments.service.js';
import { findNotification, insertNotification, ledgerFor } from './sandbox.repository.js';

const BLOCKED = 'RO85CECEAG0202RON0007468';

describe('notification rules (pure)', () => {
  it('a blocked creditor account the sandbox holds rejects the credit; any other IBAN is credited', () => {
    expect(findAccountByIban(BLOCKED)?.status).toBe('blocked');
    expect(creditorAnswer(findAccountByIban(BLOCKED))).toEqual({
      event: 'funds_rejected',
      reason: 'The creditor account is blocked (AC06).',
    });
    expect(creditorAnswer(findAccountByIban('RO10RZBR0000069999999970'))).toEqual({
      event: 'funds_received',
      reason: null,
    });
    expect(creditorAnswer(undefined)).toEqual({ event: 'funds_received', reason: null });
  });

  it('backs off 1 s, 2 s, 4 s … up to an hour', () => {
    const delays = [1, 2, 3, 4, 5, 12, 13, 30].map((n) => retryDelayMs(n, defaultNotifyPolicy));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 2_048_000, 3_600_000, 3_600_000]);
  });

  it('reads the answer: 2xx delivered; unknown payment or not applicable refused; the rest retried', () => {
    const read = (result: AttemptResult) => readAttempt(result, 'p-1');
    const json = (status: number, body: Record<string, unknown>) => ({ status, body: JSON.stringify(body) });
    expect(read({ status: 200, body: '{}' })).toEqual({ outcome: 'delivered' });
    expect(read({ status: 204, body: '' })).toEqual({ outcome: 'delivered' });
    expect(
      read(json(404, { code: 'not_found', message: 'The payment was not found.', payment_id: 'p-1' })),
    ).toEqual({ outcome: 'refused', reason: 'unknown payment: The payment was not found.' });
    expect(read(json(400, { code: 'unprocessable_entity', message: 'The payment is expired.' }))).toEqual({
      outcome: 'refused',
      reason: 'not applicable: The payment is expired.',
    });
    // A 404 that does not name the payment is a wrong URL, not an answer about it.
    expect(read(json(404, { code: 'not_found', message: 'No route for POST /x.' }))).toEqual({
      outcome: 'retry',
      reason: 'HTTP 404: No route for POST /x.',
    });
    expect(read(json(404, { code: 'not_found', payment_id: 'p-2' })).outcome).toBe('retry');
    expect(read(json(401, { code: 'unauthorized', message: 'bad signature' }))).toEqual({
      outcome: 'retry',
      reason: 'HTTP 401: bad signature',
    });
    expect(read({ status: 503, body: 'not json' })).toEqual({ outcome: 'retry', reason: 'HTTP 503' });
    expect(read({ error: 'connect ECONNREFUSED' })).toEqual({
      outcome: 'retry',
      reason: 'connect ECONNREFUSED',
    });
  });

  it('gives up after maxAttempts, or when the next try would fall past 24 h from the first due time', () => {
    const first = new Date('2026-03-01T00:00:00Z');
    const retry = { outcome: 'retry', reason: 'HTTP 500' } as const;
    expect(nextStep(retry, 1, first, first, defaultNotifyPolicy)).toEqual({
      outcome: null,
      dueAt: new Date(first.getTime() + 1_000),
      error: 'HTTP 500',
    });
    expect(nextStep(retry, 30, first, first, defaultNotifyPolicy)).toEqual({
      outcome: 'gave_up',
      error: 'HTTP 500 (gave up after 30 attempts)',
    });
    const late = new Date(first.getTime() + 23.5 * 3_600_000);
    expect(nextStep(retry, 20, first, late, defaultNotifyPolicy).outcome).toBe('gave_up');
    expect(nextStep({ outcome: 'delivered' }, 7, first, late, defaultNotifyPolicy)).toEqual({
      outcome: 'delivered',
      error: null,
    });
    expect(
      nextStep({ outcome: 'refused', reason: 'unknown payment' }, 1, first, first, defaultNotifyPolicy),
    ).toEqual({ outcome: 'refused', error: 'unknown payment' });
  });
});

describe('notification outbox (database, fake clock)', () => {
  let store: Store;
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  let ctx: SandboxContext;
  const sent: { url: string; headers: Record<string, string>; body: string }[] = [];
  let answers: (AttemptResult | Error)[] = [];
  const post: NotifyPost = async (url, headers, body) => {
    sent.push({ url, headers, body });
    const next = answers.shift() ?? { status: 200, body: '{}' };
    if (next instanceof Error) throw next;
    if ('error' in next) throw new Error(next.error);
    return next;
  };
  const target = {
    baseUrl: 'https://ferry.example/',
    sign: (bank: string, body: string, t: number) => ({ 'x-bank-signature': `${bank}|${t}|${body.length}` }),
    post,
  };

  beforeAll(async () => {
    store = await createTestStore();
    await migrateSandboxBank(store);
    ctx = { db: store.db, clock, ids: randomIds, timing: defaultTiming };
  });
  afterAll(() => store?.close());
  beforeEach(() => {
    sent.length = 0;
    answers = [];
  });

  const addRow = async (event: 'funds_received' | 'funds_rejected' = 'funds_received', inMs = 5_000) => {
    const paymentId = randomIds.uuid();
    await insertNotification(store.db, {
      payment_id: paymentId,
      bank: 'bt_ro',
      event,
      reason: event === 'funds_rejected' ? 'The creditor account is blocked (AC06).' : null,
      due_at: new Date(clock.now().getTime() + inMs),
      created_at: clock.now(),
    });
    return paymentId;
  };
  const row = async (paymentId: string) => (await findNotification(store.db, paymentId))!;

  it('sends nothing before the due time, then one signed POST; a 2xx ends it', async () => {
    const paymentId = await addRow('funds_rejected');
    const notifier = createNotifier(ctx, target);
    expect(await notifier.deliverDue()).toBe(0);
    clock.advance(5_000);
    expect(await notifier.deliverDue()).toBe(1);
    const body = JSON.stringify({
      payment_id: paymentId,
      event: 'funds_rejected',
      reason: 'The creditor account is blocked (AC06).',
    });
    expect(sent).toEqual([
      {
        url: 'https://ferry.example/bank-notifications/bt_ro',
        headers: {
          'content-type': 'application/json',
          'x-bank-signature': `bt_ro|${Math.floor(clock.now().getTime() / 1000)}|${body.length}`,
        },
        body,
      },
    ]);
    expect(await row(paymentId)).toMatchObject({
      attempts: 1,
      outcome: 'delivered',
      last_status: 200,
      last_error: null,
      sent_at: clock.now(),
    });
    clock.advance(3_600_000);
    expect(await notifier.deliverDue()).toBe(0);
  });

  it('retries a 5xx, a bad signature and no answer at 1 s, 2 s, 4 s, then delivers', async () => {
    const paymentId = await addRow('funds_received', 0);
    answers = [
      { status: 500, body: '{"code":"internal_error","message":"Something went wrong."}' },
      { status: 401, body: '{"code":"unauthorized","message":"The notification signature is invalid."}' },
      new Error('socket hang up'),
      { status: 200, body: '{"status":"funds_received"}' },
    ];
    const notifier = createNotifier(ctx, target);
    const start = clock.now().getTime();
    const expected = [
      { last_status: 500, last_error: 'HTTP 500: Something went wrong.', wait: 1_000 },
      { last_status: 401, last_error: 'HTTP 401: The notification signature is invalid.', wait: 2_000 },
      { last_status: null, last_error: 'socket hang up', wait: 4_000 },
    ];
    let elapsed = 0;
    for (const [i, step] of expected.entries()) {
      expect(await notifier.deliverDue()).toBe(1);
      expect(await row(paymentId)).toMatchObject({
        attempts: i + 1,
        outcome: null,
        last_status: step.last_status,
        last_error: step.last_error,
        due_at: new Date(start + elapsed + step.wait),
      });
      clock.advance(step.wait - 1);
      expect(await notifier.deliverDue()).toBe(0);
      clock.advance(1);
      elapsed += step.wait;
    }
    expect(await notifier.deliverDue()).toBe(1);
    expect(await row(paymentId)).toMatchObject({ attempts: 4, outcome: 'delivered', last_status: 200 });
    expect(sent).toHaveLength(4);
  });

  it('ends on an unknown payment or an event that does not apply, and records why', async () => {
    const unknown = await addRow('funds_received', 0);
    const done = await addRow('funds_received', 0);
    const notifier = createNotifier(ctx, {
      ...target,
      post: async (_url, _headers, body) => {
        const { payment_id } = JSON.parse(body) as { payment_id: string };
        return payment_id === unknown
          ? {
              status: 404,
              body: JSON.stringify({ code: 'not_found', message: 'The payment was not found.', payment_id }),
            }
          : {
              status: 400,
              body: JSON.stringify({
                code: 'unprocessable_entity',
                message: 'The payment is funds_received; funds_received does not apply.',
              }),
            };
      },
    });
    expect(await notifier.deliverDue()).toBe(2);
    expect(await row(unknown)).toMatchObject({
      attempts: 1,
      outcome: 'refused',
      last_status: 404,
      last_error: 'unknown payment: The payment was not found.',
      sent_at: clock.now(),
    });
    expect(await row(done)).toMatchObject({
      outcome: 'refused',
      last_status: 400,
      last_error: 'not applicable: The payment is funds_received; funds_received does not apply.',
    });
  });

  it('gives up after the last attempt the policy allows', async () => {
    const policy: NotifyPolicy = { ...defaultNotifyPolicy, maxAttempts: 3 };
    const paymentId = await addRow('funds_received', 0);
    answers = [1, 2, 3].map(() => ({ status: 502, body: '' }));
    const notifier = createNotifier(ctx, target, policy);
    for (const wait of [1_000, 2_000]) {
      expect(await notifier.deliverDue()).toBe(1);
      clock.advance(wait);
    }
    expect(await notifier.deliverDue()).toBe(1);
    expect(await row(paymentId)).toMatchObject({
      attempts: 3,
      outcome: 'gave_up',
      last_status: 502,
      last_error: 'HTTP 502 (gave up after 3 attempts)',
      sent_at: null,
    });
    clock.advance(86_400_000);
    expect(await notifier.deliverDue()).toBe(0);
  });

  it('a sender that died mid-attempt leaves the row due again after the lease', async () => {
    const paymentId = await addRow('funds_received', 0);
    const notifier = createNotifier(ctx, { ...target, post: () => new Promise(() => {}) });
    void notifier.deliverDue();
    await expect.poll(async () => (await row(paymentId)).attempts).toBe(1);
    const survivor = createNotifier(ctx, target);
    expect(await survivor.deliverDue()).toBe(0);
    clock.advance(defaultNotifyPolicy.leaseMs);
    expect(await survivor.deliverDue()).toBe(1);
    expect(await row(paymentId)).toMatchObject({ attempts: 2, outcome: 'delivered' });
  });

  it('without a target nothing is sent and rows wait', async () => {
    const paymentId = await addRow('funds_received', 0);
    const notifier = createNotifier(ctx, undefined);
    expect(notifier.enabled).toBe(false);
    notifier.start({ tickMs: 5 });
    expect(await notifier.deliverDue()).toBe(0);
    await notifier.stop();
    expect(await row(paymentId)).toMatchObject({ attempts: 0, outcome: null });
  });

  it('the loop sends due rows on its own and stops cleanly', async () => {
    const paymentId = await addRow('funds_received', 0);
    const notifier = createNotifier(ctx, target);
    notifier.start({ tickMs: 10 });
    notifier.start({ tickMs: 10 });
    await expect.poll(async () => (await row(paymentId)).outcome, { timeout: 5_000 }).toBe('delivered');
    await notifier.stop();
    await notifier.stop();
    expect(sent.filter((s) => s.body.includes(paymentId))).toHaveLength(1);
  });
});

describe('the bank writes the notification when it accepts a payment', () => {
  let store: Store;
  const clock = new ManualClock('2026-03-03T09:00:00Z');
  let ctx: SandboxContext;

  beforeAll(async () => {
    store = await createTestStore();
    await migrateSandboxBank(store);
    ctx = { db: store.db, clock, ids: randomIds, timing: defaultTiming };
  });
  afterAll(() => store?.close());

  const accept = async (creditorIban: string, product = 'ron-payment') => {
    const created = await initiatePayment(
      ctx,
      createFaults(ctx),
      'bt_ro',
      'payments',
      product,
      {
        psuId: 'testbt',
        psuIpAddress: '127.0.0.1',
        redirectUri: 'https://ferry.test/ok',
        nokRedirectUri: undefined,
      },
      {
        instructedAmount: { currency: 'RON', amount: '12.34' },
        creditorAccount: { iban: creditorIban },
        creditorName: 'Creditor',
        remittanceInformationUnstructured: 'Order 5',
      },
      'http://bank.test',
    );
    const payment = await loadPayment(ctx, 'bt_ro', product, created.body.paymentId);
    const debtor = 'RO77BTRLRONCRT0000123401';
    expect(findAccountByIban(debtor)?.bank).toBe('bt_ro');
    expect(await approvePayment(ctx, payment, debtor)).toEqual({ status: 'ACTC' });
    return { id: payment.id, debtor };
  };

  it('credited: due at the settlement time, the creditor account gets the money', async () => {
    const creditor = 'RO10RZBR0000069999999970';
    const { id } = await accept(creditor);
    const settles = new Date(clock.now().getTime() + defaultTiming.acscAfterMs);
    expect(await findNotification(store.db, id)).toMatchObject({
      bank: 'bt_ro',
      event: 'funds_received',
      reason: null,
      first_due_at: settles,
      due_at: settles,
      attempts: 0,
      outcome: null,
    });
    const credit = (await ledgerFor(store.db, creditor)).filter((l) => l.payment_id === id);
    expect(credit.map((l) => Number(l.amount))).toEqual([12.34]);
  });

  it('rejected: a blocked creditor account sends the money back to the debtor', async () => {
    const { id, debtor } = await accept(BLOCKED);
    expect(await findNotification(store.db, id)).toMatchObject({
      event: 'funds_rejected',
      reason: 'The creditor account is blocked (AC06).',
    });
    expect((await ledgerFor(store.db, BLOCKED)).filter((l) => l.payment_id === id)).toEqual([]);
    const own = (await ledgerFor(store.db, debtor)).filter((l) => l.payment_id === id);
    expect(own.map((l) => [Number(l.amount), l.remittance])).toEqual([
      [-12.34, 'Order 5'],
      [12.34, 'Returned: The creditor account is blocked (AC06).'],
    ]);
  });

  it('a payment cancelled before settlement takes its notification with it', async () => {
    const { id } = await accept('RO10RZBR0000069999999970');
    expect(await findNotification(store.db, id)).toBeDefined();
    await cancelPayment(ctx, await loadPayment(ctx, 'bt_ro', 'ron-payment', id));
    expect(await findNotification(store.db, id)).toBeUndefined();
  });
});
