import { type Selectable, sql } from 'kysely';
import type { BankAccount } from '../connectors/index.js';
import type { Ids } from '../shared/ids.js';
import type { AisAccountsTable, AisBalancesTable, AisTransactionsTable } from './ais.schema.js';
import type { NormalizedBalance } from './balance-types.js';
import type { Db } from './consent.repository.js';

export type AccountRow = Selectable<AisAccountsTable>;
export type BalanceRow = Selectable<AisBalancesTable>;
export type TransactionRow = Selectable<AisTransactionsTable>;
/** A listed transaction: timestamps come formatted by the database (ISO 8601, UTC, milliseconds). */
export type ListedTransaction = Omit<TransactionRow, 'inserted_at' | 'updated_at'> & {
  inserted_at: string;
  updated_at: string;
};

/** Timestamps formatted where they are stored: no Date is built and thrown away per row on the hottest read. */
const ISO_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const listColumns =
  sql.raw(`id, consent_id, account_id, utx_id, bank_transaction_id, entry_reference, status, amount,
  currency, credit_debit_indicator, booking_date, value_date, sort_date, counterparty_name, counterparty_iban,
  remittance_information, bank_transaction_code, replaced_utx_id, job_id,
  to_char(inserted_at AT TIME ZONE 'UTC', ${ISO_UTC}) AS inserted_at,
  to_char(updated_at AT TIME ZONE 'UTC', ${ISO_UTC}) AS updated_at`);

/** ISO 20022 cash account types → the FinqLink/OBIE-style sub-type names clients filter on. */
const subTypes: Readonly<Record<string, string>> = {
  CACC: 'CurrentAccount',
  CASH: 'CurrentAccount',
  SVGS: 'Savings',
  CARD: 'CreditCard',
  LOAN: 'Loan',
  MOMA: 'MoneyMarket',
  TRAN: 'CurrentAccount',
};

export async function upsertAccounts(
  db: Db,
  ids: Ids,
  input: { consentId: string; providerId: string; jobId: string; now: Date },
  accounts: readonly BankAccount[],
): Promise<{ rows: AccountRow[]; inserted: number; updated: number }> {
  if (accounts.length === 0) return { rows: [], inserted: 0, updated: 0 };
  const rows = await db
    .insertInto('ais_accounts')
    .values(
      accounts.map((a) => ({
        id: ids.uuid(),
        consent_id: input.consentId,
        provider_id: input.providerId,
        bank_resource_id: a.resourceId,
        iban: a.iban ?? null,
        bic: a.bic ?? null,
        currency: a.currency,
        name: a.name ?? null,
        owner_name: a.ownerName ?? null,
        account_type: a.product ?? null,
        account_sub_type: a.cashAccountType ? (subTypes[a.cashAccountType] ?? a.cashAccountType) : null,
        cash_account_type: a.cashAccountType ?? null,
        last_job_id: input.jobId,
        created_at: input.now,
        updated_at: input.now,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['consent_id', 'bank_resource_id']).doUpdateSet((eb) => ({
        iban: eb.ref('excluded.iban'),
        bic: eb.ref('excluded.bic'),
        currency: eb.ref('excluded.currency'),
        name: eb.ref('excluded.name'),
        owner_name: eb.ref('excluded.owner_name'),
        account_type: eb.ref('excluded.account_type'),
        account_sub_type: eb.ref('excluded.account_sub_type'),
        cash_account_type: eb.ref('excluded.cash_account_type'),
        last_job_id: eb.ref('excluded.last_job_id'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .returningAll()
    .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
    .execute();
  const inserted = rows.filter((r) => r.inserted).length;
  return { rows: rows.map(({ inserted: _i, ...r }) => r), inserted, updated: rows.length - inserted };
}

/** Accounts the job stored (a resumed job continues with these). */
export async function accountsOfJob(db: Db, consentId: string, jobId: string): Promise<AccountRow[]> {
  return db
    .selectFrom('ais_accounts')
    .selectAll()
    .where('consent_id', '=', consentId)
    .where('last_job_id', '=', jobId)
    .orderBy('created_at')
    .orderBy('iban')
    .orderBy('bank_resource_id')
    .execute();
}

export async function insertBalanceSnapshot(
  db: Db,
  ids: Ids,
  input: { consentId: string; accountId: string; jobId: string; now: Date },
  balances: readonly NormalizedBalance[],
): Promise<number> {
  if (balances.length === 0) return 0;
  const rows = await db
    .insertInto('ais_balances')
    .values(
      balances.map((b) => ({
        id: ids.uuid(),
        consent_id: input.consentId,
        account_id: input.accountId,
        job_id: input.jobId,
        type: b.type,
        bank_type: b.bankType,
        amount: b.amount,
        currency: b.currency,
        credit_debit_indicator: b.creditDebitIndicator,
        credit_limit_included: b.creditLimitIncluded,
        reference_date: b.referenceDate,
        reference_timestamp: b.referenceTimestamp,
        created_at: input.now,
      })),
    )
    // A resumed job writes the same snapshot again: keep the first.
    .onConflict((oc) => oc.columns(['account_id', 'job_id', 'type']).doNothing())
    .returning('seq')
    .execute();
  return rows.length;
}

export interface AccountFilter {
  currency?: string | undefined;
  accountType?: string | undefined;
  accountSubType?: string | undefined;
}

export async function listAccounts(db: Db, consentId: string, f: AccountFilter): Promise<AccountRow[]> {
  let q = db.selectFrom('ais_accounts').selectAll().where('consent_id', '=', consentId);
  if (f.currency) q = q.where('currency', '=', f.currency);
  if (f.accountType) q = q.where('account_type', '=', f.accountType);
  if (f.accountSubType) q = q.where('account_sub_type', '=', f.accountSubType);
  // Accounts of one job arrive in one insert: IBAN order keeps the list stable.
  return q.orderBy('created_at').orderBy('iban').orderBy('bank_resource_id').execute();
}

/** Each account's most recent snapshot (the one its latest job stored). */
export async function latestBalances(db: Db, accountIds: readonly string[]): Promise<BalanceRow[]> {
  if (accountIds.length === 0) return [];
  return db
    .selectFrom('ais_balances as b')
    .selectAll('b')
    .where('b.account_id', 'in', accountIds)
    .where(({ eb, selectFrom }) =>
      eb(
        'b.job_id',
        '=',
        selectFrom('ais_balances as l')
          .select('l.job_id')
          .whereRef('l.account_id', '=', 'b.account_id')
          .orderBy('l.seq', 'desc')
          .limit(1),
      ),
    )
    .orderBy('b.seq')
    .execute();
}

export interface BalanceFilter {
  accountId?: string | undefined;
  type?: string | undefined;
  currency?: string | undefined;
}

export async function listBalances(
  db: Db,
  consentId: string,
  f: BalanceFilter,
  afterSeq: string | undefined,
  limit: number,
): Promise<BalanceRow[]> {
  let q = db.selectFrom('ais_balances').selectAll().where('consent_id', '=', consentId);
  if (f.accountId) q = q.where('account_id', '=', f.accountId);
  if (f.type) q = q.where('type', '=', f.type);
  if (f.currency) q = q.where('currency', '=', f.currency);
  if (afterSeq !== undefined) q = q.where('seq', '<', afterSeq);
  return q.orderBy('seq', 'desc').limit(limit).execute();
}

export interface TransactionFilter {
  accountId?: string | undefined;
  currency?: string | undefined;
  status?: 'booked' | 'pending' | undefined;
  creditDebitIndicator?: 'credit' | 'debit' | undefined;
  amount: { op: '=' | '>' | '>=' | '<' | '<='; value: string }[];
  sortDate: { op: '=' | '>' | '>=' | '<' | '<='; value: string }[];
  updated: { op: '>=' | '<='; value: Date }[];
  /** When Ferry stored the row; optional (FinqLink does not filter on it). */
  inserted?: { op: '=' | '>' | '>=' | '<' | '<='; value: Date }[];
}

/**
 * The page query as plain SQL (it runs on every page of the hottest endpoint, so no query builder per call):
 * conditions AND-ed, then the keyset, newest booking date first.
 */
function transactionsQuery(
  consentId: string,
  f: TransactionFilter,
  after: { sortDate: string; id: string } | undefined,
  limit: number,
) {
  const where = [sql`consent_id = ${consentId}::uuid`];
  if (f.accountId) where.push(sql`account_id = ${f.accountId}::uuid`);
  if (f.currency) where.push(sql`currency = ${f.currency}`);
  if (f.status) where.push(sql`status = ${f.status}`);
  if (f.creditDebitIndicator) where.push(sql`credit_debit_indicator = ${f.creditDebitIndicator}`);
  for (const a of f.amount) where.push(sql`amount ${sql.raw(a.op)} ${a.value}::numeric`);
  for (const d of f.sortDate) where.push(sql`sort_date ${sql.raw(d.op)} ${d.value}::date`);
  for (const u of f.updated) where.push(sql`updated_at ${sql.raw(u.op)} ${u.value}::timestamptz`);
  for (const i of f.inserted ?? []) where.push(sql`inserted_at ${sql.raw(i.op)} ${i.value}::timestamptz`);
  if (after) where.push(sql`(sort_date, id) < (${after.sortDate}::date, ${after.id}::uuid)`);
  return sql<ListedTransaction>`SELECT ${listColumns} FROM ais_transactions WHERE ${sql.join(where, sql` AND `)}
    ORDER BY sort_date DESC, id DESC LIMIT ${limit}`;
}

export async function listTransactions(
  db: Db,
  consentId: string,
  f: TransactionFilter,
  after: { sortDate: string; id: string } | undefined,
  limit: number,
): Promise<ListedTransaction[]> {
  return (await transactionsQuery(consentId, f, after, limit).execute(db)).rows;
}

/** Deletes a consent's cached data (transactions, balances, accounts); the consent and its jobs stay. */
export async function deleteConsentData(db: Db, consentId: string): Promise<number> {
  const tx = await db.deleteFrom('ais_transactions').where('consent_id', '=', consentId).executeTakeFirst();
  await db.deleteFrom('ais_balances').where('consent_id', '=', consentId).execute();
  const accounts = await db.deleteFrom('ais_accounts').where('consent_id', '=', consentId).executeTakeFirst();
  return Number(tx.numDeletedRows) + Number(accounts.numDeletedRows);
}
