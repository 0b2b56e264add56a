import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore } from '../../test/support/test-store.js';
import type { BankCall } from '../connectors/index.js';
import { ManualClock } from '../shared/clock.js';
import type { Store } from '../store/index.js';
import { createBankCallLog } from './index.js';

let store: Store;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => {
  await store?.close();
});

const call = (over: Partial<BankCall>): BankCall => ({
  provider: 'bt_ro',
  operation: 'listAccounts',
  outcome: 'ok',
  httpStatus: undefined,
  seconds: 0.1,
  subject: undefined,
  ...over,
});

describe('the bank call log', () => {
  it('writes calls in the background; an object’s calls oldest first, each bank’s health over 24 h', async () => {
    const clock = new ManualClock('2026-06-01T12:00:00Z');
    const errors: unknown[] = [];
    const log = createBankCallLog({ db: store.db, clock, retentionDays: 30, onError: (e) => errors.push(e) });
    const link = { kind: 'link', id: 'a0000000-0000-4000-8000-000000000001' } as const;
    log.record(call({ operation: 'createPayment', subject: link, seconds: 0.2 }));
    clock.advance(1000);
    log.record(
      call({ operation: 'getPaymentStatus', subject: link, outcome: 'unavailable', httpStatus: 503 }),
    );
    // Recorded, not yet written: the caller is never kept waiting for the log.
    expect(await log.of(link.id)).toEqual([]);
    await log.flush();
    const calls = await log.of(link.id);
    expect(calls.map((c) => [c.operation, c.outcome, c.http_status, c.latency_ms, c.subject_kind])).toEqual([
      ['createPayment', 'ok', null, 200, 'link'],
      ['getPaymentStatus', 'unavailable', 503, 100, 'link'],
    ]);

    // Latencies 10..100 ms at cec_ro, one in ten failing; an old call at bt_ro falls out of the 24 hours.
    for (let i = 1; i <= 10; i++) {
      log.record(call({ provider: 'cec_ro', seconds: i / 100, outcome: i === 10 ? 'timeout' : 'ok' }));
    }
    await log.flush();
    clock.advance(25 * 3_600_000);
    log.record(call({ provider: 'cec_ro', seconds: 0.05 }));
    await log.flush();
    const health = await log.health();
    expect(health).toEqual([{ provider_id: 'cec_ro', calls: 1, ok: 1, p50_ms: 50, p95_ms: 50 }]);
    clock.advance(-2 * 3_600_000);
    const day = await log.health(48);
    expect(day.find((h) => h.provider_id === 'cec_ro')).toEqual({
      provider_id: 'cec_ro',
      calls: 11,
      ok: 10,
      p50_ms: 50,
      p95_ms: 95,
    });
    expect(day.find((h) => h.provider_id === 'bt_ro')).toMatchObject({ calls: 2, ok: 1 });

    // Past the retention the maintenance task deletes them.
    clock.advance(31 * 86_400_000);
    expect(await log.cleanup()).toBe(13);
    expect(await log.of(link.id)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('a write that fails is reported, not thrown at the caller; a full queue drops and counts', async () => {
    const errors: unknown[] = [];
    const log = createBankCallLog({
      db: store.db,
      clock: new ManualClock(),
      retentionDays: 30,
      onError: (e) => errors.push(e),
    });
    log.record(call({ operation: 'x'.repeat(10), provider: 'bt_ro', seconds: Number.NaN }));
    await log.flush();
    expect(errors.length).toBe(1);
    for (let i = 0; i < 10_001; i++) log.record(call({}));
    expect(log.dropped).toBe(1);
    await log.flush();
    expect(errors.length).toBe(1);
  });
});
