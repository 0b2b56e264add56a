/** IBAN checks: country length (SWIFT IBAN registry) and the ISO 7064 mod-97 check digits. */
const lengths: Record<string, number> = Object.fromEntries(
  (
    'AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 DO28 EE20 ' +
    'EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HN28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 ' +
    'KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18 NO15 OM23 ' +
    'PK24 PL28 PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 TL23 TN24 TR26 ' +
    'UA29 VA22 VG24 XK20 YE30'
  )
    .split(' ')
    .map((e) => [e.slice(0, 2), Number(e.slice(2))]),
);

/** Spaces are how people write IBANs on paper; they and letter case are not errors. */
export function normalizeIban(value: string): string {
  return value.replace(/[\s\u00a0]+/g, '').toUpperCase();
}

export type IbanCheck = { ok: true; iban: string } | { ok: false; message: string };

export function checkIban(value: string): IbanCheck {
  const iban = normalizeIban(value);
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]+$/.test(iban)) {
    return { ok: false, message: 'must be an IBAN: country code, two check digits, then letters and digits' };
  }
  const expected = lengths[iban.slice(0, 2)];
  if (expected === undefined)
    return { ok: false, message: `has an unknown country code ${iban.slice(0, 2)}` };
  if (iban.length !== expected) {
    return {
      ok: false,
      message: `must be ${expected} characters for ${iban.slice(0, 2)} (got ${iban.length})`,
    };
  }
  if (mod97(iban.slice(4) + iban.slice(0, 4)) !== 1) return { ok: false, message: 'has wrong check digits' };
  return { ok: true, iban };
}

function mod97(text: string): number {
  let rest = 0;
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    const digits = code >= 65 ? String(code - 55) : ch;
    for (const d of digits) rest = (rest * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rest;
}
