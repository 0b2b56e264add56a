import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDevQsealc } from './dev-qsealc.js';
import { prepareSigner, signRequest } from './signing.js';

describe('development QSealC', () => {
  it('is a valid, in-date, non-CA EC certificate whose key signs requests', async () => {
    const now = new Date();
    const creds = await createDevQsealc(now);
    const cert = new X509Certificate(creds.cert);
    expect(cert.ca).toBe(false);
    expect(new Date(cert.validFrom).getTime()).toBeLessThanOrEqual(now.getTime());
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(now.getTime() + 300 * 24 * 3600_000);
    const signer = prepareSigner(creds);
    expect(signer.algorithm).toBe('ecdsa-sha256');
    const headers: Record<string, string> = { 'X-Request-ID': 'r1' };
    signRequest(signer, headers, '{}');
    expect(headers.Signature).toContain('headers="digest x-request-id"');
    expect(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(creds.key))).toBe(true);
  });
});
