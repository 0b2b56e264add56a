import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';

/** Every keyset list takes the same cursors and refuses a bad one the same way (src/shared/cursor.ts). */
describe('list cursors, every list', () => {
  let t: TestApp;
  let creds: { client_id: string; client_secret: string };
  const consentId = '00000000-0000-4000-8000-000000000001';
  const lists = [
    ['/test/links/list', {}],
    ['/test/webhooks/events/list', {}],
    ['/test/ais/balances/list', { consent_id: consentId }],
    ['/test/ais/transactions/list', { consent_id: consentId }],
  ] as const;
  beforeAll(async () => {
    t = await createTestApp();
    const c = await t.client();
    creds = { client_id: c.clientId, client_secret: c.clientSecret };
  });
  afterAll(() => t.close());

  it('refuses another list’s cursor, an edited one and the old unsigned formats with one answer', async () => {
    const transactions = t.services.ais.transactionsCursor({ sortDate: '2026-01-01', id: consentId });
    const balances = t.services.cursors.list('balances', ['seq']).encode(['7']);
    const edited = `${transactions.slice(0, 10)}${transactions[10] === 'A' ? 'B' : 'A'}${transactions.slice(11)}`;
    const unsigned = [
      Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', consentId])).toString('base64url'),
      Buffer.from(`2026-01-01T00:00:00.000000Z|${consentId}`).toString('base64url'),
    ];
    const answers = new Set<string>();
    for (const [path, body] of lists) {
      const foreign = path.endsWith('transactions/list') ? balances : transactions;
      for (const after of [foreign, edited, ...unsigned]) {
        const res = await t.app.inject({
          method: 'POST',
          url: path,
          payload: { ...creds, ...body, pagination: { after } },
        });
        expect(res.statusCode, `${path} ${after}`).toBe(400);
        const { code, field, message } = res.json();
        answers.add(JSON.stringify({ code, field, message }));
      }
    }
    expect([...answers].map((a) => JSON.parse(a))).toEqual([
      {
        code: 'validation_error',
        field: 'pagination.after',
        message: 'pagination.after: is not a cursor returned by this list',
      },
    ]);
  });

  it('answers a page with the same pagination shape', async () => {
    for (const [path, body] of lists.slice(0, 2)) {
      const res = await t.app.inject({ method: 'POST', url: path, payload: { ...creds, ...body } });
      expect(res.statusCode, path).toBe(200);
      expect(res.json().pagination, path).toEqual({ count: 0, 'more?': false, after: null, limit: 50 });
    }
  });
});
