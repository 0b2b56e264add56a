import { describe, expect, it } from 'vitest';
import { ApiError, type ErrorCode, errorStatus } from '../shared/errors.js';
import { languages, translator } from './i18n.js';
import { pageErrorCodes, pageErrorKey, pageErrorText } from './page-errors.js';

const registry = Object.keys(errorStatus) as ErrorCode[];
const en = translator('en');
const ro = translator('ro');

describe('errors on hosted pages', () => {
  it('the codes a page can show are codes of the error registry', () => {
    for (const code of pageErrorCodes) expect(registry).toContain(code);
  });

  it.each(registry)(
    '%s has a text in ro and in en: its own if a page can show it, else the generic one',
    (code) => {
      const key = pageErrorKey(new ApiError(code, 'An English message for developers.'));
      for (const lang of languages) {
        const text = translator(lang)(key);
        expect(text, `${lang}: ${key}`).not.toBe(key);
        expect(text.trim().length).toBeGreaterThan(10);
      }
      expect(ro(key)).not.toBe(en(key));
      if ((pageErrorCodes as readonly string[]).includes(code)) expect(key).not.toBe('error.generic');
      else expect(key).toBe('error.generic');
    },
  );

  it('codes a page can show do not share one text', () => {
    const texts = pageErrorCodes.map((code) => en(pageErrorKey(new ApiError(code, 'x'))));
    expect(new Set(texts).size).toBe(pageErrorCodes.length);
  });

  it('never shows the API message; anything that is not an ApiError is generic', () => {
    const error = new ApiError('validation_error', 'debtor_iban: check digits do not match');
    expect(pageErrorText(error, ro)).toBe(ro('error.code.validation_error'));
    expect(pageErrorText(error, en)).not.toContain('check digits');
    expect(pageErrorKey(new Error('boom'))).toBe('error.generic');
    expect(pageErrorKey('nope')).toBe('error.generic');
  });

  it("a bank's refusal says so and keeps the bank's codes; a bank that is down says to try later", () => {
    const refused = new ApiError(
      'unprocessable_entity',
      'The bank refused the payment (FORMAT_ERROR: bad).',
      {
        bank_error: {
          kind: 'rejected',
          retryable: false,
          codes: ['FORMAT_ERROR', 'PSU_CREDENTIALS_INVALID'],
        },
      },
    );
    expect(pageErrorText(refused, ro)).toBe(
      'Banca ta a refuzat această cerere. Cod bancă: FORMAT_ERROR, PSU_CREDENTIALS_INVALID',
    );
    expect(pageErrorText(refused, en)).not.toContain('bad');
    const down = new ApiError('unprocessable_entity', 'The bank is not available right now.', {
      bank_error: { kind: 'unavailable', retryable: true, codes: [] },
    });
    expect(pageErrorKey(down)).toBe('error.bank.unavailable');
    expect(pageErrorText(down, en)).toBe(en('error.bank.unavailable'));
    for (const key of ['error.bank.refused', 'error.bank.unavailable', 'error.bank.codes'] as const) {
      expect(ro(key)).not.toBe(en(key));
    }
  });

  it('not_found is worded by the page (a payment link, a consent link)', () => {
    const strings = { ro: { 'error.notfound': 'Acest link de consimțământ nu există.' } };
    expect(pageErrorText(new ApiError('not_found', 'x'), translator('ro', strings))).toBe(
      'Acest link de consimțământ nu există.',
    );
  });
});
