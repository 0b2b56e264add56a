import { createHash } from 'node:crypto';
import type { BankTransaction } from '../connectors/index.js';

/**
 * utx_id (seed 002): one id per bank transaction, the same across consents and refreshes for the same account.
 * It hashes what the bank itself uses to identify the transaction — provider, account (IBAN when known, it is
 * the same under every consent; else the bank's account id) and the bank's transactionId, else its
 * entryReference, else the content of the line with its position among identical lines of the same fetch.
 * The status is left out on purpose: a bank that keeps the id when a pending line books keeps the utx_id too.
 */
export function utxId(providerId: string, accountKey: string, bankKey: string): string {
  return utxDigest(providerId, accountKey, bankKey).toString('base64');
}

/** The utx_id as its 32 raw bytes (utx_id is their base64). */
export function utxDigest(providerId: string, accountKey: string, bankKey: string): Buffer {
  return createHash('sha256').update(`${providerId}\n${accountKey}\n${bankKey}`).digest();
}

export function accountKeyOf(account: { iban: string | null | undefined; bankResourceId: string }): string {
  return account.iban
    ? `iban:${account.iban.replace(/\s+/g, '').toUpperCase()}`
    : `id:${account.bankResourceId}`;
}

/** Content of a line without an id of its own; identical lines are told apart by `occurrence`. */
export function contentKey(tx: BankTransaction): string {
  return [
    tx.status,
    tx.bookingDate ?? '',
    tx.valueDate ?? '',
    tx.amount.amount,
    tx.amount.currency,
    tx.creditorName ?? '',
    tx.creditorIban ?? '',
    tx.debtorName ?? '',
    tx.debtorIban ?? '',
    tx.remittanceInformationUnstructured ?? '',
  ].join('|');
}

/** Assigns bank keys to one fetch of one account's lines (the occurrence counter spans the whole fetch). */
export function createBankKeyer(): (tx: BankTransaction) => string {
  const seen = new Map<string, number>();
  return (tx) => {
    if (tx.transactionId) return `tx:${tx.transactionId}`;
    if (tx.entryReference) return `er:${tx.entryReference}`;
    const content = contentKey(tx);
    const n = (seen.get(content) ?? 0) + 1;
    seen.set(content, n);
    return `fp:${content}#${n}`;
  };
}
