/**
 * Amounts are decimal strings end to end (seed 000, "Decimal Values"): never parsed into a float. The checks
 * here are the API's; the providers' intent schemas apply their own, narrower ones afterwards.
 */

/** ISO 4217 active codes with their minor units; most have 2, so only the others are listed per digit count. */
const twoDigit =
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF ' +
  'CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF ' +
  'IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR ' +
  'MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD ' +
  'SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VES WST XCD XCG YER ' +
  'ZAR ZMW ZWG';
const zeroDigit = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF';
const threeDigit = 'BHD IQD JOD KWD LYD OMR TND';
const fourDigit = 'CLF UYW';

const minorUnits = new Map<string, number>([
  ...twoDigit.split(' ').map((c) => [c, 2] as const),
  ...zeroDigit.split(' ').map((c) => [c, 0] as const),
  ...threeDigit.split(' ').map((c) => [c, 3] as const),
  ...fourDigit.split(' ').map((c) => [c, 4] as const),
]);

/** Minor digits of an ISO 4217 currency, or undefined when the code is not an active one. */
export function currencyMinorUnits(code: string): number | undefined {
  return minorUnits.get(code);
}

/** The largest amount a link may carry (FinqLink: 999,999,999.99). */
export const MAX_AMOUNT = '999999999.99';

const AMOUNT = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

export type AmountCheck = { ok: true } | { ok: false; message: string };

/**
 * "100.50", "0.50", "100": no leading zeros except "0.x", no separators or exponent, at most the currency's
 * minor digits, more than zero and at most MAX_AMOUNT.
 */
export function checkAmount(amount: string, minorDigits: number): AmountCheck {
  const match = AMOUNT.exec(amount);
  if (!match) {
    return {
      ok: false,
      message:
        'must be a decimal string like "100.50": digits, an optional point, no leading zeros or separators',
    };
  }
  const whole = match[1]!;
  const fraction = match[2] ?? '';
  if (match[2] !== undefined && minorDigits === 0) {
    return { ok: false, message: 'must be a whole number for this currency' };
  }
  if (fraction.length > minorDigits) {
    return { ok: false, message: `must have at most ${minorDigits} decimals for this currency` };
  }
  const scaled = toMinor(whole, fraction, 4);
  if (scaled === 0n) return { ok: false, message: 'must be greater than zero' };
  if (scaled > toMinor('999999999', '99', 4)) return { ok: false, message: `must be at most ${MAX_AMOUNT}` };
  return { ok: true };
}

function toMinor(whole: string, fraction: string, digits: number): bigint {
  return BigInt(whole + fraction.padEnd(digits, '0').slice(0, digits));
}

/** Formats a stored numeric ("100.50" or "100.5000") back to the client's shape with the currency's digits. */
export function formatAmount(value: string, minorDigits: number): string {
  const [whole = '0', fraction = ''] = value.split('.');
  if (minorDigits === 0) return whole;
  return `${whole}.${fraction.padEnd(minorDigits, '0').slice(0, minorDigits)}`;
}
