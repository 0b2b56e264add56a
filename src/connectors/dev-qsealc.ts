import { webcrypto } from 'node:crypto';
import type { QsealcCredentials } from './types.js';

/**
 * A self-signed seal certificate (ES256) made at start so that `npm start` can sign requests to the sandbox
 * banks that require it (cec_ro). Live banks need a real QSealC: FERRY_QSEALC_CERT_FILE / FERRY_QSEALC_KEY_FILE.
 */
export async function createDevQsealc(now: Date = new Date()): Promise<QsealcCredentials> {
  // Loaded here, not at start: @peculiar/x509 is only needed the first time a sandbox bank wants a seal.
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex'),
    name: 'CN=Ferry development QSealC, O=Ferry, C=RO',
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + 365 * 24 * 3600_000),
    signingAlgorithm: alg,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation,
        true,
      ),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
  return { cert: cert.toString('pem'), key };
}
