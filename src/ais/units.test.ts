import { describe, expect, it } from 'vitest';
import type { BankBalance, BankTransaction } from '../connectors/index.js';
import { bankError } from '../connectors/test-support/fake-bank.js';
import { mapBalanceType, normalizeBalances } from './balance-types.js';
import { consentSignal } from './bank-call.js';
import { parseTransactionFilter } from './data.service.js';
import { parseFilterAmount, splitSigned } from './money.js';
import { normalizeTransaction } from './transaction-normalize.js';
import { accountKeyOf, createBankKeyer, utxId } from './utx.js';
import { createUuid7 } from './uuid7.js';

const balance = (balanceType: string, amount: string): BankBalance => ({
  balanceType,
  amount: { amount, currency: 'RON' },
  creditLimitIncluded: undefined,
  referenceDate: undefined,
  lastChangeDateTime: undefined,
});

describe('amounts', () => {
  it.each([
    ['12.50', '12.50', 'credit'],
    ['-12.50', '12.50', 'debit'],
    ['+7', '7', 'credit'],
    ['-0.00', '0.00', 'credit'],
    ['007.1', '7.1', 'credit'],
    ['-123456789012345678.12345678', '123456789012345678.12345678', 'debit'],
  ])('%s → %s %s', (input, amount, cdi) => {
    expect(splitSigned(input)).toEqual({ amount, creditDebitIndicator: cdi });
  });
  it.each(['', '1,5', '1e3', 'abc', '--1', '1.123456789'])('rejects %j', (bad) => {
    expect(splitSigned(bad)).toBeUndefined();
  });
  it('filter amounts: strings or finite numbers, never exponents', () => {
    expect(parseFilterAmount('4.27')).toBe('4.27');
    expect(parseFilterAmount(Number('4.2700000000000001'))).toBe('4.27');
    expect(parseFilterAmount(1e21)).toBeUndefined();
    expect(parseFilterAmount(Number.NaN)).toBeUndefined();
    expect(parseFilterAmount('01.5')).toBeUndefined();
    expect(parseFilterAmount(true)).toBeUndefined();
  });
});

describe('balance types', () => {
  it('maps NextGenPSD2 types to the seed names', () => {
    expect(mapBalanceType('closingBooked')).toBe('closing_booked');
    expect(mapBalanceType('interimAvailable')).toBe('interim_available');
    expect(mapBalanceType('forwardAvailable')).toBe('forward_available');
    expect(mapBalanceType('openingBooked')).toBe('opening_booked');
    expect(mapBalanceType('somethingNew')).toBe('something_new');
  });
  it('always adds available (best source first) and closing when the bank has a closing balance', () => {
    const only = normalizeBalances([balance('closingBooked', '-5.00')]);
    expect(only.map((b) => [b.type, b.amount, b.creditDebitIndicator])).toEqual([
      ['available', '5.00', 'debit'],
      ['closing_booked', '5.00', 'debit'],
      ['closing', '5.00', 'debit'],
    ]);
    const rich = normalizeBalances([
      balance('expected', '9'),
      balance('interimAvailable', '8'),
      balance('closingCleared', '7'),
    ]);
    expect(rich.find((b) => b.type === 'available')!.amount).toBe('8');
    expect(rich.find((b) => b.type === 'closing')!.amount).toBe('7');
    expect(normalizeBalances([balance('interimBooked', '3')]).some((b) => b.type === 'closing')).toBe(false);
    expect(() => normalizeBalances([])).toThrow();
  });
});

describe('utx_id', () => {
  const line = (over: Partial<BankTransaction> = {}): BankTransaction => ({
    transactionId: undefined,
    entryReference: undefined,
    status: 'booked',
    amount: { amount: '-1.00', currency: 'RON' },
    bookingDate: '2026-01-01',
    valueDate: '2026-01-01',
    creditorName: 'X',
    creditorIban: undefined,
    debtorName: undefined,
    debtorIban: undefined,
    remittanceInformationUnstructured: 'r',
    bankTransactionCode: undefined,
    ...over,
  });
  it('is the bank id of the line, for one provider and account (IBAN, whatever the consent)', () => {
    const key = accountKeyOf({ iban: 'ro49 aaaa 1b31 0075 9384 0000', bankResourceId: 'acc-1' });
    expect(key).toBe(accountKeyOf({ iban: 'RO49AAAA1B31007593840000', bankResourceId: 'other-id' }));
    const a = utxId('bt_ro', key, createBankKeyer()(line({ transactionId: 'T1' })));
    expect(a).toBe(utxId('bt_ro', key, createBankKeyer()(line({ transactionId: 'T1', status: 'pending' }))));
    expect(a).not.toBe(utxId('cec_ro', key, createBankKeyer()(line({ transactionId: 'T1' }))));
    expect(a).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });
  it('falls back to the entry reference, then to the content with its position among identical lines', () => {
    const k = createBankKeyer();
    expect(k(line({ entryReference: 'E9' }))).toBe('er:E9');
    const first = k(line());
    const second = k(line());
    expect(first).not.toBe(second);
    const again = createBankKeyer();
    expect([again(line()), again(line())]).toEqual([first, second]);
  });
  it('normalises a line: unsigned amount, counterparty by direction, sort date', () => {
    const out = normalizeTransaction(
      line({ status: 'pending', bookingDate: undefined, valueDate: '2026-01-03' }),
      'u',
      '2026-01-05',
    )!;
    expect(out).toMatchObject({
      amount: '1.00',
      creditDebitIndicator: 'debit',
      counterpartyName: 'X',
      bookingDate: null,
      sortDate: '2026-01-03',
    });
    expect(
      normalizeTransaction(line({ amount: { amount: 'x', currency: 'RON' } }), 'u', '2026-01-05'),
    ).toBeUndefined();
    expect(
      normalizeTransaction(line({ bookingDate: 'garbage', valueDate: undefined }), 'u', '2026-01-05')!
        .sortDate,
    ).toBe('2026-01-05');
  });
});

describe('filters and bank errors', () => {
  it('turns date-times into whole-day bounds the index can use', () => {
    const f = parseTransactionFilter({
      booking_date_gte: '2026-01-01T10:00:00Z',
      booking_date_lt: '2026-01-05T00:00:00Z',
      booking_date_gt: '2026-01-02T00:00:00+02:00',
    });
    expect(f.sortDate).toEqual([
      { op: '>=', value: '2026-01-02' },
      { op: '>', value: '2026-01-01' },
      { op: '<', value: '2026-01-05' },
    ]);
  });
  it('reads what a bank error says about the consent itself (blocked, or possibly ended)', () => {
    expect(
      consentSignal(
        bankError({ kind: 'rejected', tppMessages: [{ category: 'ERROR', code: 'SERVICE_BLOCKED' }] }),
      ),
    ).toBe('suspended');
    expect(consentSignal(bankError({ kind: 'unauthorized' }))).toBe('check_status');
    expect(consentSignal(bankError({ kind: 'unavailable' }))).toBeUndefined();
  });
  it('uuid v7 grow with time', () => {
    let ms = 1_700_000_000_000;
    const next = createUuid7(() => ms);
    const a = next();
    ms += 1;
    const b = next();
    expect(a < b).toBe(true);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
