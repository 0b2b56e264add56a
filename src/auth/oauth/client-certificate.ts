import { X509Certificate } from 'node:crypto';

/** What the leaf rules look at, read from a certificate (so the rules stay a pure function of data). */
export interface CertificateFacts {
  /** BasicConstraints CA=true. */
  isCa: boolean;
  /** ExtendedKeyUsage OIDs; undefined when the extension is absent. */
  extendedKeyUsage: readonly string[] | undefined;
  notBefore: Date;
  notAfter: Date;
  /** Issued by itself: subject equals issuer and its own key verifies the signature. */
  selfSigned: boolean;
}

export const EKU = {
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
} as const;

const forbiddenUsages: readonly (keyof typeof EKU)[] = ['codeSigning', 'timeStamping', 'ocspSigning'];

export type LeafProblem =
  | 'is_ca'
  | 'no_client_auth'
  | 'forbidden_usage'
  | 'not_yet_valid'
  | 'expired'
  | 'self_signed';

/**
 * Seed 000 "Certificate Requirements" for client (leaf) certificates: not a CA, EKU has clientAuth and none
 * of codeSigning / timeStamping / OCSPSigning, within its validity period, not self-signed.
 * Returns every rule the certificate breaks; an empty list means it is acceptable.
 */
export function leafProblems(facts: CertificateFacts, now: Date): LeafProblem[] {
  const problems: LeafProblem[] = [];
  if (facts.isCa) problems.push('is_ca');
  const eku = facts.extendedKeyUsage ?? [];
  if (!eku.includes(EKU.clientAuth)) problems.push('no_client_auth');
  if (forbiddenUsages.some((name) => eku.includes(EKU[name]))) problems.push('forbidden_usage');
  if (now.getTime() < facts.notBefore.getTime()) problems.push('not_yet_valid');
  if (now.getTime() > facts.notAfter.getTime()) problems.push('expired');
  if (facts.selfSigned) problems.push('self_signed');
  return problems;
}

/** Reads the facts the leaf rules need from a certificate. */
export function certificateFacts(cert: X509Certificate): CertificateFacts {
  return {
    isCa: cert.ca,
    // Node names the ExtendedKeyUsage list `keyUsage`; it is undefined when the extension is absent.
    extendedKeyUsage: cert.keyUsage,
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    selfSigned: cert.subject === cert.issuer && safeVerify(cert),
  };
}

function safeVerify(cert: X509Certificate): boolean {
  try {
    return cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}

/** Parses DER bytes; undefined when they are not a certificate. */
export function parseCertificate(der: Buffer): X509Certificate | undefined {
  try {
    return new X509Certificate(der);
  } catch {
    return undefined;
  }
}

const attributeAliases: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'SERIALNUMBER',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'EMAILADDRESS',
  E: 'EMAILADDRESS',
  EMAIL: 'EMAILADDRESS',
  S: 'ST',
};

/**
 * A canonical form of a distinguished name, so that an operator may register it in RFC 4514 order
 * (`CN=shop,O=Acme,C=RO`), in the order Node prints (`C=RO\nO=Acme\nCN=shop`) or OpenSSL's `/C=RO/O=Acme/CN=shop`.
 * Attribute order is ignored and values compare case-insensitively (RFC 4518 caseIgnoreMatch, which the
 * usual DN attributes use). Undefined when the text is not a DN.
 */
export function normalizeDn(dn: string): string | undefined {
  const text = dn.trim();
  if (!text) return undefined;
  const parts = text.startsWith('/') ? text.slice(1).split('/') : splitUnescaped(text);
  const pairs: string[] = [];
  for (const part of parts) {
    for (const piece of splitUnescaped(part, '+')) {
      const eq = piece.indexOf('=');
      if (eq <= 0) return undefined;
      const rawType = piece.slice(0, eq).trim().toUpperCase();
      const type = attributeAliases[rawType] ?? rawType;
      const value = unescapeValue(piece.slice(eq + 1).trim())
        .replace(/\s+/g, ' ')
        .toLowerCase();
      if (!/^[A-Z][A-Z0-9-]*$|^\d+(\.\d+)+$/.test(type) || !value) return undefined;
      pairs.push(`${type}=${value}`);
    }
  }
  return pairs.sort().join('\n');
}

function splitUnescaped(text: string, separators = ',;\n'): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + text[i + 1];
      i += 1;
    } else if (separators.includes(ch)) {
      out.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

function unescapeValue(value: string): string {
  return value.replace(/\\([0-9a-fA-F]{2}|.)/g, (_m, esc: string) =>
    esc.length === 2 ? String.fromCharCode(Number.parseInt(esc, 16)) : esc,
  );
}

/** Whether a certificate subject (as Node prints it) names the registered DN. */
export function subjectMatches(subject: string, registered: string): boolean {
  const a = normalizeDn(subject);
  return a !== undefined && a === normalizeDn(registered);
}
