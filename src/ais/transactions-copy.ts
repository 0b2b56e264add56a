import type { BankTransaction } from '../connectors/index.js';
import type { BulkCopy, CopyWriter } from './bulk-copy.js';
import { type NormalizedTx, normalizeTransaction } from './transaction-normalize.js';
import { copyLineOf, openTransactionsCopy, type TransactionTarget } from './transactions.repository.js';
import { utxDigest } from './utx.js';

export interface TransactionCopyInput {
  bulk: BulkCopy;
  target: TransactionTarget;
  providerId: string;
  accountKey: string;
  /** The fetch's bank keyer (its occurrence counter spans the whole fetch). */
  keyer: (tx: BankTransaction) => string;
  today: string;
  uuid: () => string;
}

/**
 * The COPY buffer of a first fetch into an account with no rows: each page becomes one chunk of COPY text sent
 * as the bank answers (the stream opens with the first line). COPY cannot skip a key it already sent, so a
 * line whose utx_id was seen before (a repeat across pages, or a rare clash of the 48-bit prefix kept to tell
 * them apart) is held back and handed to the upsert once the COPY is committed.
 */
export class TransactionCopy {
  readonly #in: TransactionCopyInput;
  readonly #line: (id: string, t: NormalizedTx) => string;
  #writer: CopyWriter | undefined;
  #copied = 0;
  /** 48-bit prefixes of the utx_ids sent to the COPY. */
  #keys = new Set<number>();
  #repeats: NormalizedTx[] = [];

  constructor(input: TransactionCopyInput) {
    this.#in = input;
    this.#line = copyLineOf(input.target);
  }

  /** Sends one page; returns how many of its lines were skipped (no valid amount or currency). */
  async add(page: readonly BankTransaction[]): Promise<number> {
    const { providerId, accountKey, keyer, today, uuid } = this.#in;
    let skipped = 0;
    let lines = '';
    for (const bankTx of page) {
      const digest = utxDigest(providerId, accountKey, keyer(bankTx));
      const tx = normalizeTransaction(bankTx, digest.toString('base64'), today);
      if (!tx) {
        skipped += 1;
        continue;
      }
      const key = digest.readUIntBE(0, 6);
      if (this.#keys.has(key)) {
        this.#repeats.push(tx);
        continue;
      }
      this.#keys.add(key);
      lines += this.#line(uuid(), tx);
      this.#copied += 1;
    }
    if (!lines) return skipped;
    this.#writer ??= await openTransactionsCopy(this.#in.bulk);
    await this.#writer.write(lines);
    return skipped;
  }

  /** Commits the COPY; returns the rows it stored and the held-back lines, for the upsert. */
  async end(): Promise<{ copied: number; repeats: NormalizedTx[] }> {
    const writer = this.#writer;
    this.#writer = undefined;
    await writer?.end();
    const repeats = this.#repeats;
    this.#repeats = [];
    return { copied: this.#copied, repeats };
  }

  /** After a failure: nothing of the COPY is stored. */
  async abort(error: Error): Promise<void> {
    const writer = this.#writer;
    this.#writer = undefined;
    await writer?.abort(error);
  }
}
