import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBankConsentId } from './bank-consent-id.js';
import { type AisTestApp, createAisTestApp } from './test-support/ais-test-app.js';

/** What grants access at the bank is not in the database in plain: a dump of every table lacks it. */
let t: AisTestApp;
beforeAll(async () => {
  t = await createAisTestApp();
});
afterAll(() => t?.close());

async function dumpOfEveryTable(): Promise<string> {
  const tables = await sql<{ schema: string; name: string }>`
    SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
    WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema', 'sandbox_bank')
  `.execute(t.store.db);
  const parts: string[] = [];
  for (const { schema, name } of tables.rows) {
    const rows = await sql<{
      row: unknown;
    }>`SELECT row_to_json(x) AS row FROM ${sql.table(`${schema}.${name}`)} x`.execute(t.store.db);
    parts.push(JSON.stringify(rows.rows));
  }
  return parts.join('\n');
}

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

    const dump = await dumpOfEveryTable();
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
