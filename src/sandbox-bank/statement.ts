import { compactOf, dayFromCompact, dayOf, isoOf } from './data/calendar.js';
import { type GeneratedTxn, generateDay } from './data/generator.js';
import type { SandboxAccount } from './data/users.js';

/** A sandbox payment's line on an account (stored), merged with the generated history. */
export interface LedgerLine {
  id: string;
  amountMinor: number;
  currency: string;
  counterpartyName: string;
  counterpartyIban: string | undefined;
  remittance: string | undefined;
  settlesAt: Date;
}

export interface StatementTxn {
  transactionId: string;
  entryReference: string | undefined;
  status: 'booked' | 'pending';
  amountMinor: number;
  currency: string;
  bookingDate: string | undefined;
  valueDate: string;
  counterpartyName: string;
  counterpartyIban: string | undefined;
  remittance: string | undefined;
  code: string;
}

/** Card swipes book up to this many days after the swipe (pending until then). */
const MAX_LAG = 2;
const LEDGER_CODE = 'PMNT-ICDT-ESCT';

const dayCache = new Map<string, GeneratedTxn[]>();
function generated(acc: SandboxAccount, day: number): GeneratedTxn[] {
  if (day < dayOf(acc.openedOn)) return [];
  const key = `${acc.resourceId}:${day}`;
  let lines = dayCache.get(key);
  if (!lines) {
    lines = generateDay(acc, day);
    // A small window is enough: readers walk days in order and look back at most MAX_LAG days.
    if (dayCache.size >= 32) dayCache.delete(dayCache.keys().next().value!);
    dayCache.set(key, lines);
  }
  return lines;
}

const entryRef = (day: number, seq: number) => `${compactOf(day)}${String(seq).padStart(5, '0')}`;

/** Parses an entry reference (or a booked transaction id without its "B") into its day and sequence. */
export function parseEntryRef(ref: string): { day: number; seq: number } | undefined {
  const m = /^(\d{8})(\d{5})$/.exec(ref);
  if (!m) return undefined;
  const day = dayFromCompact(m[1]!);
  return Number.isNaN(day) ? undefined : { day, seq: Number(m[2]) };
}

/** Every line booked on `day` (generated lines first, then sandbox payments settled that day). */
export function bookedOn(acc: SandboxAccount, day: number, ledger: LedgerLine[]): StatementTxn[] {
  const out: StatementTxn[] = [];
  for (let d = day - MAX_LAG; d <= day; d++) {
    for (const g of generated(acc, d)) {
      if (d + g.lag !== day) continue;
      const seq = out.length;
      out.push({
        transactionId: `B${entryRef(day, seq)}`,
        entryReference: entryRef(day, seq),
        status: 'booked',
        amountMinor: g.amountMinor,
        currency: acc.currency,
        bookingDate: isoOf(day),
        valueDate: isoOf(d),
        counterpartyName: g.counterpartyName,
        counterpartyIban: g.counterpartyIban,
        remittance: g.remittance,
        code: g.code,
      });
    }
  }
  for (const l of ledger) {
    const seq = out.length;
    out.push({
      transactionId: `B${entryRef(day, seq)}`,
      entryReference: entryRef(day, seq),
      status: 'booked',
      amountMinor: l.amountMinor,
      currency: l.currency,
      bookingDate: isoOf(day),
      valueDate: isoOf(day),
      counterpartyName: l.counterpartyName,
      counterpartyIban: l.counterpartyIban,
      remittance: l.remittance,
      code: LEDGER_CODE,
    });
  }
  return out;
}

/** Lines swiped but not booked as of `today`; they get a new id once booked, as at real banks. */
export function pendingAt(acc: SandboxAccount, today: number, ledgerPending: LedgerLine[]): StatementTxn[] {
  const out: StatementTxn[] = [];
  for (let d = today - MAX_LAG; d <= today; d++) {
    generated(acc, d).forEach((g, i) => {
      if (d + g.lag <= today) return;
      out.push({
        transactionId: `P${compactOf(d)}${String(i).padStart(5, '0')}`,
        entryReference: undefined,
        status: 'pending',
        amountMinor: g.amountMinor,
        currency: acc.currency,
        bookingDate: undefined,
        valueDate: isoOf(d),
        counterpartyName: g.counterpartyName,
        counterpartyIban: g.counterpartyIban,
        remittance: g.remittance,
        code: g.code,
      });
    });
  }
  for (const l of ledgerPending) {
    out.push({
      transactionId: `P${l.id}L`,
      entryReference: undefined,
      status: 'pending',
      amountMinor: l.amountMinor,
      currency: l.currency,
      bookingDate: undefined,
      valueDate: isoOf(today),
      counterpartyName: l.counterpartyName,
      counterpartyIban: l.counterpartyIban,
      remittance: l.remittance,
      code: LEDGER_CODE,
    });
  }
  return out;
}

const netCache = new Map<string, number>();
/** Net of generated lines booked on `day` (memoised: a day's lines never change). */
function generatedNetOn(acc: SandboxAccount, day: number): number {
  const key = `${acc.resourceId}:${day}`;
  let net = netCache.get(key);
  if (net === undefined) {
    net = 0;
    for (const t of bookedOn(acc, day, [])) net += t.amountMinor;
    netCache.set(key, net);
  }
  return net;
}

export interface BalanceFigures {
  closingBookedMinor: number;
  closingDate: string;
  interimBookedMinor: number;
  interimAvailableMinor: number;
  expectedMinor: number;
}

/**
 * closingBooked: end of yesterday; interimBooked: plus today's bookings; interimAvailable: less pending
 * debits (reserved); expected: plus every pending line.
 */
export function balancesAt(
  acc: SandboxAccount,
  today: number,
  ledgerBooked: { day: number; amountMinor: number }[],
  pending: StatementTxn[],
): BalanceFigures {
  let closing = acc.openingBalanceMinor;
  for (let d = dayOf(acc.openedOn); d < today; d++) closing += generatedNetOn(acc, d);
  let todays = generatedNetOn(acc, today);
  for (const l of ledgerBooked) {
    if (l.day < today) closing += l.amountMinor;
    else if (l.day === today) todays += l.amountMinor;
  }
  const interimBooked = closing + todays;
  let pendingDebits = 0;
  let pendingAll = 0;
  for (const p of pending) {
    pendingAll += p.amountMinor;
    if (p.amountMinor < 0) pendingDebits += p.amountMinor;
  }
  return {
    closingBookedMinor: closing,
    closingDate: isoOf(today - 1),
    interimBookedMinor: interimBooked,
    interimAvailableMinor: interimBooked + pendingDebits,
    expectedMinor: interimBooked + pendingAll,
  };
}
