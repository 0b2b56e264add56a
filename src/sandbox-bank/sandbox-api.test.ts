import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { prepareSigner, signRequest } from '../connectors/signing.js';
import { loadPsd2Conformance, type Psd2Conformance } from '../connectors/test-support/psd2-conformance.js';
import { ManualClock } from '../shared/clock.js';
import { dayOf, isoOf } from './data/calendar.js';
import { createTestPki, type TestPki } from './test-support/test-pki.js';

/**
 * The sandbox bank as mounted by Ferry's buildApp (app.inject, no port): headers, errors, signatures,
 * account data details. Every exchange is checked against the NextGenPSD2 spec.
 */
let t: TestApp;
let pki: TestPki;
let conformance: Psd2Conformance;
const clock = new ManualClock('2026-03-15T10:00:00Z');
const origin = 'http://ferry.test';
const violations: string[] = [];

beforeAll(async () => {
  pki = createTestPki();
  t = await createTestApp({ clock });
  conformance = await loadPsd2Conformance();
});
afterAll(async () => {
  await t?.close();
  pki?.cleanup();
});
afterEach(() => {
  expect(violations.splice(0)).toEqual([]);
});

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely here and checked against the spec instead.
type LooseJson = Record<string, any>;

interface Call {
  method?: 'GET' | 'POST' | 'DELETE';
  headers?: Record<string, string>;
  body?: unknown;
  /** Skip the spec check of the request (a test of a deliberately broken request). */
  badRequest?: boolean;
}

async function psd2(path: string, call: Call = {}) {
  const url = `${origin}${path}`;
  const body = call.body === undefined ? undefined : JSON.stringify(call.body);
  const headers: Record<string, string> = {
    'X-Request-ID': randomUUID(),
    ...(body ? { 'Content-Type': 'application/json' } : {}),
    ...call.headers,
  };
  for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k];
  const res = await t.app.inject({
    method: call.method ?? 'GET',
    url: path,
    headers,
    ...(body ? { payload: body } : {}),
  });
  const responseHeaders = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
  const checked = conformance.checkRequest({ method: call.method ?? 'GET', url, headers, body });
  if (!call.badRequest) violations.push(...checked.violations);
  if (checked.operationId)
    violations.push(
      ...conformance.checkResponse(checked.operationId, {
        status: res.statusCode,
        headers: responseHeaders,
        body: res.body,
      }),
    );
  return {
    status: res.statusCode,
    headers: responseHeaders,
    json: res.body ? (JSON.parse(res.body) as LooseJson) : undefined,
    text: res.body,
  };
}

const redirect = {
  'TPP-Redirect-URI': 'https://tpp.example/ok',
  'TPP-Nok-Redirect-URI': 'https://tpp.example/nok',
  'PSU-IP-Address': '192.0.2.1',
};
const payment = {
  instructedAmount: { currency: 'RON', amount: '10.00' },
  creditorAccount: { iban: 'RO10RZBR0000069999999970' },
  creditorName: 'Ionescu Consulting SRL',
};

async function scaApprove(scaUrl: string, form: Record<string, string>) {
  const path = new URL(scaUrl).pathname;
  let page = await t.app.inject({ method: 'GET', url: path });
  for (let i = 0; i < 4; i++) {
    const action = /action="([^"]+)"/.exec(page.body)?.[1];
    const token = /name="token" value="([^"]+)"/.exec(page.body)?.[1];
    if (!action || !token) return undefined;
    const res = await t.app.inject({
      method: 'POST',
      url: new URL(action).pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ token, decision: 'approve', ...form }).toString(),
    });
    const location = String(res.headers.location ?? '');
    if (!location.includes('/sca/')) return location;
    page = await t.app.inject({ method: 'GET', url: new URL(location).pathname });
  }
  return undefined;
}

describe('mounted in Ferry', () => {
  it('keeps its tables in the sandbox_bank schema, none in public', async () => {
    const tables = await t.store.db
      .selectFrom('information_schema.tables' as never)
      .select(['table_schema' as never, 'table_name' as never])
      .where('table_name' as never, 'in', [
        'payments',
        'consents',
        'authorisations',
        'ledger_entries',
        'faults',
      ] as never)
      .execute();
    expect(new Set(tables.map((r) => (r as { table_schema: string }).table_schema))).toEqual(
      new Set(['sandbox_bank']),
    );
  });

  it('answers unknown paths with NextGenPSD2 tppMessages, not Ferry envelopes', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/sandbox-bank/bt_ro/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      tppMessages: [expect.objectContaining({ category: 'ERROR', code: 'RESOURCE_UNKNOWN' })],
    });
    const unknownBank = await t.app.inject({
      method: 'GET',
      url: '/sandbox-bank/ing_ro/v1/accounts',
      headers: { 'x-request-id': randomUUID() },
    });
    expect(unknownBank.statusCode).toBe(404);
  });
});

describe('headers and errors', () => {
  it('X-Request-ID is required and echoed', async () => {
    const missing = await psd2('/sandbox-bank/bt_ro/v1/consents/x/status', {
      headers: { 'X-Request-ID': '' },
      badRequest: true,
    });
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({
      tppMessages: [
        { category: 'ERROR', code: 'FORMAT_ERROR', text: expect.any(String), path: 'X-Request-ID' },
      ],
    });
    const id = randomUUID();
    const echoed = await psd2('/sandbox-bank/bt_ro/v1/consents/unknown/status', {
      headers: { 'X-Request-ID': id },
    });
    expect(echoed.status).toBe(404);
    expect(echoed.headers['x-request-id']).toBe(id);
  });

  it('payment initiation: product, body, redirect and PSU-IP-Address checks', async () => {
    const unknownProduct = await psd2('/sandbox-bank/bt_ro/v1/payments/target-2-payments', {
      method: 'POST',
      headers: redirect,
      body: payment,
    });
    expect(unknownProduct.status).toBe(404);
    expect(unknownProduct.json?.tppMessages[0].code).toBe('PRODUCT_UNKNOWN');
    const domesticAtBt = await psd2('/sandbox-bank/bt_ro/v1/payments/domestic', {
      method: 'POST',
      headers: redirect,
      body: payment,
    });
    expect(domesticAtBt.json?.tppMessages[0].code).toBe('PRODUCT_UNKNOWN');
    const eurAsRon = await psd2('/sandbox-bank/bt_ro/v1/payments/ron-payment', {
      method: 'POST',
      headers: redirect,
      body: { ...payment, instructedAmount: { currency: 'EUR', amount: '1.00' } },
    });
    expect(eurAsRon.json?.tppMessages[0]).toMatchObject({
      code: 'FORMAT_ERROR',
      path: 'instructedAmount.currency',
    });
    const noRedirect = await psd2('/sandbox-bank/bt_ro/v1/payments/ron-payment', {
      method: 'POST',
      headers: { 'PSU-IP-Address': '192.0.2.1' },
      body: payment,
    });
    expect(noRedirect.status).toBe(400);
    const noIp = await psd2('/sandbox-bank/bt_ro/v1/payments/ron-payment', {
      method: 'POST',
      headers: { ...redirect, 'PSU-IP-Address': '' },
      body: payment,
      badRequest: true,
    });
    expect(noIp.json?.tppMessages[0].path).toBe('PSU-IP-Address');
    const broken = await t.app.inject({
      method: 'POST',
      url: '/sandbox-bank/bt_ro/v1/payments/ron-payment',
      headers: { ...redirect, 'x-request-id': randomUUID(), 'content-type': 'application/json' },
      payload: '{"instructedAmount":',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().tppMessages[0].code).toBe('FORMAT_ERROR');
  });

  it('consent creation: one-off consents have frequencyPerDay 1; validUntil is capped at 180 days', async () => {
    const base = {
      access: { allPsd2: 'allAccounts' },
      recurringIndicator: false,
      validUntil: '2026-04-01',
      frequencyPerDay: 4,
      combinedServiceIndicator: false,
    };
    const wrong = await psd2('/sandbox-bank/rzb_ro/v1/consents', {
      method: 'POST',
      headers: redirect,
      body: base,
    });
    expect(wrong.json?.tppMessages[0]).toMatchObject({ code: 'FORMAT_ERROR', path: 'frequencyPerDay' });
    const far = await psd2('/sandbox-bank/rzb_ro/v1/consents', {
      method: 'POST',
      headers: redirect,
      body: { ...base, recurringIndicator: true, validUntil: '9999-12-31' },
    });
    expect(far.status).toBe(201);
    expect(far.headers.location).toBe(`${origin}/sandbox-bank/rzb_ro/v1/consents/${far.json?.consentId}`);
    const info = await psd2(`/sandbox-bank/rzb_ro/v1/consents/${far.json?.consentId}`);
    expect(info.json).toMatchObject({
      consentStatus: 'received',
      validUntil: isoOf(dayOf('2026-03-15') + 180),
      frequencyPerDay: 4,
    });
    const auths = await psd2(`/sandbox-bank/rzb_ro/v1/consents/${far.json?.consentId}/authorisations`);
    expect(auths.json?.authorisationIds).toHaveLength(1);
    const again = await psd2(`/sandbox-bank/rzb_ro/v1/consents/${far.json?.consentId}/authorisations`, {
      method: 'POST',
      headers: redirect,
    });
    expect(again.status).toBe(201);
    expect(again.json?._links.scaRedirect.href).toContain('/sandbox-bank/rzb_ro/sca/');
    const sca = await psd2(
      `/sandbox-bank/rzb_ro/v1/consents/${far.json?.consentId}/authorisations/${again.json?.authorisationId}`,
    );
    expect(sca.json).toEqual({ scaStatus: 'received' });
  });

  it('AIS without Consent-ID or with an unknown one', async () => {
    const none = await psd2('/sandbox-bank/bt_ro/v1/accounts', { badRequest: true });
    expect(none.status).toBe(400);
    const unknown = await psd2('/sandbox-bank/bt_ro/v1/accounts', { headers: { 'Consent-ID': 'nope' } });
    expect(unknown.status).toBe(403);
    expect(unknown.json?.tppMessages[0].code).toBe('CONSENT_UNKNOWN');
  });
});

describe('cec_ro signatures (QSealC)', () => {
  const signed = (path: string, body?: unknown, tamper?: (h: Record<string, string>) => void) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    const headers: Record<string, string> = {
      'X-Request-ID': randomUUID(),
      ...(body ? redirect : {}),
      Date: new Date().toUTCString(),
    };
    signRequest(prepareSigner(pki.qsealc), headers, text);
    tamper?.(headers);
    return psd2(path, { method: body ? 'POST' : 'GET', headers, body });
  };

  it('requires the certificate and a valid signature over digest and x-request-id', async () => {
    const unsigned = await psd2('/sandbox-bank/cec_ro/v1/payments/sepa-credit-transfers', {
      method: 'POST',
      headers: redirect,
      body: payment,
    });
    expect(unsigned.status).toBe(401);
    expect(unsigned.json?.tppMessages[0].code).toBe('CERTIFICATE_MISSING');
    const ok = await signed('/sandbox-bank/cec_ro/v1/payments/sepa-credit-transfers', payment);
    expect(ok.status).toBe(201);
    const tampered = await signed('/sandbox-bank/cec_ro/v1/payments/sepa-credit-transfers', payment, (h) => {
      h['Digest'] = 'SHA-256=AAAA';
    });
    expect(tampered.json?.tppMessages[0].code).toBe('SIGNATURE_INVALID');
    const swapped = await signed('/sandbox-bank/cec_ro/v1/payments/sepa-credit-transfers', payment, (h) => {
      h['X-Request-ID'] = randomUUID();
    });
    expect(swapped.json?.tppMessages[0].code).toBe('SIGNATURE_INVALID');
    const unsignedHeader = await signed('/sandbox-bank/cec_ro/v1/consents/x/status', undefined, (h) => {
      delete h['Signature'];
    });
    expect(unsignedHeader.json?.tppMessages[0].code).toBe('SIGNATURE_MISSING');
  });
});

describe('account data details', () => {
  let consentId: string;
  let accountId: string;
  beforeAll(async () => {
    const created = await psd2('/sandbox-bank/bt_ro/v1/consents', {
      method: 'POST',
      headers: { ...redirect, 'PSU-ID': 'testbt' },
      body: {
        access: { allPsd2: 'allAccounts' },
        recurringIndicator: true,
        validUntil: '2026-09-01',
        frequencyPerDay: 50,
        combinedServiceIndicator: false,
      },
    });
    consentId = created.json?.consentId;
    expect(
      await scaApprove(created.json?._links.scaRedirect.href, {
        username: 'testbt',
        password: 'testbt',
        pin: '1234567',
      }),
    ).toBe('https://tpp.example/ok');
    const list = await psd2('/sandbox-bank/bt_ro/v1/accounts', { headers: { 'Consent-ID': consentId } });
    accountId = list.json?.accounts.find((a: { currency: string }) => a.currency === 'RON').resourceId;
  });

  it('account details, balances, a transaction by id, and the consent record', async () => {
    const details = await psd2(`/sandbox-bank/bt_ro/v1/accounts/${accountId}?withBalance=true`, {
      headers: { 'Consent-ID': consentId },
    });
    expect(details.json?.account).toMatchObject({
      resourceId: accountId,
      currency: 'RON',
      status: 'enabled',
      bic: 'BTRLRO22',
      usage: 'PRIV',
    });
    expect(details.json?.account.balances).toHaveLength(4);
    const tx = await psd2(
      `/sandbox-bank/bt_ro/v1/accounts/${accountId}/transactions?dateFrom=2026-03-01&dateTo=2026-03-10&bookingStatus=booked`,
      {
        headers: { 'Consent-ID': consentId },
      },
    );
    const first = tx.json?.transactions.booked[0];
    expect(first).toMatchObject({
      transactionId: expect.stringMatching(/^B2026030/),
      entryReference: expect.any(String),
    });
    const one = await psd2(
      `/sandbox-bank/bt_ro/v1/accounts/${accountId}/transactions/${first.transactionId}`,
      { headers: { 'Consent-ID': consentId } },
    );
    expect(one.json?.transactionsDetails).toEqual(first);
    const missing = await psd2(`/sandbox-bank/bt_ro/v1/accounts/${accountId}/transactions/B999`, {
      headers: { 'Consent-ID': consentId },
    });
    expect(missing.status).toBe(404);
    const info = await psd2(`/sandbox-bank/bt_ro/v1/consents/${consentId}`);
    expect(info.json).toMatchObject({
      consentStatus: 'valid',
      access: { allPsd2: 'allAccounts' },
      lastActionDate: '2026-03-15',
    });
  });

  it('a pending card payment books days later under a new transactionId', async () => {
    const query = (date: string) =>
      psd2(`/sandbox-bank/bt_ro/v1/accounts/${accountId}/transactions?dateFrom=${date}&bookingStatus=both`, {
        headers: { 'Consent-ID': consentId },
      });
    const before = await query('2026-03-10');
    const pending = before.json?.transactions.pending as {
      transactionId: string;
      remittanceInformationUnstructured: string;
      transactionAmount: { amount: string };
    }[];
    expect(pending.length).toBeGreaterThan(0);
    const line = pending[0]!;
    clock.advance(3 * 86_400_000);
    try {
      const after = await query('2026-03-10');
      const booked = (after.json!.transactions.booked as typeof pending).find(
        (t) =>
          t.remittanceInformationUnstructured === line.remittanceInformationUnstructured &&
          t.transactionAmount.amount === line.transactionAmount.amount,
      );
      expect(booked).toBeDefined();
      expect(booked!.transactionId).not.toBe(line.transactionId);
      expect(
        (after.json!.transactions.pending as typeof pending).some(
          (p) => p.transactionId === line.transactionId,
        ),
      ).toBe(false);
    } finally {
      clock.advance(-3 * 86_400_000);
    }
  });

  it('bad transaction queries are refused with clear codes', async () => {
    const h = { headers: { 'Consent-ID': consentId } };
    const base = `/sandbox-bank/bt_ro/v1/accounts/${accountId}/transactions`;
    expect(
      (await psd2(`${base}?dateFrom=2026-03-01`, { ...h, badRequest: true })).json?.tppMessages[0].path,
    ).toBe('bookingStatus');
    expect(
      (await psd2(`${base}?dateFrom=2026-03-10&dateTo=2026-03-01&bookingStatus=booked`, h)).json
        ?.tppMessages[0].code,
    ).toBe('PERIOD_INVALID');
    expect(
      (await psd2(`${base}?dateFrom=2026-02-30&bookingStatus=booked`, { ...h, badRequest: true })).status,
    ).toBe(400);
    expect(
      (await psd2(`${base}?dateFrom=2026-03-01&bookingStatus=information`, h)).json?.tppMessages[0].code,
    ).toBe('PARAMETER_NOT_SUPPORTED');
    expect((await psd2(`/sandbox-bank/bt_ro/v1/accounts/acc-unknown/balances`, h)).status).toBe(404);
  });
});

describe('SCA pages', () => {
  it('serve strict CSP that allows the TPP redirect as a form target', async () => {
    const created = await psd2('/sandbox-bank/rzb_ro/v1/payments/domestic', {
      method: 'POST',
      headers: redirect,
      body: payment,
    });
    const page = await t.app.inject({
      method: 'GET',
      url: new URL(created.json?._links.scaRedirect.href).pathname,
    });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self' https://tpp.example; base-uri 'none'; frame-ancestors 'none'",
    );
    expect(page.body).toContain('name="psuId"');
    expect(page.body).toContain('name="iban"');
    const unknown = await t.app.inject({
      method: 'GET',
      url: '/sandbox-bank/rzb_ro/sca/00000000-0000-0000-0000-000000000000',
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toContain('text/html');
    const css = await t.app.inject({ method: 'GET', url: '/sandbox-bank/rzb_ro/sca/assets/style.css' });
    expect(css.body).toContain('--accent:#fee600');
  });

  it('a form post without the page token changes nothing', async () => {
    const created = await psd2('/sandbox-bank/rzb_ro/v1/payments/domestic', {
      method: 'POST',
      headers: redirect,
      body: payment,
    });
    const path = new URL(created.json?._links.scaRedirect.href).pathname;
    const res = await t.app.inject({
      method: 'POST',
      url: `${path}/login`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'psuId=9999999998&iban=RO03RZBR0000069999999999&token=forged',
    });
    expect(res.body).toContain('id="error"');
    const auth = await psd2(created.json?._links.scaStatus.href.replace(origin, ''));
    expect(auth.json).toEqual({ scaStatus: 'received' });
  });
});
