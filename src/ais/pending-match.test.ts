import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BookedLine,
  isBookedPending,
  type PendingOutcome,
  reconcilePending,
  type StoredPending,
} from './pending-match.js';

const pending = (over: Partial<StoredPending> = {}): StoredPending => ({
  id: 'p1',
  utxId: 'utx-p1',
  amount: '42.10',
  currency: 'RON',
  creditDebitIndicator: 'debit',
  valueDate: null,
  sortDate: '2026-01-01',
  counterpartyName: 'LIDL',
  remittance: 'POS LIDL card 1234',
  ...over,
});

const booked = (over: Partial<BookedLine> = {}): BookedLine => ({
  amount: '42.1',
  currency: 'RON',
  creditDebitIndicator: 'debit',
  bookingDate: '2026-01-03',
  valueDate: null,
  sortDate: '2026-01-03',
  counterpartyName: ' lidl',
  remittance: 'pos  lidl\tcard 1234 ',
  ...over,
});

describe('isBookedPending', () => {
  it.each<[string, Partial<StoredPending>, Partial<BookedLine>, boolean]>([
    ['the same line: scale, case and spacing differ', {}, {}, true],
    // Amounts
    ['another amount', {}, { amount: '42.11' }, false],
    ['trailing zeros of the fraction ignored', { amount: '42.00' }, { amount: '42' }, true],
    ['one zero of scale ignored', { amount: '42.0' }, { amount: '42' }, true],
    ['zeros of the integer part count', { amount: '420' }, { amount: '42' }, false],
    ['100 is not 1', { amount: '100.00' }, { amount: '1' }, false],
    ['100.00 is 100', { amount: '100.00' }, { amount: '100' }, true],
    ['0.10 is 0.1', { amount: '0.10' }, { amount: '0.1' }, true],
    ['zero is zero', { amount: '0.00' }, { amount: '0' }, true],
    // Currency and direction
    ['another currency', {}, { currency: 'EUR' }, false],
    ['the other direction', {}, { creditDebitIndicator: 'credit' }, false],
    // Remittance
    ['another remittance', {}, { remittance: 'POS LIDL card 9999' }, false],
    ['no remittance on the pending line', { remittance: null }, {}, true],
    ['no remittance on the booked line', {}, { remittance: null }, true],
    ['no remittance on either', { remittance: null }, { remittance: null }, true],
    // Counterparty
    ['another counterparty', {}, { counterpartyName: 'Kaufland' }, false],
    ['no counterparty on the pending line', { counterpartyName: null }, {}, true],
    ['no counterparty on the booked line', {}, { counterpartyName: null }, true],
    // Value dates on both sides decide alone
    [
      'same value date, booked a month later',
      { valueDate: '2026-01-01' },
      { valueDate: '2026-01-01', bookingDate: '2026-02-01', sortDate: '2026-02-01' },
      true,
    ],
    [
      'another value date, booked the next day',
      { valueDate: '2026-01-01' },
      { valueDate: '2026-01-02', bookingDate: '2026-01-02', sortDate: '2026-01-02' },
      false,
    ],
    // Else the booking date 0–10 days after the pending line's date
    ['value date on the pending side only', { valueDate: '2025-12-01' }, {}, true],
    ['value date on the booked side only', {}, { valueDate: '2025-12-01' }, true],
    ['booked the same day', {}, { bookingDate: '2026-01-01', sortDate: '2026-01-01' }, true],
    ['booked 10 days later', {}, { bookingDate: '2026-01-11', sortDate: '2026-01-11' }, true],
    ['booked 11 days later', {}, { bookingDate: '2026-01-12', sortDate: '2026-01-12' }, false],
    ['booked the day before', {}, { bookingDate: '2025-12-31', sortDate: '2025-12-31' }, false],
    [
      '10 days across a year end',
      { sortDate: '2025-12-28' },
      { bookingDate: '2026-01-07', sortDate: '2026-01-07' },
      true,
    ],
    ['no booking date: the sort date counts', {}, { bookingDate: null, sortDate: '2026-01-06' }, true],
    ['no booking date, sort date too late', {}, { bookingDate: null, sortDate: '2026-01-12' }, false],
    [
      'the booking date wins over the sort date',
      {},
      { bookingDate: '2026-01-20', sortDate: '2026-01-02' },
      false,
    ],
    ['an unreadable date never matches', { sortDate: 'garbage' }, {}, false],
  ])('%s → %s', (_name, p, b, expected) => {
    expect(isBookedPending(pending(p), booked(b))).toBe(expected);
  });
});

describe('reconcilePending', () => {
  const line = (id: string, over: Partial<BookedLine> = {}) => ({ id, tx: booked(over) });
  const run = (
    stored: StoredPending[],
    bookedLines: { id: string; tx: BookedLine }[],
    listed: string[] = [],
    from = '2025-12-01',
  ) =>
    reconcilePending({ stored, listed: new Set(listed), from, booked: bookedLines }).map((o) => [
      o.pending.id,
      o.replacedBy?.id,
    ]);

  it.each<[string, StoredPending[], { id: string; tx: BookedLine }[], string[], string, unknown[]]>([
    ['nothing stored', [], [line('b1')], [], '2025-12-01', []],
    ['still listed: untouched', [pending()], [line('b1')], ['utx-p1'], '2025-12-01', []],
    ['before the window: untouched', [pending()], [line('b1')], [], '2026-01-02', []],
    [
      'on the first day of the window: reconciled',
      [pending()],
      [line('b1')],
      [],
      '2026-01-01',
      [['p1', 'b1']],
    ],
    ['gone, booked', [pending()], [line('b1')], [], '2025-12-01', [['p1', 'b1']]],
    ['gone, nothing booked', [pending()], [], [], '2025-12-01', [['p1', undefined]]],
    [
      'gone, nothing like it booked',
      [pending()],
      [line('b1', { amount: '1' })],
      [],
      '2025-12-01',
      [['p1', undefined]],
    ],
    [
      'two alike pending, one booked: the older is replaced, the other removed',
      [pending(), pending({ id: 'p2', utxId: 'utx-p2' })],
      [line('b1')],
      [],
      '2025-12-01',
      [
        ['p1', 'b1'],
        ['p2', undefined],
      ],
    ],
    [
      'one pending, two alike booked: the first is taken',
      [pending()],
      [line('b1'), line('b2')],
      [],
      '2025-12-01',
      [['p1', 'b1']],
    ],
    [
      'first fit: an earlier pending takes a line a later one matches too',
      [pending({ remittance: null }), pending({ id: 'p2', utxId: 'utx-p2', remittance: 'rent' })],
      [line('b1', { remittance: 'rent' }), line('b2', { remittance: 'coffee' })],
      [],
      '2025-12-01',
      [
        ['p1', 'b1'],
        ['p2', undefined],
      ],
    ],
    [
      'a listed row does not take a booked line',
      [pending(), pending({ id: 'p2', utxId: 'utx-p2' })],
      [line('b1')],
      ['utx-p1'],
      '2025-12-01',
      [['p2', 'b1']],
    ],
  ])('%s', (_name, stored, bookedLines, listed, from, expected) => {
    expect(run(stored, bookedLines, listed, from)).toEqual(expected);
  });
});

// Small value sets, so that lines often match, half match, or clash.
const day = fc
  .integer({ min: -3, max: 14 })
  .map((d) => new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10));
const amount = fc.constantFrom('1', '1.0', '1.50', '1.5', '2', '10');
const currency = fc.constantFrom('RON', 'EUR');
const direction = fc.constantFrom<'credit' | 'debit'>('credit', 'debit');
const name = fc.constantFrom(null, 'LIDL', ' lidl', 'Kaufland');
const remittance = fc.constantFrom(null, 'coffee', 'COFFEE ', 'rent');

const storedArb = fc
  .array(
    fc.record({
      amount,
      currency,
      creditDebitIndicator: direction,
      valueDate: fc.option(day, { nil: null }),
      sortDate: day,
      counterpartyName: name,
      remittance,
    }),
    { maxLength: 8 },
  )
  .map((rows) => rows.map((r, i): StoredPending => ({ ...r, id: `p${i}`, utxId: `utx-p${i}` })));

const bookedArb = fc
  .array(
    fc.record({
      amount,
      currency,
      creditDebitIndicator: direction,
      bookingDate: fc.option(day, { nil: null }),
      valueDate: fc.option(day, { nil: null }),
      sortDate: day,
      counterpartyName: name,
      remittance,
    }),
    { maxLength: 8 },
  )
  .map((rows) => rows.map((tx, i) => ({ id: `b${i}`, tx })));

const inputArb = fc
  .record({
    stored: storedArb,
    booked: bookedArb,
    from: day,
    listedMask: fc.array(fc.boolean(), { maxLength: 8 }),
  })
  .map(({ stored, booked: b, from, listedMask }) => ({
    stored,
    booked: b,
    from,
    listed: new Set(stored.filter((_, i) => listedMask[i]).map((p) => p.utxId)),
  }));

describe('reconcilePending properties', () => {
  it('decides every gone row once, in stored order, and nothing else', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const outcomes = reconcilePending(input);
        const gone = input.stored.filter((p) => !input.listed.has(p.utxId) && p.sortDate >= input.from);
        expect(outcomes.map((o) => o.pending)).toEqual(gone);
      }),
      { numRuns: 500 },
    );
  });

  it('uses a booked line at most once, only for a row it matches, and always the first one free (first fit)', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const outcomes: PendingOutcome<(typeof input.booked)[number]>[] = reconcilePending(input);
        const taken = new Set<unknown>();
        for (const { pending: p, replacedBy } of outcomes) {
          const free = input.booked.filter((b) => !taken.has(b) && isBookedPending(p, b.tx));
          expect(replacedBy).toBe(free[0]);
          if (replacedBy) {
            expect(taken.has(replacedBy)).toBe(false);
            taken.add(replacedBy);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('replaces as many rows as it can when no two rows compete for one line', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const outcomes = reconcilePending(input);
        const candidates = outcomes.map((o) => input.booked.filter((b) => isBookedPending(o.pending, b.tx)));
        const contested = candidates.some((c, i) =>
          candidates.some((d, j) => i !== j && c.some((b) => d.includes(b))),
        );
        fc.pre(!contested);
        outcomes.forEach((o, i) => {
          expect(o.replacedBy).toBe(candidates[i]![0]);
        });
      }),
      { numRuns: 500 },
    );
  });
});

describe('isBookedPending properties', () => {
  const respace = (value: string | null, upper: boolean) =>
    value === null ? null : ` ${(upper ? value.toUpperCase() : value.toLowerCase()).replace(/ /g, ' \t ')}  `;
  const rescale = (value: string) => (value.includes('.') ? `${value}00` : `${value}.000`);

  it('ignores case and spacing of the texts and the scale of the amount', () => {
    fc.assert(
      fc.property(storedArb, bookedArb, fc.boolean(), (stored, bookedLines, upper) => {
        for (const p of stored) {
          for (const { tx } of bookedLines) {
            const expected = isBookedPending(p, tx);
            const p2 = {
              ...p,
              amount: rescale(p.amount),
              counterpartyName: respace(p.counterpartyName, upper),
              remittance: respace(p.remittance, !upper),
            };
            const b2 = { ...tx, counterpartyName: respace(tx.counterpartyName, !upper) };
            expect(isBookedPending(p2, b2)).toBe(expected);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never matches across currencies or directions', () => {
    fc.assert(
      fc.property(storedArb, bookedArb, (stored, bookedLines) => {
        for (const p of stored) {
          for (const { tx } of bookedLines) {
            if (p.currency !== tx.currency || p.creditDebitIndicator !== tx.creditDebitIndicator) {
              expect(isBookedPending(p, tx)).toBe(false);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('with no value date on one side, matches exactly the bookings 0–10 days after the pending date', () => {
    fc.assert(
      fc.property(
        storedArb.filter((s) => s.length > 0),
        fc.integer({ min: -5, max: 20 }),
        (stored, lag) => {
          const p = { ...stored[0]!, valueDate: null };
          const bookedOn = new Date(Date.parse(p.sortDate) + lag * 86_400_000).toISOString().slice(0, 10);
          const b: BookedLine = {
            amount: p.amount,
            currency: p.currency,
            creditDebitIndicator: p.creditDebitIndicator as 'credit' | 'debit',
            bookingDate: bookedOn,
            valueDate: null,
            sortDate: bookedOn,
            counterpartyName: p.counterpartyName,
            remittance: p.remittance,
          };
          expect(isBookedPending(p, b)).toBe(lag >= 0 && lag <= 10);
        },
      ),
      { numRuns: 300 },
    );
  });
});
