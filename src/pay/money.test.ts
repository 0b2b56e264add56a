import { describe, expect, it } from 'vitest';
import { checkIban, normalizeIban } from './iban.js';
import { checkAmount, currencyMinorUnits, formatAmount } from './money.js';

describe('amounts', () => {
  it.each([
    ['100.50', 2],
    ['0.50', 2],
    ['0.01', 2],
    ['100', 2],
    ['1', 0],
    ['999999999.99', 2],
    ['1.234', 3],
    ['999999999', 0],
  ])('accepts %s with %i decimals', (amount, digits) => {
    expect(checkAmount(amount, digits)).toEqual({ ok: true });
  });

  it.each([
    ['', 2, /decimal string/],
    ['01', 2, /decimal string/],
    ['00.1', 2, /decimal string/],
    ['1.', 2, /decimal string/],
    ['.1', 2, /decimal string/],
    ['+1', 2, /decimal string/],
    ['1,5', 2, /decimal string/],
    ['1_000', 2, /decimal string/],
    ['1e2', 2, /decimal string/],
    ['１', 2, /decimal string/],
    ['1.5', 0, /whole number/],
    ['1.505', 2, /at most 2 decimals/],
    ['0', 2, /greater than zero/],
    ['0.000', 3, /greater than zero/],
    ['1000000000', 2, /at most 999999999.99/],
    ['999999999.991', 3, /at most 999999999.99/],
  ])('rejects %j (%i decimals)', (amount, digits, message) => {
    const r = checkAmount(amount, digits);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it('knows minor units of ISO 4217 currencies', () => {
    expect(currencyMinorUnits('RON')).toBe(2);
    expect(currencyMinorUnits('EUR')).toBe(2);
    expect(currencyMinorUnits('JPY')).toBe(0);
    expect(currencyMinorUnits('KWD')).toBe(3);
    expect(currencyMinorUnits('XYZ')).toBeUndefined();
    expect(currencyMinorUnits('ron')).toBeUndefined();
  });

  it('formats stored amounts with the currency digits', () => {
    expect(formatAmount('100.5', 2)).toBe('100.50');
    expect(formatAmount('100', 2)).toBe('100.00');
    expect(formatAmount('100.5000', 2)).toBe('100.50');
    expect(formatAmount('7', 0)).toBe('7');
  });
});

describe('IBANs', () => {
  it.each([
    'RO03RZBR0000069999999999',
    'RO10RZBR0000069999999970',
    'RO42CECEAG0202RON0007466',
    'DE89370400440532013000',
    'GB82WEST12345698765432',
    'NO9386011117947',
    'MT84MALT011000012345MTLCAST001S',
  ])('accepts %s', (iban) => {
    expect(checkIban(iban)).toEqual({ ok: true, iban });
  });

  it('normalises spaces and case', () => {
    expect(normalizeIban(' ro03 rzbr 0000 0699 9999 9999 ')).toBe('RO03RZBR0000069999999999');
    expect(checkIban('ro03 rzbr 0000 0699 9999 9999')).toEqual({
      ok: true,
      iban: 'RO03RZBR0000069999999999',
    });
  });

  it.each([
    ['RO04RZBR0000069999999999', /check digits/],
    ['RO03RZBR000006999999999', /24 characters/],
    ['RO03RZBR00000699999999999', /24 characters/],
    ['XX03RZBR0000069999999999', /unknown country/],
    ['RO0XRZBR0000069999999999', /IBAN/],
    ['RO03-RZBR-0000', /IBAN/],
    ['', /IBAN/],
  ])('rejects %j', (iban, message) => {
    const r = checkIban(iban);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
});
