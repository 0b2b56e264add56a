import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planCounters } from '../../test/support/plan-counters.js';
import type { Database } from '../store/index.js';
import { latestBalances, listTransactions } from './data.repository.js';
import { claimDueJobs } from './job.repository.js';
import { type AisTestApp, createAisTestApp } from './test-support/ais-test-app.js';

// The AIS reads that run on every accounts list, every worker pass and every transactions page, on tables of
// tens of thousands of rows loaded in one burst and never analysed (a server with autovacuum off has no other
// statistics): each must walk an index as far as its answer, not scan or sort the table.

let t: AisTestApp;
let consentId = '';
let clientId = '';
let ron = '';
let eur = '';
beforeAll(async () => {
  t = await createAisTestApp();
  consentId = await t.activeConsent();
  const accounts = await t.store.db
    .selectFrom('ais_accounts')
    .select(['id', 'currency'])
    .where('consent_id', '=', consentId)
    .execute();
  ron = accounts.find((a) => a.currency === 'RON')!.id;
  eur = accounts.find((a) => a.currency === 'EUR')!.id;
  clientId = (
    await t.store.db
      .selectFrom('ais_consents')
      .select('client_id')
      .where('id', '=', consentId)
      .executeTakeFirstOrThrow()
  ).client_id;
});
afterAll(async () => t?.close());

type Table = 'ais_balances' | 'ais_jobs' | 'ais_transactions';

const counters = (tx: Transaction<Database>, table: Table) => planCounters(tx, table);

/**
 * Runs `call` `times` times in one transaction (on PostgreSQL: one connection and one prepared statement, whose
 * plan may turn generic from the 6th execution), after `analyze` if asked, and returns the counters' change over
 * the last call. The transaction rolls back, and the column statistics an ANALYZE gathers go with it; the table's
 * row and page counts (updated in place) stay, which is why the cases without ANALYZE run first.
 */
async function lastOf<T>(
  table: Table,
  times: number,
  call: (tx: Transaction<Database>) => Promise<T>,
  options: { analyze?: boolean } = {},
): Promise<{ result: T; read: number; scans: number }> {
  let run: { result: T; read: number; scans: number } | undefined;
  const rollback = new Error('rollback');
  await t.store.db
    .transaction()
    .execute(async (tx) => {
      if (options.analyze) await sql`ANALYZE ${sql.table(table)}`.execute(tx);
      for (let i = 1; i < times; i++) await call(tx);
      const before = await counters(tx, table);
      const result = await call(tx);
      const after = await counters(tx, table);
      run = { result, read: after.read - before.read, scans: after.scans - before.scans };
      throw rollback;
    })
    .catch((error) => {
      if (error !== rollback) throw error;
    });
  return run!;
}

describe('latestBalances, 30,000 snapshots', () => {
  let newest = '';
  beforeAll(async () => {
    // A history of 30 refreshes of the RON account, then 29,970 snapshots of other accounts stored after it
    // (here the EUR account's): the RON account's newest snapshot lies deep behind the table's newest rows.
    await sql`
      INSERT INTO ais_balances (id, consent_id, account_id, job_id, type, amount, currency, credit_debit_indicator,
                                created_at)
      SELECT gen_random_uuid(), ${consentId}::uuid,
             CASE WHEN n <= 30 THEN ${ron}::uuid ELSE ${eur}::uuid END, gen_random_uuid(), 'closingBooked',
             n, 'RON', 'credit', now()
      FROM generate_series(1, 30000) AS n`.execute(t.store.db);
    newest = (
      await t.store.db
        .selectFrom('ais_balances')
        .select('job_id')
        .where('account_id', '=', ron)
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow()
    ).job_id;
  });

  it("finds an account's newest snapshot at the head of its index range, not by walking the table back", async () => {
    const run = await lastOf('ais_balances', 7, (tx) => latestBalances(tx, [ron]));
    expect(run.result.map((b) => b.job_id)).toEqual([newest]);
    expect(run.scans).toBe(0);
    // The account's 33 snapshots, and one entry per snapshot to find the newest: not the 30,000 rows.
    expect(run.read).toBeLessThanOrEqual(100);
  });
});

describe('claimDueJobs, 30,000 finished jobs', () => {
  let oldest: string[] = [];
  beforeAll(async () => {
    // 200 more consents of the client, each with one unfinished job (at most one per consent), queued after
    // 30,000 finished jobs.
    await sql`
      INSERT INTO ais_consents (id, client_id, mode, web_id, status, flow_type, scope, consent_validity_days,
                                expires_at, created_at, updated_at)
      SELECT gen_random_uuid(), ${clientId}::uuid, 'test', 'runnable-' || n, 'active', 'link', '{accounts}', 90,
             now() + interval '90 days', now(), now()
      FROM generate_series(1, 200) AS n`.execute(t.store.db);
    await sql`
      INSERT INTO ais_jobs (id, consent_id, status, kind, created_at, updated_at)
      SELECT gen_random_uuid(), ${consentId}::uuid,
             (ARRAY['job_completed', 'job_partially_completed', 'job_failed'])[1 + n % 3], 'refresh',
             now() - interval '1 day' + n * interval '1 millisecond', now()
      FROM generate_series(1, 30000) AS n`.execute(t.store.db);
    await sql`
      INSERT INTO ais_jobs (id, consent_id, status, kind, created_at, updated_at)
      SELECT gen_random_uuid(), c.id, 'job_started', 'refresh', now() + row_number() OVER () * interval '1 ms',
             now()
      FROM ais_consents c WHERE c.web_id LIKE 'runnable-%'`.execute(t.store.db);
    oldest = (
      await t.store.db
        .selectFrom('ais_jobs')
        .select('id')
        .where('status', '=', 'job_started')
        .orderBy('created_at')
        .limit(10)
        .execute()
    ).map((j) => j.id);
  });

  it('claims the unfinished jobs oldest first as far as the batch, not reading the finished ones', async () => {
    const now = new Date();
    // A lease that has already ended, so that each of the seven claims finds the same ten jobs due.
    const ended = new Date(now.getTime() - 1);
    const run = await lastOf('ais_jobs', 7, (tx) => claimDueJobs(tx, 'plans', now, ended, 10));
    expect(run.result.map((j) => j.id)).toEqual(oldest);
    expect(run.scans).toBe(0);
    // Each earlier claim in this one transaction left new versions of the ten rows, whose index entries the next
    // claim reads past (about ten per claim): tens of entries, not the 30,000 finished jobs.
    expect(run.read).toBeLessThanOrEqual(100);
  });
});

describe('listTransactions by account, 39,000 transactions', () => {
  beforeAll(async () => {
    // This consent: 27,000 transactions of the RON account and 3,000 of the EUR account, over about five years.
    // Beside it, 300 consents of one account of 30 transactions each: the many small consents and accounts a table
    // holds, which with statistics make the planner expect any one consent's account to be a few rows.
    await sql`
      INSERT INTO ais_consents (id, client_id, mode, web_id, status, flow_type, scope, consent_validity_days,
                                expires_at, created_at, updated_at)
      SELECT gen_random_uuid(), ${clientId}::uuid, 'test', 'small-' || n, 'active', 'link',
             '{accounts,transactions}', 90, now() + interval '90 days', now(), now()
      FROM generate_series(1, 300) AS n`.execute(t.store.db);
    await sql`
      INSERT INTO ais_accounts (id, consent_id, provider_id, bank_resource_id, currency, created_at, updated_at)
      SELECT gen_random_uuid(), c.id, 'bt_ro', 'acc-1', 'RON', now(), now()
      FROM ais_consents c WHERE c.web_id LIKE 'small-%'`.execute(t.store.db);
    await sql`
      INSERT INTO ais_transactions (id, consent_id, account_id, utx_id, status, amount, currency,
                                    credit_debit_indicator, booking_date, sort_date, inserted_at, updated_at)
      SELECT gen_random_uuid(), a.consent_id, a.id, 'bulk-' || n, 'booked', n, 'RON', 'debit',
             date '2024-01-01' + n, date '2024-01-01' + n, now(), now()
      FROM ais_consents c JOIN ais_accounts a ON a.consent_id = c.id, generate_series(1, 30) AS n
      WHERE c.web_id LIKE 'small-%'`.execute(t.store.db);
    await sql`
      INSERT INTO ais_transactions (id, consent_id, account_id, utx_id, status, amount, currency,
                                    credit_debit_indicator, booking_date, sort_date, inserted_at, updated_at)
      SELECT gen_random_uuid(), ${consentId}::uuid, CASE WHEN n % 10 = 0 THEN ${eur}::uuid ELSE ${ron}::uuid END,
             'bulk-' || n, 'booked', n % 500, 'RON', 'debit', date '2020-01-01' + n / 16,
             date '2020-01-01' + n / 16, now(), now()
      FROM generate_series(1, 30000) AS n`.execute(t.store.db);
  });

  const page = (tx: Transaction<Database>, accountId: string) =>
    listTransactions(tx, consentId, { accountId, amount: [], sortDate: [], updated: [] }, undefined, 51);

  // With statistics as well: PostgreSQL's generic plan for the prepared statement (from its 6th execution) expects
  // a consent's account to be a few rows and sorts all of it. PGlite plans every call with its values (no generic
  // plan), where the large account's page walked the consent's index well enough even before this index.
  for (const analyze of [false, true]) {
    for (const [name, account] of [
      ['the large account', () => ron],
      ['the small account', () => eur],
    ] as const) {
      it(`a page of ${name} walks its index range in list order, ${analyze ? 'with' : 'without'} statistics, on the 7th call too`, async () => {
        const run = await lastOf('ais_transactions', 7, (tx) => page(tx, account()), { analyze });
        expect(run.result).toHaveLength(51);
        expect(run.result.every((r) => r.account_id === account())).toBe(true);
        expect(run.scans).toBe(0);
        // The page and the row after it, not the account's thousands of rows sorted.
        expect(run.read).toBeLessThanOrEqual(60);
      });
    }
  }
});
