import type { NormalizedTx } from './transaction-normalize.js';

/**
 * The pending → booked rule, without I/O. A pending row the bank no longer lists (and that was in the fetched
 * window) is matched to a booked line first stored by this fetch with the same amount, currency and direction,
 * the same counterparty name and remittance text (case and spacing ignored, when both sides have them), and the
 * same value date — or, when either lacks one, a booking date 0–10 days after the pending line's date. The
 * pending row then becomes that booked line; a gone pending row with no match was dropped by the bank.
 */

/** A pending row as stored, with what the rule compares. */
export interface StoredPending {
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

/** What the rule reads of a booked line. */
export type BookedLine = Pick<
  NormalizedTx,
  | 'amount'
  | 'currency'
  | 'creditDebitIndicator'
  | 'bookingDate'
  | 'valueDate'
  | 'sortDate'
  | 'counterpartyName'
  | 'remittance'
>;

/** What becomes of one gone pending row: replaced by a booked line of this fetch, or removed. */
export interface PendingOutcome<B> {
  pending: StoredPending;
  replacedBy: B | undefined;
}

/** Booked lines may come up to this many days after the pending line's date. */
export const MAX_BOOKING_LAG_DAYS = 10;

const DAY_MS = 86_400_000;
const norm = (value: string | null) => (value ?? '').replace(/\s+/g, ' ').trim().toLowerCase();
/** "12.50" and "12.5" are one amount (banks differ in the scale they send). */
const canonicalAmount = (value: string) => (value.includes('.') ? value.replace(/\.?0+$/, '') : value);

/** Whether the booked line is the pending one, booked. */
export function isBookedPending(p: StoredPending, b: BookedLine): boolean {
  if (canonicalAmount(p.amount) !== canonicalAmount(b.amount)) return false;
  if (p.currency !== b.currency || p.creditDebitIndicator !== b.creditDebitIndicator) return false;
  if (p.remittance && b.remittance && norm(p.remittance) !== norm(b.remittance)) return false;
  if (p.counterpartyName && b.counterpartyName && norm(p.counterpartyName) !== norm(b.counterpartyName))
    return false;
  if (p.valueDate && b.valueDate) return p.valueDate === b.valueDate;
  const booked = b.bookingDate ?? b.sortDate;
  const lag = (Date.parse(booked) - Date.parse(p.sortDate)) / DAY_MS;
  return lag >= 0 && lag <= MAX_BOOKING_LAG_DAYS;
}

/**
 * The gone pending rows of one complete fetch, in stored order, each with the first booked line not yet taken
 * that matches it (one booked line replaces at most one pending row). `listed` holds the utx_ids of pending rows
 * the bank still lists; rows dated before `from` were outside the fetched window and stay.
 */
export function reconcilePending<B extends { tx: BookedLine }>(input: {
  stored: readonly StoredPending[];
  listed: ReadonlySet<string>;
  from: string;
  booked: readonly B[];
}): PendingOutcome<B>[] {
  const taken = new Set<B>();
  const outcomes: PendingOutcome<B>[] = [];
  for (const pending of input.stored) {
    if (input.listed.has(pending.utxId) || pending.sortDate < input.from) continue;
    const replacedBy = input.booked.find((b) => !taken.has(b) && isBookedPending(pending, b.tx));
    if (replacedBy) taken.add(replacedBy);
    outcomes.push({ pending, replacedBy });
  }
  return outcomes;
}
