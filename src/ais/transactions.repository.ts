import { sql, type Transaction } from 'kysely';
import type { Database } from '../store/index.js';
import { type BulkCopy, type CopyWriter, copyValue } from './bulk-copy.js';
import type { Db } from './consent.repository.js';
import type { StoredPending } from './pending-match.js';
import type { NormalizedTx } from './transaction-normalize.js';

/**
 * The writes of a refresh job into ais_transactions (the listing is in data.repository.ts): batched upserts on
 * (account_id, utx_id), the COPY format of a first fetch, and the pending → booked replacement.
 */

/** Where one account's lines of one job go. */
export interface TransactionTarget {
  consentId: string;
  accountId: string;
  jobId: string;
  now: Date;
}

/** The account's pending rows, oldest first (the order the pending → booked rule takes them in). */
export async function listPendingTransactions(db: Db, accountId: string): Promise<StoredPending[]> {
  const rows = await db
    .selectFrom('ais_transactions')
    .select([
      'id',
      'utx_id',
      'amount',
      'currency',
      'credit_debit_indicator',
      'value_date',
      'sort_date',
      'counterparty_name',
      'remittance_information',
    ])
    .where('account_id', '=', accountId)
    .where('status', '=', 'pending')
    .orderBy('inserted_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    utxId: r.utx_id,
    amount: r.amount,
    currency: r.currency,
    creditDebitIndicator: r.credit_debit_indicator,
    valueDate: r.value_date,
    sortDate: r.sort_date,
    counterpartyName: r.counterparty_name,
    remittance: r.remittance_information,
  }));
}

export async function hasTransactions(db: Db, accountId: string): Promise<boolean> {
  const any = await db
    .selectFrom('ais_transactions')
    .select('id')
    .where('account_id', '=', accountId)
    .limit(1)
    .executeTakeFirst();
  return any !== undefined;
}

/** The account's latest booking date (YYYY-MM-DD), where a later job starts its overlap from. */
export async function lastBookedDate(db: Db, accountId: string): Promise<string | null> {
  const last = await db
    .selectFrom('ais_transactions')
    .select(sql<string | null>`max(booking_date)::text`.as('d'))
    .where('account_id', '=', accountId)
    .where('status', '=', 'booked')
    .executeTakeFirst();
  return last?.d ?? null;
}

export interface UpsertedRow {
  id: string;
  utx_id: string;
  inserted: boolean;
}

/**
 * One statement per batch: unnest the columns, insert, and on a utx_id already stored update only when a
 * field changed (so `updated` counts real changes and updated_at moves only then). With `returnRows`, the id of
 * every row written and whether it was inserted; else only the counts (computed by the server).
 */
export async function upsertTransactions(
  db: Db,
  target: TransactionTarget,
  uuid: () => string,
  batch: readonly NormalizedTx[],
  returnRows: boolean,
): Promise<{ inserted: number; updated: number; rows?: UpsertedRow[] }> {
  const col = <K extends keyof NormalizedTx>(k: K) => batch.map((t) => t[k]);
  const ids = batch.map(() => uuid());
  const { consentId, accountId, jobId, now } = target;
  const upsert = sql`
    INSERT INTO ais_transactions (id, consent_id, account_id, utx_id, bank_transaction_id, entry_reference, status,
      amount, currency, credit_debit_indicator, booking_date, value_date, sort_date, counterparty_name,
      counterparty_iban, remittance_information, bank_transaction_code, job_id, inserted_at, updated_at)
    SELECT t.id, ${consentId}::uuid, ${accountId}::uuid, t.utx_id, t.bank_transaction_id, t.entry_reference,
      t.status, t.amount, t.currency, t.cdi, t.booking_date, t.value_date, t.sort_date, t.counterparty_name,
      t.counterparty_iban, t.remittance, t.code, ${jobId}::uuid, ${now}::timestamptz, ${now}::timestamptz
    FROM unnest(${ids}::uuid[], ${col('utxId')}::text[], ${col('bankTransactionId')}::text[],
      ${col('entryReference')}::text[], ${col('status')}::text[], ${col('amount')}::numeric[],
      ${col('currency')}::text[], ${col('creditDebitIndicator')}::text[], ${col('bookingDate')}::date[],
      ${col('valueDate')}::date[], ${col('sortDate')}::date[], ${col('counterpartyName')}::text[],
      ${col('counterpartyIban')}::text[], ${col('remittance')}::text[], ${col('code')}::text[])
      AS t(id, utx_id, bank_transaction_id, entry_reference, status, amount, currency, cdi, booking_date,
           value_date, sort_date, counterparty_name, counterparty_iban, remittance, code)
    ON CONFLICT (account_id, utx_id) DO UPDATE SET
      bank_transaction_id = EXCLUDED.bank_transaction_id, entry_reference = EXCLUDED.entry_reference,
      status = EXCLUDED.status, amount = EXCLUDED.amount, currency = EXCLUDED.currency,
      credit_debit_indicator = EXCLUDED.credit_debit_indicator, booking_date = EXCLUDED.booking_date,
      value_date = EXCLUDED.value_date, sort_date = EXCLUDED.sort_date,
      counterparty_name = EXCLUDED.counterparty_name, counterparty_iban = EXCLUDED.counterparty_iban,
      remittance_information = EXCLUDED.remittance_information,
      bank_transaction_code = EXCLUDED.bank_transaction_code, job_id = EXCLUDED.job_id,
      updated_at = EXCLUDED.updated_at
    WHERE (ais_transactions.bank_transaction_id, ais_transactions.entry_reference, ais_transactions.status,
           ais_transactions.amount, ais_transactions.currency, ais_transactions.credit_debit_indicator,
           ais_transactions.booking_date, ais_transactions.value_date, ais_transactions.counterparty_name,
           ais_transactions.counterparty_iban, ais_transactions.remittance_information,
           ais_transactions.bank_transaction_code)
      IS DISTINCT FROM (EXCLUDED.bank_transaction_id, EXCLUDED.entry_reference, EXCLUDED.status, EXCLUDED.amount,
           EXCLUDED.currency, EXCLUDED.credit_debit_indicator, EXCLUDED.booking_date, EXCLUDED.value_date,
           EXCLUDED.counterparty_name, EXCLUDED.counterparty_iban, EXCLUDED.remittance_information,
           EXCLUDED.bank_transaction_code)
    RETURNING id, utx_id, (xmax = 0) AS inserted`;
  if (returnRows) {
    const { rows } = await sql<UpsertedRow>`${upsert}`.execute(db);
    const inserted = rows.filter((r) => r.inserted).length;
    return { inserted, updated: rows.length - inserted, rows };
  }
  const result = await sql<{ inserted: string; updated: string }>`
    WITH up AS (${upsert})
    SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated FROM up`.execute(
    db,
  );
  const row = result.rows[0];
  return { inserted: Number(row?.inserted ?? 0), updated: Number(row?.updated ?? 0) };
}

export async function deleteTransaction(db: Db, id: string): Promise<void> {
  await db.deleteFrom('ais_transactions').where('id', '=', id).execute();
}

/**
 * The pending row becomes the booked line (its fields and utx_id; `replaced_utx_id` keeps the pending utx_id;
 * updated_at moves), and the row this fetch inserted for that line is deleted: one row. Two statements, so a
 * transaction.
 */
export async function replacePendingTransaction(
  trx: Transaction<Database>,
  pending: { id: string; utxId: string },
  booked: { id: string; tx: NormalizedTx },
  by: { jobId: string; now: Date },
): Promise<void> {
  const t = booked.tx;
  await trx.deleteFrom('ais_transactions').where('id', '=', booked.id).execute();
  await trx
    .updateTable('ais_transactions')
    .set({
      utx_id: t.utxId,
      replaced_utx_id: pending.utxId,
      bank_transaction_id: t.bankTransactionId,
      entry_reference: t.entryReference,
      status: 'booked',
      amount: t.amount,
      currency: t.currency,
      credit_debit_indicator: t.creditDebitIndicator,
      booking_date: t.bookingDate,
      value_date: t.valueDate,
      sort_date: t.sortDate,
      counterparty_name: t.counterpartyName,
      counterparty_iban: t.counterpartyIban,
      remittance_information: t.remittance,
      bank_transaction_code: t.code,
      job_id: by.jobId,
      updated_at: by.now,
    })
    .where('id', '=', pending.id)
    .execute();
}

const copyColumns = [
  'id',
  'consent_id',
  'account_id',
  'utx_id',
  'bank_transaction_id',
  'entry_reference',
  'status',
  'amount',
  'currency',
  'credit_debit_indicator',
  'booking_date',
  'value_date',
  'sort_date',
  'counterparty_name',
  'counterparty_iban',
  'remittance_information',
  'bank_transaction_code',
  'job_id',
  'inserted_at',
  'updated_at',
] as const;

/** COPY ais_transactions FROM STDIN, in the column order of `copyLineOf`. */
export function openTransactionsCopy(bulk: BulkCopy): Promise<CopyWriter> {
  return bulk.open('ais_transactions', copyColumns);
}

/**
 * The COPY text line of one row for `target`. What is the same for every row (ids of the target, the timestamp
 * as text) is formatted once; the returned function runs once per line of a long history, so it builds the line
 * by hand (no per-row arrays).
 */
export function copyLineOf(target: TransactionTarget): (id: string, t: NormalizedTx) => string {
  const head = `\t${target.consentId}\t${target.accountId}\t`;
  const now = target.now.toISOString();
  const tail = `\t${target.jobId}\t${now}\t${now}\n`;
  const v = copyValue;
  return (id, t) =>
    `${id}${head}${t.utxId}\t${v(t.bankTransactionId)}\t` +
    `${v(t.entryReference)}\t${t.status}\t${t.amount}\t${t.currency}\t${t.creditDebitIndicator}\t` +
    `${v(t.bookingDate)}\t${v(t.valueDate)}\t${t.sortDate}\t${v(t.counterpartyName)}\t${v(t.counterpartyIban)}\t` +
    `${v(t.remittance)}\t${v(t.code)}${tail}`;
}
