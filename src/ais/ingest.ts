import type { Kysely } from 'kysely';
import type { BankTransaction } from '../connectors/index.js';
import type { Database } from '../store/index.js';
import type { BulkCopy } from './bulk-copy.js';
import { reconcilePending, type StoredPending } from './pending-match.js';
import { type NormalizedTx, normalizeTransaction } from './transaction-normalize.js';
import {
  deleteTransaction,
  hasTransactions,
  listPendingTransactions,
  replacePendingTransaction,
  type TransactionTarget,
  upsertTransactions,
} from './transactions.repository.js';
import { TransactionCopy } from './transactions-copy.js';
import { createBankKeyer, utxId } from './utx.js';

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

/** A booked line first stored by this fetch: a candidate to replace a gone pending row. */
interface NewBooked {
  id: string;
  tx: NormalizedTx;
}

/**
 * Streams one account's bank lines into ais_transactions: batched upserts on (account_id, utx_id) that count
 * what really changed (or, into an account with no rows yet, one COPY: transactions-copy.ts), then the pending
 * reconciliation (the rule is pending-match.ts): a pending row the bank booked becomes the booked line and the
 * row this fetch inserted for that line is deleted (one row); a pending row the bank dropped is deleted.
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
  readonly #target: TransactionTarget;
  readonly #keyer = createBankKeyer();
  readonly #batchSize: number;
  #buffer = new Map<string, NormalizedTx>();
  #pending: StoredPending[] = [];
  #pendingUtx = new Set<string>();
  #seenPending = new Set<string>();
  #newBooked: NewBooked[] = [];
  /** Set while the account had no rows when the fetch began: its lines are streamed with COPY instead. */
  #copy: TransactionCopy | undefined;
  #inFlight: Promise<void> | undefined;
  #failure: unknown;

  constructor(ctx: IngestContext) {
    this.#ctx = ctx;
    this.#target = { consentId: ctx.consentId, accountId: ctx.accountId, jobId: ctx.jobId, now: ctx.now };
    this.#batchSize = ctx.batchSize ?? 2000;
  }

  /** Loads the account's stored pending rows; call once before the first page. */
  async start(): Promise<void> {
    const { db, accountId, bulk } = this.#ctx;
    this.#pending = await listPendingTransactions(db, accountId);
    this.#pendingUtx = new Set(this.#pending.map((p) => p.utxId));
    if (bulk && this.#pending.length === 0 && !(await hasTransactions(db, accountId))) {
      this.#copy = new TransactionCopy({
        bulk,
        target: this.#target,
        providerId: this.#ctx.providerId,
        accountKey: this.#ctx.accountKey,
        keyer: this.#keyer,
        today: this.#ctx.today,
        uuid: this.#ctx.uuid,
      });
    }
  }

  async add(page: readonly BankTransaction[]): Promise<void> {
    if (this.#copy) {
      this.counts.skipped += await this.#copy.add(page);
      return;
    }
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
    const { inserted, updated, rows } = await upsertTransactions(
      this.#ctx.db,
      this.#target,
      this.#ctx.uuid,
      batch,
      track,
    );
    this.counts.inserted += inserted;
    this.counts.updated += updated;
    if (!rows) return;
    const byUtx = new Map(batch.map((t) => [t.utxId, t]));
    for (const r of rows) {
      const tx = byUtx.get(r.utx_id);
      if (r.inserted && tx?.status === 'booked') this.#newBooked.push({ id: r.id, tx });
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
      const { copied, repeats } = await copy.end();
      this.counts.inserted += copied;
      for (const tx of repeats) this.#buffer.set(tx.utxId, tx);
    }
    await this.flush();
    await this.#settle();
    if (complete) await this.#reconcilePending();
    return this.counts;
  }

  async #reconcilePending(): Promise<void> {
    const { db, jobId, now, pendingFrom } = this.#ctx;
    const outcomes = reconcilePending({
      stored: this.#pending,
      listed: this.#seenPending,
      from: pendingFrom,
      booked: this.#newBooked,
    });
    for (const { pending, replacedBy } of outcomes) {
      if (replacedBy) {
        await db
          .transaction()
          .execute((trx) => replacePendingTransaction(trx, pending, replacedBy, { jobId, now }));
        this.counts.pendingReplaced += 1;
        this.counts.inserted -= 1;
      } else {
        await deleteTransaction(db, pending.id);
        this.counts.pendingRemoved += 1;
      }
    }
  }
}
