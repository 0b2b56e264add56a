import type { BankTransaction } from '../connectors/index.js';
import { splitSigned } from './money.js';

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
