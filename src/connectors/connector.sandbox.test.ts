import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BankId, bankIds } from '../sandbox-bank/index.js';
import {
  isInjectedFault,
  startTestSandbox,
  type TestSandbox,
  TPP_NOK,
  TPP_OK,
} from '../sandbox-bank/test-support/harness.js';
import { driveSca, seedCredentials } from '../sandbox-bank/test-support/sca-driver.js';
import { createTestPki, type TestPki } from '../sandbox-bank/test-support/test-pki.js';
import { createNextGenPsd2Connector, type NextGenPsd2Connector } from './index.js';
import { ExchangeRecorder } from './test-support/psd2-conformance.js';
import type { BankEndpoint, BankResult, BankTransaction, PaymentInitiation } from './types.js';

let sandbox: TestSandbox;
let pki: TestPki;
let connector: NextGenPsd2Connector;
const recorder = new ExchangeRecorder();

beforeAll(async () => {
  pki = createTestPki();
  sandbox = await startTestSandbox();
  connector = createNextGenPsd2Connector({
    onExchange: recorder.onExchange,
    qsealc: pki.qsealc,
    backoffBaseMs: 20,
  });
});

afterAll(async () => {
  await connector?.close();
  await sandbox?.close();
  pki?.cleanup();
});

afterEach(async () => {
  // Every request the connector sent and every answer the bank gave must match the NextGenPSD2 spec.
  expect(await recorder.violations(isInjectedFault)).toEqual([]);
  recorder.clear();
  await sandbox.running.bank.faults.clear();
});

function ok<T>(result: BankResult<T>): T {
  if (!result.ok) throw new Error(`bank error: ${JSON.stringify(result.error)}`);
  return result.value;
}

/** Per bank: a payment the seed user can make, from the seed's debtor account where the seed names one. */
const paymentFor: Record<
  BankId,
  (amount: string) => Omit<PaymentInitiation, 'redirectUri' | 'nokRedirectUri'>
> = {
  rzb_ro: (amount) => ({
    product: 'domestic',
    instructedAmount: { currency: 'RON', amount },
    creditorName: 'Ionescu Consulting SRL',
    creditorIban: 'RO10RZBR0000069999999970',
    debtorIban: 'RO03RZBR0000069999999999',
    psuId: '9999999998',
    remittanceInformationUnstructured: 'Factura 1001',
    psuIpAddress: '192.0.2.10',
  }),
  bt_ro: (amount) => ({
    product: 'ron-payment',
    instructedAmount: { currency: 'RON', amount },
    creditorName: 'Andrei Ionescu',
    creditorIban: 'RO03RZBR0000069999999999',
    remittanceInformationUnstructured: 'Chirie',
    psuIpAddress: '::ffff:192.0.2.11',
  }),
  cec_ro: (amount) => ({
    product: 'sepa-credit-transfers',
    instructedAmount: { currency: 'RON', amount },
    creditorName: 'Maria Popescu',
    creditorIban: 'RO03RZBR0000069999999999',
    endToEndIdentification: 'E2E-CEC-1',
    psuIpAddress: '192.0.2.12',
  }),
};

const pay = (bank: BankId, amount = '125.50') => ({
  ...paymentFor[bank](amount),
  redirectUri: TPP_OK,
  nokRedirectUri: TPP_NOK,
});

const consentFor = (validUntil = '2026-06-01', frequencyPerDay = 4) => ({
  access: { kind: 'allAccounts' as const, withBalances: true, withTransactions: true },
  recurringIndicator: true,
  validUntil,
  frequencyPerDay,
  psuIpAddress: '192.0.2.20',
  redirectUri: TPP_OK,
  nokRedirectUri: TPP_NOK,
});

async function collect(iterable: AsyncIterable<BankResult<BankTransaction[]>>) {
  const all: BankTransaction[] = [];
  let pages = 0;
  for await (const page of iterable) {
    all.push(...ok(page));
    pages++;
  }
  return { all, pages };
}

describe.each(bankIds)('%s: payments through the connector', (bank) => {
  let endpoint: BankEndpoint;
  beforeAll(() => {
    endpoint = sandbox.endpoint(bank);
  });

  it('approve: RCVD → ACTC → ACSP → ACSC, the debtor is debited and a sandbox creditor credited', async () => {
    const consent = ok(await connector.createConsent(endpoint, consentFor()));
    expect(
      (await driveSca(consent.scaRedirectUrl, { credentials: seedCredentials[bank], decision: 'approve' }))
        .finalUrl,
    ).toBe(TPP_OK);
    const [before] = ok(
      await connector.listAccounts(endpoint, consent.consentId, {
        withBalance: true,
        psuIpAddress: '192.0.2.20',
      }),
    );
    const available = (a: typeof before) =>
      Number(a!.balances.find((b) => b.balanceType === 'interimAvailable')!.amount.amount);

    const created = ok(await connector.createPayment(endpoint, pay(bank)));
    expect(created.transactionStatus).toBe('RCVD');
    expect(created.scaRedirectUrl).toContain(`/sandbox-bank/${bank}/sca/`);
    const run = await driveSca(created.scaRedirectUrl, {
      credentials: seedCredentials[bank],
      decision: 'approve',
    });
    expect(run.finalUrl).toBe(TPP_OK);
    const product = pay(bank).product;
    expect(ok(await connector.getPaymentStatus(endpoint, product, created.paymentId)).transactionStatus).toBe(
      'ACTC',
    );
    sandbox.clock.advance(1_000);
    expect(ok(await connector.getPaymentStatus(endpoint, product, created.paymentId)).transactionStatus).toBe(
      'ACSP',
    );
    sandbox.clock.advance(60_000);
    expect(ok(await connector.getPaymentStatus(endpoint, product, created.paymentId)).transactionStatus).toBe(
      'ACSC',
    );

    const [after] = ok(
      await connector.listAccounts(endpoint, consent.consentId, {
        withBalance: true,
        psuIpAddress: '192.0.2.20',
      }),
    );
    expect(Math.round((available(before) - available(after)) * 100)).toBe(12_550);
    if (bank !== 'rzb_ro') return;
    // rzb_ro's creditor account belongs to the same test PSU: the credit shows in its transactions.
    const corporate = ok(
      await connector.listAccounts(endpoint, consent.consentId, {
        withBalance: false,
        psuIpAddress: '192.0.2.20',
      }),
    ).find((a) => a.iban === 'RO10RZBR0000069999999970')!;
    const today = sandbox.clock.now().toISOString().slice(0, 10);
    const { all } = await collect(
      connector.listTransactions(
        endpoint,
        consent.consentId,
        corporate.resourceId,
        { dateFrom: today, bookingStatus: 'booked' },
        { psuIpAddress: '192.0.2.20' },
      ),
    );
    expect(
      all.some((t) => t.amount.amount === '125.50' && t.remittanceInformationUnstructured === 'Factura 1001'),
    ).toBe(true);
  });

  it('deny: the payment is rejected and the browser goes to the nok URI', async () => {
    const created = ok(await connector.createPayment(endpoint, pay(bank)));
    const run = await driveSca(created.scaRedirectUrl, {
      credentials: seedCredentials[bank],
      decision: 'deny',
    });
    expect(run.finalUrl).toBe(TPP_NOK);
    expect(
      ok(await connector.getPaymentStatus(endpoint, pay(bank).product, created.paymentId)).transactionStatus,
    ).toBe('RJCT');
  });

  it('wrong credentials: an error and a retry; three failures fail the authorisation', async () => {
    const wrong = { ...seedCredentials[bank], psuId: '1111111111', username: 'nobody', password: 'nope' };
    const created = ok(await connector.createPayment(endpoint, pay(bank)));
    const run = await driveSca(created.scaRedirectUrl, { credentials: wrong, decision: 'approve' });
    expect(run.pages.some((p) => p.includes('id="error"') && p.includes('1 din 3'))).toBe(true);
    expect(run.finalUrl).toBe(TPP_NOK);
    expect(
      ok(await connector.getPaymentStatus(endpoint, pay(bank).product, created.paymentId)).transactionStatus,
    ).toBe('RJCT');

    const second = ok(await connector.createPayment(endpoint, pay(bank)));
    const once = await driveSca(second.scaRedirectUrl, {
      credentials: wrong,
      decision: 'approve',
      maxSteps: 1,
    });
    expect(once.pages.at(-1)).toContain('id="error"');
    const retry = await driveSca(second.scaRedirectUrl, {
      credentials: seedCredentials[bank],
      decision: 'approve',
    });
    expect(retry.finalUrl).toBe(TPP_OK);
  });

  it('cancel: before SCA it is CANC; once settling it can no longer be cancelled', async () => {
    const created = ok(await connector.createPayment(endpoint, pay(bank)));
    expect(
      ok(await connector.cancelPayment(endpoint, pay(bank).product, created.paymentId)).transactionStatus,
    ).toBe('CANC');
    expect(
      ok(await connector.getPaymentStatus(endpoint, pay(bank).product, created.paymentId)).transactionStatus,
    ).toBe('CANC');

    const settled = ok(await connector.createPayment(endpoint, pay(bank)));
    await driveSca(settled.scaRedirectUrl, { credentials: seedCredentials[bank], decision: 'approve' });
    sandbox.clock.advance(61_000);
    const refused = await connector.cancelPayment(endpoint, pay(bank).product, settled.paymentId);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.kind).toBe('rejected');
      expect(refused.error.tppMessages[0]?.code).toBe('CANCELLATION_INVALID');
    }
  });

  it('insufficient funds and an injected RJCT reject the payment after approval', async () => {
    const big = ok(await connector.createPayment(endpoint, pay(bank, '99999999.00')));
    expect(
      (await driveSca(big.scaRedirectUrl, { credentials: seedCredentials[bank], decision: 'approve' }))
        .finalUrl,
    ).toBe(TPP_NOK);
    expect(
      ok(await connector.getPaymentStatus(endpoint, pay(bank).product, big.paymentId)).transactionStatus,
    ).toBe('RJCT');

    await sandbox.running.bank.faults.add({ bank, kind: 'reject', amount: '13.13' });
    const marked = ok(await connector.createPayment(endpoint, pay(bank, '13.13')));
    await driveSca(marked.scaRedirectUrl, { credentials: seedCredentials[bank], decision: 'approve' });
    expect(
      ok(await connector.getPaymentStatus(endpoint, pay(bank).product, marked.paymentId)).transactionStatus,
    ).toBe('RJCT');
  });

  it('a bad request comes back as a typed rejection with tppMessages', async () => {
    const result = await connector.createPayment(endpoint, {
      ...pay(bank),
      creditorIban: 'RO00RZBR0000069999999970',
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toMatchObject({ kind: 'rejected', httpStatus: 400, retryable: false });
      expect(result.error.tppMessages[0]).toMatchObject({
        category: 'ERROR',
        code: 'FORMAT_ERROR',
        path: 'creditorAccount.iban',
      });
    }
    const unknown = await connector.getPaymentStatus(
      endpoint,
      pay(bank).product,
      '00000000-0000-4000-8000-000000000000',
    );
    expect(!unknown.ok && unknown.error.kind).toBe('not_found');
  });
});

describe.each(bankIds)('%s: consents and account data through the connector', (bank) => {
  let endpoint: BankEndpoint;
  beforeAll(() => {
    endpoint = sandbox.endpoint(bank);
  });

  it('approve: valid consent, accounts with balances, 12 months of transactions paged by _links.next', async () => {
    const created = ok(await connector.createConsent(endpoint, consentFor()));
    expect(created.consentStatus).toBe('received');
    const run = await driveSca(created.scaRedirectUrl, {
      credentials: seedCredentials[bank],
      decision: 'approve',
    });
    expect(run.finalUrl).toBe(TPP_OK);
    expect(ok(await connector.getConsentStatus(endpoint, created.consentId)).consentStatus).toBe('valid');

    const accounts = ok(await connector.listAccounts(endpoint, created.consentId, { withBalance: true }));
    expect(accounts.length).toBeGreaterThanOrEqual(2);
    expect(accounts.length).toBeLessThanOrEqual(4);
    const current = accounts.find((a) => a.currency === 'RON')!;
    expect(current.balances.map((b) => b.balanceType)).toEqual(
      expect.arrayContaining(['closingBooked', 'interimAvailable', 'expected']),
    );
    expect(ok(await connector.getBalances(endpoint, created.consentId, current.resourceId)).length).toBe(4);

    const { all, pages } = await collect(
      connector.listTransactions(endpoint, created.consentId, current.resourceId, {
        dateFrom: '2025-03-01',
        bookingStatus: 'both',
        pageSize: 100,
      }),
    );
    expect(pages).toBeGreaterThan(1);
    const booked = all.filter((t) => t.status === 'booked');
    expect(new Set(booked.map((t) => t.transactionId)).size).toBe(booked.length);
    const months = new Set(booked.map((t) => t.bookingDate!.slice(0, 7)));
    expect(months.size).toBeGreaterThanOrEqual(12);
    expect(booked.some((t) => t.remittanceInformationUnstructured?.startsWith('SALARIU'))).toBe(true);
    expect(booked.some((t) => t.bankTransactionCode === 'PMNT-CCRD-POSD')).toBe(true);
  });

  it('deny: the consent is rejected; data calls are refused', async () => {
    const created = ok(await connector.createConsent(endpoint, consentFor()));
    expect(
      (await driveSca(created.scaRedirectUrl, { credentials: seedCredentials[bank], decision: 'deny' }))
        .finalUrl,
    ).toBe(TPP_NOK);
    expect(ok(await connector.getConsentStatus(endpoint, created.consentId)).consentStatus).toBe('rejected');
    const refused = await connector.listAccounts(endpoint, created.consentId, { withBalance: false });
    expect(!refused.ok && refused.error.kind).toBe('unauthorized');
  });

  it('wrong credentials three times: rejected consent, nok redirect', async () => {
    const created = ok(await connector.createConsent(endpoint, consentFor()));
    const run = await driveSca(created.scaRedirectUrl, {
      credentials: { psuId: '0', username: 'x', password: 'y' },
      decision: 'approve',
    });
    expect(run.finalUrl).toBe(TPP_NOK);
    expect(ok(await connector.getConsentStatus(endpoint, created.consentId)).consentStatus).toBe('rejected');
  });

  it('validUntil passes: the consent expires and data calls get CONSENT_EXPIRED', async () => {
    const tomorrow = new Date(sandbox.clock.now().getTime() + 86_400_000).toISOString().slice(0, 10);
    const created = ok(await connector.createConsent(endpoint, consentFor(tomorrow)));
    await driveSca(created.scaRedirectUrl, { credentials: seedCredentials[bank], decision: 'approve' });
    expect(
      ok(await connector.listAccounts(endpoint, created.consentId, { withBalance: false })).length,
    ).toBeGreaterThan(0);
    sandbox.clock.advance(2 * 86_400_000);
    try {
      expect(ok(await connector.getConsentStatus(endpoint, created.consentId)).consentStatus).toBe('expired');
      const refused = await connector.listAccounts(endpoint, created.consentId, { withBalance: false });
      expect(refused.ok).toBe(false);
      if (!refused.ok)
        expect(refused.error).toMatchObject({
          kind: 'unauthorized',
          httpStatus: 401,
          tppMessages: [{ code: 'CONSENT_EXPIRED' }],
        });
    } finally {
      sandbox.clock.advance(-2 * 86_400_000);
    }
  });

  it('frequencyPerDay: unattended calls beyond it get ACCESS_EXCEEDED; PSU-present calls do not count', async () => {
    const created = ok(await connector.createConsent(endpoint, consentFor('2026-06-01', 2)));
    await driveSca(created.scaRedirectUrl, { credentials: seedCredentials[bank], decision: 'approve' });
    ok(await connector.listAccounts(endpoint, created.consentId, { withBalance: false }));
    ok(await connector.listAccounts(endpoint, created.consentId, { withBalance: false }));
    const third = await connector.listAccounts(endpoint, created.consentId, { withBalance: false });
    expect(third.ok).toBe(false);
    if (!third.ok)
      expect(third.error).toMatchObject({ kind: 'access_exceeded', httpStatus: 429, retryable: false });
    ok(
      await connector.listAccounts(endpoint, created.consentId, {
        withBalance: false,
        psuIpAddress: '198.51.100.7',
      }),
    );
    sandbox.clock.advance(86_400_001);
    ok(await connector.listAccounts(endpoint, created.consentId, { withBalance: false }));
  });

  it('delete: the TPP ends the consent (terminatedByTpp)', async () => {
    const created = ok(await connector.createConsent(endpoint, consentFor()));
    await driveSca(created.scaRedirectUrl, { credentials: seedCredentials[bank], decision: 'approve' });
    ok(await connector.deleteConsent(endpoint, created.consentId));
    expect(ok(await connector.getConsentStatus(endpoint, created.consentId)).consentStatus).toBe(
      'terminatedByTpp',
    );
  });
});

describe.each(bankIds)('%s: injected faults', (bank) => {
  let endpoint: BankEndpoint;
  let consentId: string;
  const psu = { rzb_ro: '9999999998', bt_ro: 'testbt', cec_ro: 'testcecapi' }[bank];
  beforeAll(async () => {
    endpoint = sandbox.endpoint(bank);
    const created = ok(await connector.createConsent(endpoint, consentFor('2026-06-01', 100)));
    await driveSca(created.scaRedirectUrl, { credentials: seedCredentials[bank], decision: 'approve' });
    consentId = created.consentId;
  });

  it('HTTP 500 once on a read: retried, then succeeds', async () => {
    await sandbox.running.bank.faults.add({
      bank,
      kind: 'http_error',
      httpStatus: 500,
      operation: 'getConsentStatus',
      times: 1,
    });
    expect(ok(await connector.getConsentStatus(endpoint, consentId)).consentStatus).toBe('valid');
    expect(recorder.exchanges.filter((e) => e.url.endsWith('/status')).map((e) => e.status)).toEqual([
      500, 200,
    ]);
  });

  it('HTTP 503 on a write: not retried, unavailable and retryable', async () => {
    await sandbox.running.bank.faults.add({
      bank,
      kind: 'http_error',
      httpStatus: 503,
      operation: 'createConsent',
      psuId: undefined,
    });
    const result = await connector.createConsent(endpoint, consentFor());
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error).toMatchObject({ kind: 'unavailable', httpStatus: 503, retryable: true });
    expect(recorder.exchanges.length).toBe(1);
  });

  it('a response slower than the connector timeout: timeout', async () => {
    await sandbox.running.bank.faults.add({
      bank,
      kind: 'slow',
      delayMs: 700,
      operation: 'getConsentStatus',
    });
    const quick = createNextGenPsd2Connector({
      onExchange: recorder.onExchange,
      qsealc: pki.qsealc,
      maxAttempts: 2,
      backoffBaseMs: 10,
    });
    try {
      const started = Date.now();
      const result = await quick.getConsentStatus({ ...endpoint, timeoutMs: 250 }, consentId);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatchObject({ kind: 'timeout', retryable: true });
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await quick.close();
    }
  });

  it('429 with Retry-After: waited for, then succeeds; a long one comes back as rate_limited', async () => {
    await sandbox.running.bank.faults.add({
      bank,
      kind: 'rate_limit',
      retryAfterSeconds: 1,
      operation: 'getAccountList',
      times: 1,
    });
    const started = Date.now();
    ok(await connector.listAccounts(endpoint, consentId, { withBalance: false }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);

    await sandbox.running.bank.faults.add({
      bank,
      kind: 'rate_limit',
      retryAfterSeconds: 120,
      operation: 'getAccountList',
      times: 1,
    });
    const limited = await connector.listAccounts(endpoint, consentId, { withBalance: false });
    expect(limited.ok).toBe(false);
    if (!limited.ok)
      expect(limited.error).toMatchObject({
        kind: 'rate_limited',
        httpStatus: 429,
        retryable: true,
        retryAfterSeconds: 120,
      });
  });

  it('malformed JSON: invalid_response (and the conformance check flags it)', async () => {
    await sandbox.running.bank.faults.add({
      bank,
      kind: 'malformed',
      operation: 'getConsentStatus',
      times: 1,
    });
    const result = await connector.getConsentStatus(endpoint, consentId);
    expect(!result.ok && result.error.kind).toBe('invalid_response');
    const bad = recorder.exchanges.filter(isInjectedFault);
    expect(bad.length).toBe(1);
    expect(await recorder.violations((ex) => !isInjectedFault(ex))).toEqual([
      expect.stringContaining('not valid JSON'),
    ]);
  });

  it('consent revoked by the PSU: data calls are refused, status revokedByPsu', async () => {
    const created = ok(await connector.createConsent(endpoint, consentFor()));
    await driveSca(created.scaRedirectUrl, { credentials: seedCredentials[bank], decision: 'approve' });
    await sandbox.running.bank.faults.add({ bank, kind: 'revoke_consent', psuId: psu, times: 1 });
    const refused = await connector.listAccounts(endpoint, created.consentId, { withBalance: false });
    expect(refused.ok).toBe(false);
    if (!refused.ok)
      expect(refused.error).toMatchObject({
        kind: 'unauthorized',
        tppMessages: [{ code: 'CONSENT_INVALID' }],
      });
    expect(ok(await connector.getConsentStatus(endpoint, created.consentId)).consentStatus).toBe(
      'revokedByPsu',
    );
  });
});
