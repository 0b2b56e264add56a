/** Romanian IBANs: RO, two check digits, a 4-letter bank code and 16 account characters (ISO 13616). */

function mod97(text: string): number {
  let rest = 0;
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    const digits = code >= 65 && code <= 90 ? String(code - 55) : ch;
    for (const d of digits) rest = (rest * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rest;
}

export function isValidIban(iban: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{1,30}$/.test(iban)) return false;
  if (iban.startsWith('RO') && iban.length !== 24) return false;
  return mod97(iban.slice(4) + iban.slice(0, 4)) === 1;
}

/** Builds a checksum-valid RO IBAN from a bank code and a 16-character account part. */
export function roIban(bankCode: string, account: string): string {
  if (!/^[A-Z]{4}$/.test(bankCode) || !/^[A-Z0-9]{16}$/.test(account)) {
    throw new Error(`bad IBAN parts ${bankCode}/${account}`);
  }
  const check = 98 - mod97(`${bankCode}${account}RO00`);
  return `RO${String(check).padStart(2, '0')}${bankCode}${account}`;
}
