/** Decimal strings only: amounts never pass through a JS float. */
const DECIMAL = /^-?(0|[1-9]\d{0,17})(\.\d{1,8})?$/;
const BANK_DECIMAL = /^([+-])?(\d{1,18})(?:\.(\d{1,8}))?$/;

export interface UnsignedAmount {
  /** Positive decimal string, no leading zeros, trailing zeros of the fraction kept as the bank sent them. */
  amount: string;
  creditDebitIndicator: 'credit' | 'debit';
}

/** "-12.50" → {amount "12.50", debit}; zero is a credit. Undefined for anything that is not a plain decimal. */
export function splitSigned(value: string): UnsignedAmount | undefined {
  const m = BANK_DECIMAL.exec(value.trim());
  if (!m) return undefined;
  const intPart = m[2]!.replace(/^0+(?=\d)/, '');
  const amount = m[3] === undefined ? intPart : `${intPart}.${m[3]}`;
  const zero = /^0(\.0*)?$/.test(amount);
  return { amount, creditDebitIndicator: m[1] === '-' && !zero ? 'debit' : 'credit' };
}

/** A filter amount from the API: a decimal string or a finite JSON number (legacy clients send numbers). */
export function parseFilterAmount(value: unknown): string | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    // 15 significant digits drop binary noise: 4.2700000000000001 (legacy docs' example) is 4.27.
    text = String(Number(value.toPrecision(15)));
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return undefined;
  }
  return DECIMAL.test(text) ? text : undefined;
}
