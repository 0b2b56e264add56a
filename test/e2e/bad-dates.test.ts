import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AisTestApp, createAisTestApp } from '../../src/ais/test-support/ais-test-app.js';

/** Impossible or out-of-range dates in any list filter are a 400 naming the field, never a 500 or a roll-over. */
let t: AisTestApp;
let consentId: string;
beforeAll(async () => {
  t = await createAisTestApp();
  consentId = await t.activeConsent();
});
afterAll(() => t?.close());

const expectRefused = (res: { status: number; body: Record<string, unknown> }, field: string) => {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body).toMatchObject({ code: 'validation_error', field });
};

describe('transactions/list', () => {
  for (const value of ['2026-02-30', '2026-02-29', '0000-01-01']) {
    it(`booking_date_from ${value} → 400`, async () => {
      const res = await t.call('/test/ais/transactions/list', {
        consent_id: consentId,
        filter: { booking_date_from: value },
      });
      expectRefused(res, 'filter.booking_date_from');
    });
  }
  it('updated_from 0000-01-01 → 400', async () => {
    const res = await t.call('/test/ais/transactions/list', {
      consent_id: consentId,
      filter: { updated_from: '0000-01-01' },
    });
    expectRefused(res, 'filter.updated_from');
  });
  it('the last instant of 9999 is a valid bound on every operator', async () => {
    for (const key of [
      'booking_date_from',
      'booking_date_to',
      'booking_date_gt',
      'booking_date_lt',
      'booking_date_eq',
    ]) {
      const res = await t.call('/test/ais/transactions/list', {
        consent_id: consentId,
        filter: { [key]: '9999-12-31T23:59:59Z' },
      });
      expect(res.status, key).toBe(200);
    }
    const upTo = await t.call('/test/ais/transactions/list', {
      consent_id: consentId,
      filter: { booking_date_lt: '9999-12-31T23:59:59Z' },
    });
    const all = await t.call('/test/ais/transactions/list', { consent_id: consentId });
    expect((upTo.body.transactions as unknown[]).length).toBe((all.body.transactions as unknown[]).length);
    const after = await t.call('/test/ais/transactions/list', {
      consent_id: consentId,
      filter: { booking_date_from: '9999-12-31T23:59:59Z' },
    });
    expect(after.body.transactions).toEqual([]);
  });
});

describe('links/list and webhooks/events/list', () => {
  it('links/list inserted_at_from 2026-02-30 → 400, not March', async () => {
    expectRefused(
      await t.call('/test/links/list', { filter: { inserted_at_from: '2026-02-30' } }),
      'filter.inserted_at_from',
    );
    expectRefused(
      await t.call('/test/links/list', { filter: { inserted_at_to: '0000-01-01' } }),
      'filter.inserted_at_to',
    );
  });
  it('webhooks/events/list created_at_from 0000-01-01 → 400', async () => {
    expectRefused(
      await t.call('/test/webhooks/events/list', { filter: { created_at_from: '0000-01-01' } }),
      'filter.created_at_from',
    );
  });
});
