import { type Kysely, sql } from 'kysely';
import type { BankTransaction } from '../connectors/index.js';
import type { Database } from '../store/index.js';
import { type BulkCopy, type CopyWriter, copyValue } from './bulk-copy.js';
import { splitSigned } from './money.js';
import { createBankKeyer, utxDigest, utxId } from './utx.js';

/** One bank line as Ferry stores it. */
export interface NormalizedTx {
  utxId: string;
  bankTransactionId: string | null;
  entryReference: string | null;
  status: 'booked' | 'pending';
  amount: string;
  currency: string;
  creditDebitIndicator: 'credit' | 'debit';
  bookingDate: string | null;
  valueDate: string | null;
  sortDate: string;
  counterpartyName: string | null;
  counterpartyIban: string | null;
  remittance: string | null;
  code: string | null;
}

export interface IngestCounts {
  inserted: number;
  updated: number;
  pendingReplaced: number;
  pendingRemoved: number;
  skipped: number;
}

export interface IngestContext {
  db: Kysely<Database>;
  consentId: string;
  accountId: string;
  jobId: string;
  providerId: string;
  accountKey: string;
  now: Date;
  /** Today's date (YYYY-MM-DD) for lines without any date. */
  today: string;
  /** Lines stored as pending on or after this date that the bank no longer lists are gone (booked or dropped). */
  pendingFrom: string;
  uuid: () => string;
  batchSize?: number;
  /** PostgreSQL only: a first fetch into an empty account streams its lines with COPY. */
  bulk?: BulkCopy | undefined;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const date = (value: string | undefined): string | null => (value && ISO_DATE.test(value) ? value : null);
const text = (value: string | undefined, max = 1000): string | null =>
  value === undefined || value === '' ? null : value.slice(0, max);

export function normalizeTransaction(
  tx: BankTransaction,
  utx: string,
  today: string,
): NormalizedTx | undefined {
  const split = splitSigned(tx.amount.amount);
  if (!split || !/^[A-Z]{3}$/.test(tx.amount.currency)) return undefined;
  const debit = split.creditDebitIndicator === 'debit';
  const bookingDate = tx.status === 'booked' ? (date(tx.bookingDate) ?? date(tx.valueDate)) : null;
  const valueDate = date(tx.valueDate);
  return {
    utxId: utx,
    bankTransactionId: text(tx.transactionId, 200),
    entryReference: text(tx.entryReference, 200),
    status: tx.status,
    amount: split.amount,
    currency: tx.amount.currency,
    creditDebitIndicator: split.creditDebitIndicator,
    bookingDate,
    valueDate,
    sortDate: bookingDate ?? valueDate ?? date(tx.bookingDate) ?? today,
    counterpartyName: text(
      debit ? (tx.creditorName ?? tx.debtorName) : (tx.debtorName ?? tx.creditorName),
      300,
    ),
    counterpartyIban: text(
      debit ? (tx.creditorIban ?? tx.debtorIban) : (tx.debtorIban ?? tx.creditorIban),
      64,
    ),
    remittance: text(tx.remittanceInformationUnstructured),
    code: text(tx.bankTransactionCode, 100),
  };
}

interface StoredPending {
  id: string;
  utxId: string;
  amount: string;
  currency: string;
  creditDebitIndicator: string;
  valueDate: string | null;
  sortDate: string;
  counterpartyName: string | null;
  remittance: string | null;
}

interface NewBooked {
  id: string;
  tx: NormalizedTx;
  used: boolean;
}

/**
 * Streams one account's bank lines into ais_transactions: batched upserts on (account_id, utx_id) that count
 * what really changed, then the pending reconciliation.
 *
 * The pending → booked rule: a pending row the bank no longer lists (and that was in the fetched window) is
 * matched to a booked line first stored by this fetch with the same amount, currency and direction, the same
 * counterparty name and remittance text (case and spacing ignored, when both sides have them), and the same
 * value date — or, when either lacks one, a booking date 0–10 days after the pending line's date. The pending
 * row then becomes that booked line (its id, utx_id and fields; `replaced_utx_id` keeps the pending utx_id;
 * updated_at moves) and the just-inserted duplicate is deleted: one row. A gone pending row with no match was
 * dropped by the bank and is deleted.
 */
export class TransactionIngest {
  readonly counts: IngestCounts = {
    inserted: 0,
    updated: 0,
    pendingReplaced: 0,
    pendingRemoved: 0,
    skipped: 0,
  };
  readonly #ctx: IngestContext;
  readonly #keyer = createBankKeyer();
  readonly #batchSize: number;
  #buffer = new Map<string, NormalizedTx>();
  #pending: StoredPending[] = [];
  #pendingUtx = new Set<string>();
  #seenPending = new Set<string>();
  #newBooked: NewBooked[] = [];
  /** The account had no rows when the fetch began: its lines are streamed with COPY instead of upserted. */
  #fresh = false;
  #copy: CopyWriter | undefined;
  #copied = 0;
  /** 48-bit prefixes of the utx_ids sent to the COPY: a repeat (or a rare prefix clash) is upserted after it. */
  #copiedKeys = new Set<number>();
  #afterCopy: NormalizedTx[] = [];
  #inFlight: Promise<void> | undefined;
  #failure: unknown;

  constructor(ctx: IngestContext) {
    this.#ctx = ctx;
    this.#batchSize = ctx.batchSize ?? 2000;
  }

  /** Loads the account's stored pending rows; call once before the first page. */
  async start(): Promise<void> {
    const rows = await this.#ctx.db
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
      .where('account_id', '=', this.#ctx.accountId)
      .where('status', '=', 'pending')
      .orderBy('inserted_at')
      .orderBy('id')
      .execute();
    this.#pending = rows.map((r) => ({
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
    this.#pendingUtx = new Set(this.#pending.map((p) => p.utxId));
    if (this.#ctx.bulk && this.#pending.length === 0) {
      const any = await this.#ctx.db
        .selectFrom('ais_transactions')
        .select('id')
        .where('account_id', '=', this.#ctx.accountId)
        .limit(1)
        .executeTakeFirst();
      this.#fresh = !any;
    }
  }

  async add(page: readonly BankTransaction[]): Promise<void> {
    if (this.#fresh && this.#ctx.bulk) return this.#addByCopy(page);
    for (const bankTx of page) {
      const utx = utxId(this.#ctx.providerId, this.#ctx.accountKey, this.#keyer(bankTx));
      const tx = normalizeTransaction(bankTx, utx, this.#ctx.today);
      if (!tx) {
        this.counts.skipped += 1;
        continue;
      }
      if (this.#pendingUtx.has(utx)) this.#seenPending.add(utx);
      // The same line twice in one fetch (overlapping pages): the later copy wins, one upsert per row.
      this.#buffer.set(utx, tx);
      if (this.#buffer.size >= this.#batchSize) await this.flush();
    }
  }

  async #addByCopy(page: readonly BankTransaction[]): Promise<void> {
    let lines = '';
    for (const bankTx of page) {
      const digest = utxDigest(this.#ctx.providerId, this.#ctx.accountKey, this.#keyer(bankTx));
      const tx = normalizeTransaction(bankTx, digest.toString('base64'), this.#ctx.today);
      if (!tx) {
        this.counts.skipped += 1;
        continue;
      }
      const key = digest.readUIntBE(0, 6);
      if (this.#copiedKeys.has(key)) {
        this.#afterCopy.push(tx);
        continue;
      }
      this.#copiedKeys.add(key);
      lines += copyLine(this.#ctx, tx);
      this.#copied += 1;
    }
    if (!lines) return;
    this.#copy ??= await this.#ctx.bulk!.open('ais_transactions', copyColumns);
    await this.#copy.write(lines);
  }

  /** After a failure: an open COPY is abandoned (nothing of it is stored). */
  async abort(error: Error): Promise<void> {
    const copy = this.#copy;
    this.#copy = undefined;
    await copy?.abort(error);
    await this.#inFlight?.catch(() => {});
  }

  /**
   * Starts writing the buffered lines and returns once the previous write is done: one write is always in
   * flight while the next batch is being built, so the database and this process work at the same time.
   */
  async flush(): Promise<void> {
    await this.#settle();
    if (this.#buffer.size === 0) return;
    // Sorted by utx_id, so two writes touching the same keys (a line repeated across pages) lock them in the
    // same order and cannot deadlock.
    const batch = [...this.#buffer.values()].sort((a, b) => (a.utxId < b.utxId ? -1 : 1));
    this.#buffer = new Map();
    this.#inFlight = this.#write(batch).catch((error: unknown) => {
      this.#failure = error;
    });
  }

  async #write(batch: NormalizedTx[]): Promise<void> {
    const track = this.#pending.length > 0;
    const { inserted, updated, rows } = await upsertTransactions(this.#ctx, batch, track);
    this.counts.inserted += inserted;
    this.counts.updated += updated;
    if (!rows) return;
    const byUtx = new Map(batch.map((t) => [t.utxId, t]));
    for (const r of rows) {
      const tx = byUtx.get(r.utx_id);
      if (r.inserted && tx?.status === 'booked') this.#newBooked.push({ id: r.id, tx, used: false });
    }
  }

  async #settle(): Promise<void> {
    const inFlight = this.#inFlight;
    this.#inFlight = undefined;
    await inFlight;
    if (this.#failure !== undefined) {
      const error = this.#failure;
      this.#failure = undefined;
      throw error;
    }
  }

  /** Writes what is left; with `complete` (the bank listed everything) reconciles the pending rows. */
  async finish(complete: boolean): Promise<IngestCounts> {
    if (this.#copy) {
      const copy = this.#copy;
      this.#copy = undefined;
      await copy.end();
      this.counts.inserted += this.#copied;
    }
    this.#fresh = false;
    for (const tx of this.#afterCopy) this.#buffer.set(tx.utxId, tx);
    this.#afterCopy = [];
    await this.flush();
    await this.#settle();
    if (complete) await this.#reconcilePending();
    return this.counts;
  }

  async #reconcilePending(): Promise<void> {
    const gone = this.#pending.filter(
      (p) => !this.#seenPending.has(p.utxId) && p.sortDate >= this.#ctx.pendingFrom,
    );
    for (const p of gone) {
      const match = this.#newBooked.find((b) => !b.used && matches(p, b.tx));
      await this.#ctx.db.transaction().execute(async (trx) => {
        if (!match) {
          await trx.deleteFrom('ais_transactions').where('id', '=', p.id).execute();
          return;
        }
        match.used = true;
        const t = match.tx;
        await trx.deleteFrom('ais_transactions').where('id', '=', match.id).execute();
        await trx
          .updateTable('ais_transactions')
          .set({
            utx_id: t.utxId,
            replaced_utx_id: p.utxId,
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
            job_id: this.#ctx.jobId,
            updated_at: this.#ctx.now,
          })
          .where('id', '=', p.id)
          .execute();
      });
      if (match) {
        this.counts.pendingReplaced += 1;
        this.counts.inserted -= 1;
      } else {
        this.counts.pendingRemoved += 1;
      }
    }
  }
}

const norm = (value: string | null) => (value ?? '').replace(/\s+/g, ' ').trim().toLowerCase();
const canonicalAmount = (value: string) => (value.includes('.') ? value.replace(/\.?0+$/, '') : value);
const DAY_MS = 86_400_000;

function matches(p: StoredPending, b: NormalizedTx): boolean {
  if (canonicalAmount(p.amount) !== canonicalAmount(b.amount)) return false;
  if (p.currency !== b.currency || p.creditDebitIndicator !== b.creditDebitIndicator) return false;
  if (p.remittance && b.remittance && norm(p.remittance) !== norm(b.remittance)) return false;
  if (p.counterpartyName && b.counterpartyName && norm(p.counterpartyName) !== norm(b.counterpartyName))
    return false;
  if (p.valueDate && b.valueDate) return p.valueDate === b.valueDate;
  const booked = b.bookingDate ?? b.sortDate;
  const lag = (Date.parse(booked) - Date.parse(p.sortDate)) / DAY_MS;
  return lag >= 0 && lag <= 10;
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

function copyLine(ctx: IngestContext, t: NormalizedTx): string {
  const now = ctx.now.toISOString();
  const v = copyValue;
  // Built by hand (no per-row arrays): this runs once per line of a long history.
  return (
    `${ctx.uuid()}\t${ctx.consentId}\t${ctx.accountId}\t${t.utxId}\t${v(t.bankTransactionId)}\t` +
    `${v(t.entryReference)}\t${t.status}\t${t.amount}\t${t.currency}\t${t.creditDebitIndicator}\t` +
    `${v(t.bookingDate)}\t${v(t.valueDate)}\t${t.sortDate}\t${v(t.counterpartyName)}\t${v(t.counterpartyIban)}\t` +
    `${v(t.remittance)}\t${v(t.code)}\t${ctx.jobId}\t${now}\t${now}\n`
  );
}

interface UpsertedRow {
  id: string;
  utx_id: string;
  inserted: boolean;
}

/**
 * One statement per batch: unnest the columns, insert, and on a utx_id already stored update only when a
 * field changed (so `updated` counts real changes and updated_at moves only then).
 */
async function upsertTransactions(
  ctx: IngestContext,
  batch: readonly NormalizedTx[],
  returnRows: boolean,
): Promise<{ inserted: number; updated: number; rows?: UpsertedRow[] }> {
  const col = <K extends keyof NormalizedTx>(k: K) => batch.map((t) => t[k]);
  const ids = batch.map(() => ctx.uuid());
  const upsert = sql`
    INSERT INTO ais_transactions (id, consent_id, account_id, utx_id, bank_transaction_id, entry_reference, status,
      amount, currency, credit_debit_indicator, booking_date, value_date, sort_date, counterparty_name,
      counterparty_iban, remittance_information, bank_transaction_code, job_id, inserted_at, updated_at)
    SELECT t.id, ${ctx.consentId}::uuid, ${ctx.accountId}::uuid, t.utx_id, t.bank_transaction_id, t.entry_reference,
      t.status, t.amount, t.currency, t.cdi, t.booking_date, t.value_date, t.sort_date, t.counterparty_name,
      t.counterparty_iban, t.remittance, t.code, ${ctx.jobId}::uuid, ${ctx.now}::timestamptz, ${ctx.now}::timestamptz
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
    const { rows } = await sql<UpsertedRow>`${upsert}`.execute(ctx.db);
    const inserted = rows.filter((r) => r.inserted).length;
    return { inserted, updated: rows.length - inserted, rows };
  }
  const result = await sql<{ inserted: string; updated: string }>`
    WITH up AS (${upsert})
    SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated FROM up`.execute(
    ctx.db,
  );
  const row = result.rows[0];
  return { inserted: Number(row?.inserted ?? 0), updated: Number(row?.updated ?? 0) };
}
