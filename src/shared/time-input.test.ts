import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import { parseDate, parseInstant } from './time-input.js';

const refused = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return (error as ApiError).message;
  }
  throw new Error('accepted');
};

describe('parseDate', () => {
  it('accepts calendar dates in range, leap days of leap years included', () => {
    expect(parseDate('d', '2024-02-29')).toBe('2024-02-29');
    expect(parseDate('d', '2000-02-29')).toBe('2000-02-29');
    expect(parseDate('d', '1900-01-01')).toBe('1900-01-01');
    expect(parseDate('d', '9999-12-31')).toBe('9999-12-31');
  });
  it('refuses impossible and out-of-range dates naming the field', () => {
    for (const bad of [
      '2026-02-30',
      '2026-02-29',
      '1900-02-29',
      '2026-13-01',
      '2026-04-31',
      '2026-00-10',
      '0000-01-01',
      '1899-12-31',
      '26-01-01',
      '2026-1-1',
    ]) {
      expect(
        refused(() => parseDate('filter.x', bad)),
        bad,
      ).toMatch(/^filter\.x: /);
    }
  });
});

describe('parseInstant', () => {
  it('applies the time zone and accepts optional seconds and fractions', () => {
    expect(parseInstant('t', '2026-01-01T00:00+02:00').toISOString()).toBe('2025-12-31T22:00:00.000Z');
    expect(parseInstant('t', '2026-01-01T10:20:30.5Z').toISOString()).toBe('2026-01-01T10:20:30.500Z');
    expect(parseInstant('t', '9999-12-31T23:59:59Z').toISOString()).toBe('9999-12-31T23:59:59.000Z');
    expect(parseInstant('t', '2026-03-01', { dates: true }).toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });
  it('refuses dates without the option, impossible times, a missing zone and the range edges after the zone', () => {
    for (const bad of [
      '2026-03-01',
      '2026-02-30T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T10:60:00Z',
      '2026-01-01T10:00:61Z',
      '2026-01-01T10:00:00',
      '0000-01-01T00:00:00Z',
      '1900-01-01T00:30:00+01:00',
      '9999-12-31T23:00:00-02:00',
      'yesterday',
    ]) {
      expect(() => parseInstant('t', bad), bad).toThrow(ApiError);
    }
    expect(() => parseInstant('t', '2026-02-30', { dates: true })).toThrow(/not a date in the calendar/);
  });
});
