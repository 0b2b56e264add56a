import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AisTestApp, createAisTestApp } from '../../src/ais/test-support/ais-test-app.js';

/**
 * NUL bytes and lone surrogates anywhere in a request are a 400 naming the field, never a 500 from the database
 * (issue: an outside test pass found links/create with "a\u0000b" answering 500 internal_error).
 */
let t: AisTestApp;
beforeAll(async () => {
  t = await createAisTestApp();
});
afterAll(() => t?.close());

const transfer = (over: Record<string, unknown> = {}) => ({
  amount: '10.00',
  currency: 'RON',
  creditor_name: 'ACME SRL',
  creditor_iban: 'RO10RZBR0000069999999970',
  remittance_info: 'Invoice 1',
  ...over,
});

describe('FinqLink', () => {
  const cases: Array<[string, string, Record<string, unknown>, string]> = [
    [
      'links/create creditor_name NUL',
      '/test/links/create',
      { single_transfer: transfer({ creditor_name: 'a\u0000b' }) },
      'single_transfer.creditor_name',
    ],
    [
      'links/create remittance_info NUL',
      '/test/links/create',
      { single_transfer: transfer({ remittance_info: 'x\u0000' }) },
      'single_transfer.remittance_info',
    ],
    [
      'links/create lone surrogate',
      '/test/links/create',
      { single_transfer: transfer({ creditor_name: 'a\ud800b' }) },
      'single_transfer.creditor_name',
    ],
    ['consents/create psu.psu_id', '/test/ais/consents/create', { psu: { psu_id: 'p\u0000' } }, 'psu.psu_id'],
    [
      'consents/create redirect_url',
      '/test/ais/consents/create',
      { options: { redirect_url: 'https://a.test/\u0000' } },
      'options.redirect_url',
    ],
    [
      'consents/create webhook_url',
      '/test/ais/consents/create',
      { options: { webhook_url: 'https://a.test/\udfff' } },
      'options.webhook_url',
    ],
    [
      'webhooks/events/list filter.type',
      '/test/webhooks/events/list',
      { filter: { type: 'a\u0000' } },
      'filter.type',
    ],
    [
      'webhooks/events/list filter.object_id',
      '/test/webhooks/events/list',
      { filter: { object_id: '\u0000' } },
      'filter.object_id',
    ],
  ];
  for (const [name, path, body, field] of cases) {
    it(`${name} → 400 validation_error naming ${field}`, async () => {
      const res = await t.call(path, body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'validation_error', field });
      expect(res.body.message).toContain('NUL');
    });
  }

  it('a bad key is refused too, and good Unicode passes', async () => {
    const bad = await t.call('/test/links/create', { single_transfer: transfer(), ['x\u0000']: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_error');
    const good = await t.call('/test/links/create', {
      single_transfer: transfer({ creditor_name: 'Știință 😀 SRL' }),
    });
    expect(good.status).toBe(200);
  });

  it('a NUL in the query string or the path of a hosted page is a 400 page', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/pay/abc%00def' });
    expect(page.statusCode).toBe(400);
    expect(page.headers['content-type']).toContain('text/html');
  });
});

describe('the sandbox bank', () => {
  const headers = {
    'x-request-id': randomUUID(),
    'content-type': 'application/json',
    'tpp-redirect-uri': 'https://tpp.example/ok',
    'psu-ip-address': '192.0.2.1',
  };
  const payment = (over: Record<string, unknown>) =>
    JSON.stringify({
      instructedAmount: { currency: 'RON', amount: '10.00' },
      creditorAccount: { iban: 'RO10RZBR0000069999999970' },
      creditorName: 'Ionescu SRL',
      ...over,
    });

  for (const field of ['creditorName', 'remittanceInformationUnstructured', 'endToEndIdentification']) {
    it(`payment ${field} with NUL → 400 FORMAT_ERROR with its path`, async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/sandbox-bank/bt_ro/v1/payments/ron-payment',
        headers,
        payload: payment({ [field]: 'a\u0000b' }),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        tppMessages: [
          { category: 'ERROR', code: 'FORMAT_ERROR', text: expect.stringContaining('NUL'), path: field },
        ],
      });
    });
  }

  it('%00 in a consent or payment id → 400 FORMAT_ERROR', async () => {
    for (const url of [
      '/sandbox-bank/bt_ro/v1/consents/a%00b/status',
      '/sandbox-bank/bt_ro/v1/payments/ron-payment/a%00b/status',
    ]) {
      const res = await t.app.inject({ method: 'GET', url, headers: { 'x-request-id': randomUUID() } });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().tppMessages[0].code).toBe('FORMAT_ERROR');
    }
  });
});

describe('the sandbox bank redirect URIs', () => {
  const post = (redirect: string, nok?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/sandbox-bank/bt_ro/v1/payments/ron-payment',
      headers: {
        'x-request-id': randomUUID(),
        'content-type': 'application/json',
        'tpp-redirect-uri': redirect,
        ...(nok ? { 'tpp-nok-redirect-uri': nok } : {}),
        'psu-ip-address': '192.0.2.1',
      },
      payload: JSON.stringify({
        instructedAmount: { currency: 'RON', amount: '10.00' },
        creditorAccount: { iban: 'RO10RZBR0000069999999970' },
        creditorName: 'Ionescu SRL',
      }),
    });

  it('refuses javascript:, data: and plain http to other hosts with FORMAT_ERROR naming the header', async () => {
    for (const [redirect, nok, path] of [
      ['javascript:alert(1)', undefined, 'TPP-Redirect-URI'],
      ['data:text/html,<script>alert(1)</script>', undefined, 'TPP-Redirect-URI'],
      ['http://tpp.example/ok', undefined, 'TPP-Redirect-URI'],
      ['https://tpp.example/ok', 'javascript:alert(1)', 'TPP-Nok-Redirect-URI'],
    ] as const) {
      const res = await post(redirect, nok);
      expect(res.statusCode, redirect).toBe(400);
      expect(res.json().tppMessages[0]).toMatchObject({ code: 'FORMAT_ERROR', path });
    }
  });

  it('accepts https, http to loopback and http to its own public origin', async () => {
    for (const redirect of [
      'https://tpp.example/ok',
      'http://127.0.0.1:3000/ok',
      'http://ferry.test/pay/x/callback',
    ]) {
      expect((await post(redirect)).statusCode, redirect).toBe(201);
    }
  });
});
