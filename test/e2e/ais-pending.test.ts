import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBankConsentId } from '../../src/ais/index.js';
import { splitSigned } from '../../src/ais/money.js';
import type { BankResult, BankTransaction } from '../../src/connectors/types.js';
import { ManualClock } from '../../src/shared/clock.js';
import { type Stack, startStack } from '../support/stack.js';

/**
 * Pending card payments that book days later, with the sandbox bank's real behaviour: a booked line gets a new
 * transactionId ("P…" → "B…"). Ferry and the bank share one hand-moved clock, so days pass in a second.
 */
describe('pending → booked against the sandbox bank', () => {
  const clock = new ManualClock('2026-03-16T10:00:00Z');
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ clock });
  });
  afterAll(() => s?.close());

  interface Tx {
    transaction_id: string;
    utx_id: string;
    account_id: string;
    status: string;
    amount: string;
    credit_debit_indicator: string;
    booking_date: string | null;
    remittance_information: string | null;
    replaced_utx_id: string | null;
  }

  async function all(consentId: string): Promise<Tx[]> {
    const out: Tx[] = [];
    let after: string | undefined;
    for (;;) {
      const res = await s.api('/ais/transactions/list', {
        consent_id: consentId,
        pagination: { limit: 250, ...(after ? { after } : {}) },
      });
      out.push(...(res.body.transactions as Tx[]));
      const p = res.body.pagination as { 'more?': boolean; after: string };
      if (!p['more?']) return out;
      after = p.after;
    }
  }

  const ok = <T>(r: BankResult<T>): T => {
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    return r.value;
  };

  it('each pending line that books becomes one booked row; nothing is duplicated; the data equals the bank’s', async () => {
    const created = await s.api('/ais/consents/create', { ais_method: { provider_id: 'bt_ro' } });
    const consentId = created.body.consent_id as string;
    await s.authorizeOverHttp(created.body.web_url as string, 'bt_ro_ais_sandbox', 'bt_ro');
    await s.waitForConsent(consentId, 'active');
    const before = await all(consentId);
    const pending = before.filter((t) => t.status === 'pending');
    expect(pending.length).toBeGreaterThan(0);

    clock.advance(3 * 86_400_000);
    const job = await s.api('/ais/jobs/create', { consent_id: consentId });
    const done = await s.waitForJob(consentId, job.body.job_id as string);
    expect(done.status, JSON.stringify(done.results)).toBe('job_completed');
    const counts = (done.results as { transactions: { pending_replaced: number; pending_removed: number } })
      .transactions;
    expect(counts.pending_replaced).toBe(pending.length);
    expect(counts.pending_removed).toBe(0);

    const after = await all(consentId);
    expect(new Set(after.map((t) => t.utx_id)).size).toBe(after.length);
    for (const p of pending) {
      const row = after.find((t) => t.transaction_id === p.transaction_id)!;
      expect(row, p.remittance_information ?? '').toBeDefined();
      expect(row.status).toBe('booked');
      expect(row.replaced_utx_id).toBe(p.utx_id);
      expect(row.utx_id).not.toBe(p.utx_id);
      expect(
        after.filter((t) => t.remittance_information === p.remittance_information && t.amount === p.amount),
      ).toHaveLength(1);
    }

    // The whole history equals what the bank lists today.
    const row = await s.store.db
      .selectFrom('ais_consents')
      .select('bank_consent_id')
      .where('id', '=', consentId)
      .executeTakeFirstOrThrow();
    const endpoint = s.services.catalogue.bankEndpoint('bt_ro', 'sandbox', s.url);
    const present = { psuIpAddress: '192.0.2.1' };
    const accounts = (await s.api('/ais/accounts/list', { consent_id: consentId })).body.accounts as {
      account_id: string;
      iban: string;
    }[];
    const bankAccounts = ok(
      await s.connector.listAccounts(
        endpoint,
        openBankConsentId(s.services.secretBox, row.bank_consent_id!),
        { withBalance: false, ...present },
      ),
    );
    const dateFrom = new Date(Date.parse('2026-03-16') - 730 * 86_400_000).toISOString().slice(0, 10);
    for (const account of bankAccounts) {
      const lines: BankTransaction[] = [];
      for await (const p of s.connector.listTransactions(
        endpoint,
        openBankConsentId(s.services.secretBox, row.bank_consent_id!),
        account.resourceId,
        { dateFrom, bookingStatus: 'both', pageSize: 5000 },
        present,
      ))
        lines.push(...ok(p));
      const want = lines
        .map((l) => {
          const x = splitSigned(l.amount.amount)!;
          return `${l.status}|${l.bookingDate ?? ''}|${x.creditDebitIndicator}|${x.amount}|${l.remittanceInformationUnstructured}`;
        })
        .sort();
      const id = accounts.find((a) => a.iban === account.iban)!.account_id;
      const got = after
        .filter((t) => t.account_id === id)
        .map(
          (t) =>
            `${t.status}|${t.booking_date ?? ''}|${t.credit_debit_indicator}|${t.amount}|${t.remittance_information}`,
        )
        .sort();
      expect(got).toEqual(want);
    }
  });
});
