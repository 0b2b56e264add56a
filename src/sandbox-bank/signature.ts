import { createHash, verify, X509Certificate } from 'node:crypto';
import { Psd2Error } from './psd2-error.js';

/** Parses `a="x",b="y"` (the Signature header of draft-cavage-http-signatures, as Berlin Group uses it). */
export function parseSignatureHeader(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of value.matchAll(/([A-Za-z]+)\s*=\s*"([^"]*)"/g)) out[m[1]!] = m[2]!;
  return out;
}

export function certificateFromHeader(value: string): X509Certificate {
  const b64 = value.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return new X509Certificate(Buffer.from(b64, 'base64'));
}

const HASHES: Record<string, string> = { 'SHA-256': 'sha256', 'SHA-512': 'sha512' };
const ALGORITHMS: Record<string, string> = {
  'rsa-sha256': 'sha256',
  'rsa-sha512': 'sha512',
  'ecdsa-sha256': 'sha256',
};

export interface SignedRequest {
  method: string;
  /** Path and query as sent. */
  target: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  now: Date;
}

const header = (r: SignedRequest, name: string) => {
  const v = r.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
};

/**
 * Checks a QSealC-signed request: the certificate (TPP-Signature-Certificate), the body Digest, and the
 * Signature over the listed headers. The sandbox trusts any certificate that is in date (no QTSP list).
 */
export function verifySignedRequest(r: SignedRequest): void {
  const certHeader = header(r, 'tpp-signature-certificate');
  if (!certHeader)
    throw new Psd2Error(401, 'CERTIFICATE_MISSING', 'TPP-Signature-Certificate is required by this bank.');
  let cert: X509Certificate;
  try {
    cert = certificateFromHeader(certHeader);
  } catch {
    throw new Psd2Error(401, 'CERTIFICATE_INVALID', 'TPP-Signature-Certificate is not a certificate.');
  }
  if (r.now < new Date(cert.validFrom) || r.now > new Date(cert.validTo))
    throw new Psd2Error(401, 'CERTIFICATE_EXPIRED', 'The signature certificate is not in date.');
  const signatureHeader = header(r, 'signature');
  if (!signatureHeader) throw new Psd2Error(401, 'SIGNATURE_MISSING', 'Signature is required by this bank.');
  const digest = header(r, 'digest');
  if (!digest) throw new Psd2Error(401, 'SIGNATURE_INVALID', 'Digest is required with a signature.');
  const [algo, value] = [digest.slice(0, digest.indexOf('=')), digest.slice(digest.indexOf('=') + 1)];
  const hash = HASHES[algo.toUpperCase()];
  if (!hash || createHash(hash).update(r.body).digest('base64') !== value)
    throw new Psd2Error(401, 'SIGNATURE_INVALID', 'Digest does not match the body.');
  const params = parseSignatureHeader(signatureHeader);
  const names = (params.headers ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  if (!names.includes('digest') || !names.includes('x-request-id'))
    throw new Psd2Error(401, 'SIGNATURE_INVALID', 'The signature must cover digest and x-request-id.');
  const serial = /SN=([0-9A-Fa-f]+)/.exec(params.keyId ?? '')?.[1];
  if (
    !serial ||
    serial.replace(/^0+/, '').toUpperCase() !== cert.serialNumber.replace(/^0+/, '').toUpperCase()
  )
    throw new Psd2Error(401, 'SIGNATURE_INVALID', 'keyId does not name the certificate serial number.');
  const lines: string[] = [];
  for (const name of names) {
    if (name === '(request-target)') {
      lines.push(`(request-target): ${r.method.toLowerCase()} ${r.target}`);
      continue;
    }
    const v = header(r, name);
    if (v === undefined) throw new Psd2Error(401, 'SIGNATURE_INVALID', `Signed header ${name} is missing.`);
    lines.push(`${name}: ${v}`);
  }
  const digestAlg = ALGORITHMS[(params.algorithm ?? '').toLowerCase()];
  if (!digestAlg || !params.signature)
    throw new Psd2Error(401, 'SIGNATURE_INVALID', 'Unsupported signature algorithm.');
  const ok = verify(
    digestAlg,
    Buffer.from(lines.join('\n')),
    cert.publicKey,
    Buffer.from(params.signature, 'base64'),
  );
  if (!ok) throw new Psd2Error(401, 'SIGNATURE_INVALID', 'The signature does not verify.');
}
