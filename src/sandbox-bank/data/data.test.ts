import { describe, expect, it } from 'vitest';
import { balancesAt, bookedOn, pendingAt } from '../statement.js';
import { dayOf, isoOf } from './calendar.js';
import { BENCH_PER_DAY, generateDay } from './generator.js';
import { isValidIban, roIban } from './iban.js';
import { fromMinor, toMinor } from './money.js';
import { sandboxUsers } from './users.js';

const people = sandboxUsers.filter((u) => u.psuId !== 'benchbt');

describe('sandbox users', () => {
  it('have the seed credentials and 2–4 accounts with checksum-valid RO IBANs', () => {
    expect(people.map((u) => `${u.bank}:${u.psuId}`)).toEqual([
      'rzb_ro:9999999998',
      'bt_ro:testbt',
      'cec_ro:testcecapi',
    ]);
    for (const u of people) {
      expect(u.accounts.length).toBeGreaterThanOrEqual(2);
      expect(u.accounts.length).toBeLessThanOrEqual(4);
      for (const a of u.accounts) {
        expect(isValidIban(a.iban)).toBe(true);
        expect(a.iban).toHaveLength(24);
      }
      expect(u.accounts.some((a) => a.currency === 'RON' && a.cashAccountType === 'CACC')).toBe(true);
      expect(u.accounts.some((a) => a.currency === 'EUR' && a.cashAccountType === 'SVGS')).toBe(true);
    }
    const ibans = sandboxUsers.flatMap((u) => u.accounts.map((a) => a.iban));
    expect(ibans).toEqual(
      expect.arrayContaining([
        'RO03RZBR0000069999999999',
        'RO10RZBR0000069999999970',
        'RO42CECEAG0202RON0007466',
      ]),
    );
    expect(new Set(ibans).size).toBe(ibans.length);
    expect(
      sandboxUsers
        .flatMap((u) => u.accounts)
        .filter((a) => a.usage === 'ORGA' && a.profile === 'corporate')
        .map((a) => a.bank),
    ).toEqual(['rzb_ro']);
  });

  it('roIban builds valid IBANs and isValidIban catches a typo', () => {
    expect(roIban('BTRL', 'RONCRT0000123401')).toMatch(/^RO\d{2}BTRLRONCRT0000123401$/);
    expect(isValidIban('RO03RZBR0000069999999998')).toBe(false);
  });
});

describe('generated statements', () => {
  const rzb = sandboxUsers[0]!.accounts[0]!;
  const today = dayOf('2026-03-15');

  it('are deterministic', () => {
    expect(generateDay(rzb, today - 40)).toEqual(generateDay(rzb, today - 40));
    expect(bookedOn(rzb, today - 40, [])).toEqual(bookedOn(rzb, today - 40, []));
  });

  it('hold 12+ months of salary, rent, utilities, card payments, transfers and fees', () => {
    const lines = [];
    for (let d = today - 400; d < today; d++) lines.push(...bookedOn(rzb, d, []));
    const months = new Set(lines.map((l) => l.bookingDate!.slice(0, 7)));
    expect(months.size).toBeGreaterThanOrEqual(13);
    const text = lines.map((l) => l.remittance).join('\n');
    for (const needle of ['SALARIU', 'Chirie', 'ENEL', 'POS KAUFLAND', 'Comision administrare cont'])
      expect(text).toContain(needle);
    expect(lines.filter((l) => l.code === 'PMNT-CCRD-POSD').length).toBeGreaterThan(200);
    expect(new Set(lines.map((l) => l.transactionId)).size).toBe(lines.length);
  });

  it('balances of several types stay plausible; pending lines lower the available balance', () => {
    for (const u of people) {
      for (const a of u.accounts) {
        const pending = pendingAt(a, today, []);
        const b = balancesAt(a, today, [], pending);
        expect(b.closingDate).toBe(isoOf(today - 1));
        expect(b.interimAvailableMinor).toBeLessThanOrEqual(b.interimBookedMinor);
        expect(b.interimBookedMinor).toBeGreaterThan(0);
      }
    }
  });

  it('the benchmark account books 2,750 lines a day (≥ 1,000,000 a year)', () => {
    const bench = sandboxUsers.find((u) => u.psuId === 'benchbt')!.accounts[0]!;
    expect(bookedOn(bench, dayOf('2025-06-01'), [])).toHaveLength(BENCH_PER_DAY);
    expect(BENCH_PER_DAY * 365).toBeGreaterThanOrEqual(1_000_000);
  });
});

describe('money', () => {
  it('parses and prints amounts without floats', () => {
    expect(toMinor('12.5')).toBe(1250);
    expect(toMinor('-0.01')).toBe(-1);
    expect(toMinor('1.005')).toBeUndefined();
    expect(toMinor('1.000')).toBe(100);
    expect(toMinor('abc')).toBeUndefined();
    expect(fromMinor(-1)).toBe('-0.01');
    expect(fromMinor(123456)).toBe('1234.56');
  });
});
