import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpOfEveryTable } from '../../test/support/db-dump.js';
import { openBankConsentId } from './bank-consent-id.js';
import { type AisTestApp, createAisTestApp } from './test-support/ais-test-app.js';

/** What grants access at the bank is not in the database in plain: a dump of every table lacks it. */
let t: AisTestApp;
beforeAll(async () => {
  t = await createAisTestApp();
});
afterAll(() => t?.close());

describe("the bank's consent id at rest", () => {
  it('is sealed in ais_consents, absent from a dump of every table, and still opens for bank calls', async () => {
    const consentId = await t.activeConsent();
    const bankIds = t.bank.calls.filter((c) => c.op === 'createConsent').length;
    expect(bankIds).toBe(1);
    const plain = 'fake-consent-1';
    // The job ran against the bank with the opened id: accounts are there.
    const accounts = await t.call('/test/ais/accounts/list', { consent_id: consentId });
    expect(accounts.status).toBe(200);
    expect((accounts.body.accounts as unknown[]).length).toBeGreaterThan(0);
    expect(t.bank.calls.some((c) => c.op === 'listAccounts' && c.args.includes(plain))).toBe(true);

    const dump = await dumpOfEveryTable(t.store.db);
    expect(dump).toContain(consentId);
    expect(dump).not.toContain(plain);
    const row = await t.store.db
      .selectFrom('ais_consents')
      .select('bank_consent_id')
      .where('id', '=', consentId)
      .executeTakeFirstOrThrow();
    expect(row.bank_consent_id).toMatch(/^v1\./);
    expect(openBankConsentId(t.services.secretBox, row.bank_consent_id!)).toBe(plain);
  });

  it('a row written before sealing (a plain id) is still read', () => {
    expect(openBankConsentId(t.services.secretBox, 'c0ffee-plain-id')).toBe('c0ffee-plain-id');
  });
});
