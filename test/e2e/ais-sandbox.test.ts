import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeBalances } from '../../src/ais/balance-types.js';
import { openBankConsentId } from '../../src/ais/index.js';
import { splitSigned } from '../../src/ais/money.js';
import type { BankResult, BankTransaction } from '../../src/connectors/types.js';
import type { BankId } from '../../src/sandbox-bank/index.js';
import { driveSca, seedCredentials } from '../../src/sandbox-bank/test-support/sca-driver.js';
import { csrfOf } from '../support/csrf.js';
import { type Stack, startStack } from '../support/stack.js';

/**
 * FinqLink Data end to end over real HTTP, without a browser: consents authorised through the hosted page and
 * the sandbox bank's SCA pages, then accounts, balances and transactions read over the API and compared with
 * what the sandbox bank itself returns for the same bank consent.
 */
let s: Stack;
beforeAll(async () => {
  s = await startStack();
});
afterAll(() => s?.close());

const PSU_PRESENT = { psuIpAddress: '192.0.2.1' };

function ok<T>(r: BankResult<T>): T {
  if (!r.ok) throw new Error(`bank error: ${JSON.stringify(r.error)}`);
  return r.value;
}

async function activeConsent(bank: BankId, body: Record<string, unknown> = {}) {
  const res = await s.api('/ais/consents/create', {
    ais_method: { provider_id: bank },
    options: { redirect_url: 'https://budget.test/done' },
    ...body,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const consentId = res.body.consent_id as string;
  await s.authorizeOverHttp(res.body.web_url as string, `${bank}_ais_sandbox`, bank);
  const consent = await s.waitForConsent(consentId, 'active');
  const row = await s.store.db
    .selectFrom('ais_consents')
    .select('bank_consent_id')
    .where('id', '=', consentId)
    .executeTakeFirstOrThrow();
  return {
    consentId,
    consent,
    bankConsentId: openBankConsentId(s.services.secretBox, row.bank_consent_id!),
    endpoint: s.services.catalogue.bankEndpoint(bank, 'sandbox', s.url),
  };
}

interface Tx {
  utx_id: string;
  account_id: string;
  status: string;
  amount: string;
  credit_debit_indicator: string;
  booking_date: string | null;
  value_date: string | null;
  remittance_information: string | null;
}

async function allTransactions(consentId: string, filter: Record<string, unknown> = {}): Promise<Tx[]> {
  const out: Tx[] = [];
  let after: string | undefined;
  for (;;) {
    const res = await s.api('/ais/transactions/list', {
      consent_id: consentId,
      filter,
      pagination: { limit: 250, ...(after ? { after } : {}) },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    out.push(...(res.body.transactions as Tx[]));
    const p = res.body.pagination as { 'more?': boolean; after: string };
    if (!p['more?']) return out;
    after = p.after;
  }
}

const lineKey = (
  status: string,
  amount: string,
  cdi: string,
  date: string | null,
  remittance: string | null,
) => [status, amount, cdi, date ?? '', remittance ?? ''].join('|');

describe.each(['bt_ro', 'cec_ro', 'rzb_ro'] as const)(
  '%s: full scope through the page and the sandbox SCA',
  (bank) => {
    let c: Awaited<ReturnType<typeof activeConsent>>;
    beforeAll(async () => {
      c = await activeConsent(bank);
    });

    it('accounts and their latest balances match the bank', async () => {
      const res = await s.api('/ais/accounts/list', { consent_id: c.consentId });
      const accounts = res.body.accounts as {
        iban: string;
        currency: string;
        bank_resource_id?: string;
        balances: { type: string; amount: string; credit_debit_indicator: string }[];
      }[];
      const bankAccounts = ok(
        await s.connector.listAccounts(c.endpoint, c.bankConsentId, { withBalance: false, ...PSU_PRESENT }),
      );
      expect(accounts.map((a) => a.iban).sort()).toEqual(bankAccounts.map((a) => a.iban).sort());
      expect(accounts.length).toBeGreaterThanOrEqual(2);
      for (const bankAccount of bankAccounts) {
        const mine = accounts.find((a) => a.iban === bankAccount.iban)!;
        expect(mine.currency).toBe(bankAccount.currency);
        const expected = normalizeBalances(
          ok(await s.connector.getBalances(c.endpoint, c.bankConsentId, bankAccount.resourceId, PSU_PRESENT)),
        );
        expect(mine.balances.map((b) => [b.type, b.amount, b.credit_debit_indicator]).sort()).toEqual(
          expected.map((b) => [b.type, b.amount, b.creditDebitIndicator]).sort(),
        );
        expect(mine.balances.some((b) => b.type === 'available')).toBe(true);
      }
    });

    it('transactions match the bank line for line, each with a unique utx_id', async () => {
      const mine = await allTransactions(c.consentId);
      expect(mine.length).toBeGreaterThan(100);
      expect(new Set(mine.map((t) => t.utx_id)).size).toBe(mine.length);
      const accounts = (await s.api('/ais/accounts/list', { consent_id: c.consentId })).body.accounts as {
        account_id: string;
        iban: string;
      }[];
      const bankAccounts = ok(
        await s.connector.listAccounts(c.endpoint, c.bankConsentId, { withBalance: false, ...PSU_PRESENT }),
      );
      const job = (
        await s.store.db
          .selectFrom('ais_jobs')
          .select('created_at')
          .where('consent_id', '=', c.consentId)
          .executeTakeFirstOrThrow()
      ).created_at;
      const dateFrom = new Date(job.getTime() - 730 * 86_400_000).toISOString().slice(0, 10);
      for (const bankAccount of bankAccounts) {
        const lines: BankTransaction[] = [];
        for await (const page of s.connector.listTransactions(
          c.endpoint,
          c.bankConsentId,
          bankAccount.resourceId,
          { dateFrom, bookingStatus: 'both', pageSize: 5000 },
          PSU_PRESENT,
        )) {
          lines.push(...ok(page));
        }
        const expected = lines
          .map((l) => {
            const split = splitSigned(l.amount.amount)!;
            return lineKey(
              l.status,
              split.amount,
              split.creditDebitIndicator,
              l.status === 'booked' ? (l.bookingDate ?? null) : null,
              l.remittanceInformationUnstructured ?? null,
            );
          })
          .sort();
        const accountId = accounts.find((a) => a.iban === bankAccount.iban)!.account_id;
        const got = mine
          .filter((t) => t.account_id === accountId)
          .map((t) =>
            lineKey(t.status, t.amount, t.credit_debit_indicator, t.booking_date, t.remittance_information),
          )
          .sort();
        expect(got.length, bankAccount.iban).toBe(expected.length);
        expect(got).toEqual(expected);
      }
    });

    it('filters work on real data: debits over 100 in one month are exactly those', async () => {
      const all = await allTransactions(c.consentId);
      const month = all.find((t) => t.booking_date)!.booking_date!.slice(0, 7);
      const from = `${month}-01`;
      const to = `${month}-28`;
      const filtered = await allTransactions(c.consentId, {
        credit_debit_indicator: 'debit',
        gt: '100',
        booking_date_from: from,
        booking_date_to: to,
        status: 'booked',
      });
      const expected = all.filter(
        (t) =>
          t.status === 'booked' &&
          t.credit_debit_indicator === 'debit' &&
          Number(t.amount) > 100 &&
          t.booking_date! >= from &&
          t.booking_date! <= to,
      );
      expect(filtered.map((t) => t.utx_id).sort()).toEqual(expected.map((t) => t.utx_id).sort());
    });
  },
);

describe('bt_ro: accounts and balances only', () => {
  it('stores accounts and balances, no transactions; the job skips transactions_fetching', async () => {
    const c = await activeConsent('bt_ro', { consent: { scope: ['accounts', 'balances'] } });
    const accounts = (await s.api('/ais/accounts/list', { consent_id: c.consentId })).body.accounts as {
      balances: unknown[];
    }[];
    expect(accounts.length).toBe(2);
    for (const a of accounts) expect(a.balances.length).toBeGreaterThanOrEqual(4);
    expect(await allTransactions(c.consentId)).toEqual([]);
    const job = await s.store.db
      .selectFrom('ais_jobs')
      .select(['id', 'status'])
      .where('consent_id', '=', c.consentId)
      .executeTakeFirstOrThrow();
    expect(job.status).toBe('job_completed');
    const events = await s.store.db
      .selectFrom('webhook_events')
      .select('body')
      .where('object_id', '=', job.id)
      .orderBy('created_at')
      .execute();
    expect(events.map((e) => JSON.parse(e.body).status)).toEqual([
      'job_started',
      'accounts_ready',
      'balances_ready',
      'job_completed',
    ]);
  });
});

describe('flows that ask the bank at creation', () => {
  it('direct_sca: the app gets the bank SCA URL, receives the redirect and forwards it to consents/redirect', async () => {
    const res = await s.api('/ais/consents/create', {
      ais_method: { provider_id: 'bt_ro' },
      options: { type: 'direct_sca', redirect_url: 'https://budget.test/bank-return' },
      psu: { ip_address: '203.0.113.7' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const consentId = res.body.consent_id as string;
    expect(String(res.body.web_url).startsWith(`${s.url}/sandbox-bank/bt_ro/`)).toBe(true);
    const run = await driveSca(res.body.web_url as string, {
      credentials: seedCredentials.bt_ro,
      decision: 'approve',
    });
    const back = new URL(run.finalUrl!);
    expect(`${back.origin}${back.pathname}`).toBe('https://budget.test/bank-return');
    expect(back.searchParams.get('consent_id')).toBe(consentId);
    const redirected = await s.api('/ais/consents/redirect', { consent_id: consentId, query: back.search });
    expect(redirected.body.status).toBe('authorized');
    await s.waitForConsent(consentId, 'active');
    const accounts = (await s.api('/ais/accounts/list', { consent_id: consentId })).body
      .accounts as unknown[];
    expect(accounts.length).toBe(2);
  });

  it('wrapped_sca: the page hands the user straight to the bank; a denial fails the consent', async () => {
    const res = await s.api('/ais/consents/create', {
      ais_method: { provider_id: 'cec_ro' },
      options: { type: 'wrapped_sca' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const consentId = res.body.consent_id as string;
    const page = await request(res.body.web_url as string);
    const html = await page.body.text();
    const cookie = String(page.headers['set-cookie'] ?? '').split(';')[0]!;
    const csrf = csrfOf(html);
    const go = await request(`${res.body.web_url as string}/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ csrf }).toString(),
    });
    const sca = /content="0;url=([^"]+)"/.exec(await go.body.text())?.[1]?.replaceAll('&amp;', '&');
    expect(sca).toBeTruthy();
    const run = await driveSca(sca!, { credentials: seedCredentials.cec_ro, decision: 'deny' });
    await (await request(run.finalUrl!)).body.dump();
    const consent = await s.waitForConsent(consentId, 'failed');
    expect(consent.status_reason).toBeTruthy();
  });
});

describe('refresh jobs against the sandbox bank', () => {
  it('a refresh survives 503s and a 429 with Retry-After, and a second consent gets the same utx_ids', async () => {
    const c = await activeConsent('bt_ro');
    // Within the connector's 3 tries of one call (the job adds none of its own).
    await s.sandbox.faults.add({
      bank: 'bt_ro',
      kind: 'http_error',
      httpStatus: 503,
      operation: 'getTransactionList',
      times: 2,
    });
    await s.sandbox.faults.add({
      bank: 'bt_ro',
      kind: 'rate_limit',
      retryAfterSeconds: 1,
      operation: 'getAccountList',
      times: 1,
    });
    const job = await s.api('/ais/jobs/create', { consent_id: c.consentId });
    expect(job.body.status).toBe('job_started');
    const done = await s.waitForJob(c.consentId, job.body.job_id as string);
    expect(done.status, JSON.stringify(done.results)).toBe('job_completed');
    expect((done.results as { errors: unknown[] }).errors).toEqual([]);
    await s.sandbox.faults.clear('bt_ro');

    const second = await activeConsent('bt_ro');
    const a = (await allTransactions(c.consentId)).map((t) => t.utx_id).sort();
    const b = (await allTransactions(second.consentId)).map((t) => t.utx_id).sort();
    expect(b).toEqual(a);
  });

  it("retries in one layer: a bank answering 500 to accounts gets the connector's 3 tries, no more", async () => {
    const c = await activeConsent('bt_ro');
    await s.sandbox.faults.add({
      bank: 'bt_ro',
      kind: 'http_error',
      httpStatus: 500,
      operation: 'getAccountList',
    });
    try {
      const from = s.exchanges.length;
      const job = await s.api('/ais/jobs/create', { consent_id: c.consentId });
      const done = await s.waitForJob(c.consentId, job.body.job_id as string);
      expect(done.status).toBe('job_failed');
      const calls = s.exchanges.slice(from).filter((e) => new URL(e.url).pathname.endsWith('/v1/accounts'));
      expect(calls.map((e) => e.status)).toEqual([500, 500, 500]);
    } finally {
      await s.sandbox.faults.clear('bt_ro');
    }
  });

  it('revocation by the PSU at the bank: the next refresh revokes the consent', async () => {
    const c = await activeConsent('cec_ro');
    expect(await s.sandbox.revokeConsentsOf('cec_ro', 'testcecapi')).toBeGreaterThanOrEqual(1);
    const job = await s.api('/ais/jobs/create', { consent_id: c.consentId });
    const consent = await s.waitForConsent(c.consentId, 'revoked');
    expect(String(consent.status_reason)).toContain('revokedByPsu');
    // The consent ended: its jobs are no longer readable over the API.
    const got = await s.api('/ais/jobs/get', { consent_id: c.consentId, job_id: job.body.job_id });
    expect(got.body.code).toBe('consent_not_active');
    for (let i = 0; i < 50; i++) {
      const r = await s.store.db
        .selectFrom('ais_jobs')
        .select('status')
        .where('id', '=', job.body.job_id as string)
        .executeTakeFirstOrThrow();
      if (r.status === 'job_failed') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const row = await s.store.db
      .selectFrom('ais_jobs')
      .select(['status', 'error'])
      .where('id', '=', job.body.job_id as string)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('job_failed');
  });

  it('consents/revoke deletes the consent at the bank', async () => {
    const c = await activeConsent('rzb_ro');
    const res = await s.api('/ais/consents/revoke', { consent_id: c.consentId });
    expect(res.body.status).toBe('revoked');
    const status = ok(await s.connector.getConsentStatus(c.endpoint, c.bankConsentId));
    expect(status.consentStatus).toBe('terminatedByTpp');
  });
});
