import type { BankBalance } from '../connectors/index.js';
import { splitSigned } from './money.js';

/**
 * NextGenPSD2 balanceType (camelCase) → the seed's snake_case names. Ferry adds two normalised types: `available`
 * (always present) and `closing` (only when the bank gives closingBooked or closingCleared).
 */
export const bankBalanceTypes: Readonly<Record<string, string>> = {
  closingBooked: 'closing_booked',
  closingAvailable: 'closing_available',
  closingCleared: 'closing_cleared',
  expected: 'expected',
  forwardAvailable: 'forward_available',
  information: 'information',
  interimAvailable: 'interim_available',
  interimBooked: 'interim_booked',
  interimCleared: 'interim_cleared',
  openingAvailable: 'opening_available',
  openingBooked: 'opening_booked',
  openingCleared: 'opening_cleared',
  previouslyClosedBooked: 'previously_closed_booked',
  nonInvoiced: 'non_invoiced',
  authorised: 'authorised',
};

/** Which bank balance stands for "available", best first: what the owner can spend now. */
const availableFrom = [
  'interimAvailable',
  'closingAvailable',
  'expected',
  'forwardAvailable',
  'interimBooked',
  'closingBooked',
  'openingBooked',
] as const;
const closingFrom = ['closingCleared', 'closingBooked'] as const;

export interface NormalizedBalance {
  type: string;
  bankType: string | null;
  amount: string;
  currency: string;
  creditDebitIndicator: 'credit' | 'debit';
  creditLimitIncluded: boolean | null;
  referenceDate: string | null;
  referenceTimestamp: string | null;
}

const snake = (camel: string) => camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export function mapBalanceType(bankType: string): string {
  return bankBalanceTypes[bankType] ?? snake(bankType);
}

/**
 * The bank's balances as Ferry stores them: positive amounts with an indicator, one row per type, plus the
 * normalised ones. Throws when the bank sent no usable balance (then there is no `available` to give).
 */
export function normalizeBalances(balances: readonly BankBalance[]): NormalizedBalance[] {
  const byType = new Map<string, NormalizedBalance>();
  for (const b of balances) {
    const split = splitSigned(b.amount.amount);
    if (!split) continue;
    const type = mapBalanceType(b.balanceType);
    if (byType.has(type)) continue;
    byType.set(type, {
      type,
      bankType: b.balanceType,
      amount: split.amount,
      currency: b.amount.currency,
      creditDebitIndicator: split.creditDebitIndicator,
      creditLimitIncluded: b.creditLimitIncluded ?? null,
      referenceDate: b.referenceDate ?? null,
      referenceTimestamp: b.lastChangeDateTime ?? null,
    });
  }
  const pick = (order: readonly string[]) =>
    order.map((t) => byType.get(mapBalanceType(t))).find((b) => b !== undefined);
  const available = pick(availableFrom) ?? [...byType.values()][0];
  if (!available) throw new Error('the bank returned no usable balance');
  const out = [...byType.values()];
  if (!byType.has('available')) out.unshift({ ...available, type: 'available' });
  const closing = pick(closingFrom);
  if (closing && !byType.has('closing')) out.push({ ...closing, type: 'closing' });
  return out;
}
