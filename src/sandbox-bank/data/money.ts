/** Money as integer minor units (bani, euro cents): never a float. Two decimals for every sandbox currency. */

const AMOUNT = /^-?\d{1,14}(\.\d{1,3})?$/;

/** "12.5" → 1250; undefined when not a spec amount or when it has sub-cent precision. */
export function toMinor(amount: string): number | undefined {
  if (!AMOUNT.test(amount)) return undefined;
  const negative = amount.startsWith('-');
  const [whole, frac = ''] = amount.replace('-', '').split('.');
  if (frac.length > 2 && /[1-9]/.test(frac.slice(2))) return undefined;
  const minor = Number(whole) * 100 + Number(frac.slice(0, 2).padEnd(2, '0'));
  if (!Number.isSafeInteger(minor)) return undefined;
  return negative ? -minor : minor;
}

export function fromMinor(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
