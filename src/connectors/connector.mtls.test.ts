import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox, TPP_OK } from '../sandbox-bank/test-support/harness.js';
import { driveSca, seedCredentials } from '../sandbox-bank/test-support/sca-driver.js';
import { createTestPki, type TestPki } from '../sandbox-bank/test-support/test-pki.js';
import { createNextGenPsd2Connector } from './index.js';
import { ExchangeRecorder } from './test-support/psd2-conformance.js';
import type { BankEndpoint } from './types.js';

/**
 * The sandbox bank alone over HTTPS, asking for client certificates from its CA: a live provider reached
 * with a QWAC works; the same calls without a certificate, or with one from another CA, are refused.
 */
let pki: TestPki;
let sandbox: TestSandbox;

beforeAll(async () => {
  pki = createTestPki();
  sandbox = await startTestSandbox({
    tls: { cert: pki.serverCertFile, key: pki.serverKeyFile, clientCa: pki.caFile },
  });
});

afterAll(async () => {
  await sandbox?.close();
  pki?.cleanup();
});

describe('standalone sandbox bank over mTLS', () => {
  it('consent + accounts through the connector with a client certificate; refused without', async () => {
    expect(sandbox.running.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const recorder = new ExchangeRecorder();
    const connector = createNextGenPsd2Connector({ onExchange: recorder.onExchange });
    // A live provider as the catalogue would describe it: its own base URL, QWAC and CA.
    const live: BankEndpoint = sandbox.endpoint('bt_ro', {
      providerId: 'bt_ro_live',
      tls: { cert: pki.client.cert, key: pki.client.key, ca: pki.caCert },
    });
    try {
      const consent = await connector.createConsent(live, {
        access: { kind: 'allPsd2' },
        recurringIndicator: true,
        validUntil: '2026-06-01',
        frequencyPerDay: 4,
        psuIpAddress: '192.0.2.1',
        redirectUri: TPP_OK,
        nokRedirectUri: TPP_OK,
      });
      if (!consent.ok) throw new Error(JSON.stringify(consent.error));
      expect(consent.value.scaRedirectUrl.startsWith('https://localhost:')).toBe(true);
      // The PSU's browser has no client certificate: the SCA pages are served all the same.
      const browser = new Agent({ connect: { ca: pki.caCert } });
      const run = await driveSca(consent.value.scaRedirectUrl, {
        credentials: seedCredentials.bt_ro,
        decision: 'approve',
        dispatcher: browser,
      });
      await browser.close();
      expect(run.finalUrl).toBe(TPP_OK);
      const accounts = await connector.listAccounts(live, consent.value.consentId, { withBalance: true });
      if (!accounts.ok) throw new Error(JSON.stringify(accounts.error));
      expect(accounts.value.map((a) => a.iban)).toContain(accounts.value[0]!.iban);
      expect(accounts.value.length).toBe(2);

      // Trusting the bank's CA but presenting no client certificate.
      const noCert = sandbox.endpoint('bt_ro', {
        tls: { cert: undefined as never, key: undefined as never, ca: pki.caCert },
      });
      const refused = await connector.listAccounts(noCert, consent.value.consentId, { withBalance: false });
      expect(refused.ok).toBe(false);
      if (!refused.ok)
        expect(refused.error).toMatchObject({
          kind: 'unauthorized',
          httpStatus: 401,
          tppMessages: [{ code: 'CERTIFICATE_MISSING' }],
        });

      const strangerEndpoint = sandbox.endpoint('bt_ro', {
        tls: { cert: pki.stranger.cert, key: pki.stranger.key, ca: pki.caCert },
      });
      const stranger = await connector.listAccounts(strangerEndpoint, consent.value.consentId, {
        withBalance: false,
      });
      expect(stranger.ok).toBe(false);
      if (!stranger.ok)
        expect(stranger.error).toMatchObject({
          kind: 'unauthorized',
          tppMessages: [{ code: 'CERTIFICATE_INVALID' }],
        });

      // Without the bank's CA the connector does not trust the server either.
      const untrusting = await connector.listAccounts(
        sandbox.endpoint('bt_ro', { tls: { ...pki.client } }),
        consent.value.consentId,
        { withBalance: false },
      );
      expect(!untrusting.ok && untrusting.error.kind).toBe('unauthorized');
      expect(await recorder.violations()).toEqual([]);
    } finally {
      await connector.close();
    }
  });
});
