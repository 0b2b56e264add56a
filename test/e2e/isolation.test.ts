import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * 100 concurrent links/create with one Idempotency-Key create one link. Tenant isolation (404 for another
 * client's or the other mode's ids on every id-taking route) is checked for every route by the route table
 * test, src/api/route-table.test.ts.
 */
describe('isolation of concurrent idempotent creates', () => {
  let s: TestApp;
  let creds: { client_id: string; client_secret: string };

  const single = {
    amount: '12.30',
    currency: 'RON',
    creditor_name: 'Shop',
    creditor_iban: 'RO10RZBR0000069999999970',
  };

  beforeAll(async () => {
    s = await createTestApp();
    creds = await s.testCreds();
    // One call first: the secret is verified once, so the burst below is not refused as busy hashing.
    expect((await s.call('/test/providers/list', {}, creds)).status).toBe(200);
  });
  afterAll(() => s?.close());

  it('100 concurrent links/create with one Idempotency-Key create exactly one link', async () => {
    const before = await s.store.db
      .selectFrom('pay_links')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const replies = await Promise.all(
      Array.from({ length: 100 }, () =>
        s.app.inject({
          method: 'POST',
          url: '/test/links/create',
          headers: { 'idempotency-key': 'order-1001' },
          payload: { ...creds, single_transfer: single },
        }),
      ),
    );
    const ok = replies.filter((r) => r.statusCode === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of replies.filter((r) => r.statusCode !== 200)) {
      expect(r.statusCode).toBe(409);
      expect(r.json().code).toBe('idempotency_key_in_use');
    }
    expect(new Set(ok.map((r) => r.json().link_id)).size).toBe(1);
    const after = await s.store.db
      .selectFrom('pay_links')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n) - Number(before.n)).toBe(1);
    const replay = await s.app.inject({
      method: 'POST',
      url: '/test/links/create',
      headers: { 'idempotency-key': 'order-1001' },
      payload: { ...creds, single_transfer: single },
    });
    expect(replay.json().link_id).toBe(ok[0]!.json().link_id);
    const reused = await s.app.inject({
      method: 'POST',
      url: '/test/links/create',
      headers: { 'idempotency-key': 'order-1001' },
      payload: { ...creds, single_transfer: { ...single, amount: '99.00' } },
    });
    expect(reused.statusCode).toBe(422);
    expect(reused.json().code).toBe('idempotency_key_reused');
  });
});
