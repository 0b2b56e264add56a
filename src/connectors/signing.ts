import { createHash, createPrivateKey, sign, X509Certificate } from 'node:crypto';
import type { QsealcCredentials } from './types.js';

/** The headers Berlin Group asks to be signed when present (digest and x-request-id always). */
const SIGNED = ['digest', 'x-request-id', 'date', 'psu-id', 'psu-corporate-id', 'tpp-redirect-uri'];

export interface PreparedSigner {
  /** TPP-Signature-Certificate: the DER certificate in base64. */
  certificateB64: string;
  keyId: string;
  algorithm: 'rsa-sha256' | 'ecdsa-sha256';
  key: ReturnType<typeof createPrivateKey>;
}

export function prepareSigner(creds: QsealcCredentials): PreparedSigner {
  const cert = new X509Certificate(creds.cert);
  const key = createPrivateKey(creds.key);
  // keyId names the certificate by serial number and issuer (NextGenPSD2 Implementation Guidelines §12).
  const issuer = cert.issuer.split('\n').join(',');
  return {
    certificateB64: cert.raw.toString('base64'),
    keyId: `SN=${cert.serialNumber},CA=${issuer}`,
    algorithm: key.asymmetricKeyType === 'ec' ? 'ecdsa-sha256' : 'rsa-sha256',
    key,
  };
}

/** Adds Digest, Signature and TPP-Signature-Certificate (draft-cavage-http-signatures-10) to `headers`. */
export function signRequest(signer: PreparedSigner, headers: Record<string, string>, body: string): void {
  headers['Digest'] = `SHA-256=${createHash('sha256').update(body).digest('base64')}`;
  headers['TPP-Signature-Certificate'] = signer.certificateB64;
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const names = SIGNED.filter((n) => lower.has(n));
  const signingString = names.map((n) => `${n}: ${lower.get(n)}`).join('\n');
  const signature = sign('sha256', Buffer.from(signingString), signer.key).toString('base64');
  headers['Signature'] =
    `keyId="${signer.keyId}",algorithm="${signer.algorithm}",headers="${names.join(' ')}",signature="${signature}"`;
}
