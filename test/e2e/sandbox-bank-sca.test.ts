import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNextGenPsd2Connector, type NextGenPsd2Connector } from '../../src/connectors/index.js';
import type { BankEndpoint } from '../../src/connectors/types.js';
import type { BankId } from '../../src/sandbox-bank/index.js';
import { startTestSandbox, type TestSandbox } from '../../src/sandbox-bank/test-support/harness.js';
import { createTestPki, type TestPki } from '../../src/sandbox-bank/test-support/test-pki.js';
import { bankSignIn, launchBrowser } from '../support/browser.js';
import { needs } from '../support/needs.js';

/** The redirect-SCA pages of each sandbox bank, driven in real Chromium (Debian's, through playwright-core). */
let browser: Browser;
let sandbox: TestSandbox;
let pki: TestPki;
let connector: NextGenPsd2Connector;
let tpp: Server;
let tppUrl: string;

const executablePath = await needs('chromium');

beforeAll(async () => {
  if (!executablePath) return;
  pki = createTestPki();
  sandbox = await startTestSandbox();
  connector = createNextGenPsd2Connector({ qsealc: pki.qsealc });
  tpp = createServer((req, res) => res.end(`TPP callback ${req.url}`));
  await new Promise<void>((resolve) => tpp.listen(0, '127.0.0.1', resolve));
  tppUrl = `http://127.0.0.1:${(tpp.address() as AddressInfo).port}`;
  browser = await launchBrowser(executablePath!);
});

afterAll(async () => {
  await browser?.close();
  await connector?.close();
  await sandbox?.close();
  await new Promise((resolve) => tpp?.close(resolve));
  pki?.cleanup();
});

const payments: Record<BankId, { product: string; debtorIban?: string }> = {
  rzb_ro: { product: 'domestic' },
  bt_ro: { product: 'ron-payment' },
  cec_ro: { product: 'sepa-credit-transfers' },
};

describe.skipIf(!executablePath).each(['rzb_ro', 'bt_ro', 'cec_ro'] as BankId[])(
  '%s SCA pages in Chromium',
  (bank) => {
    let endpoint: BankEndpoint;
    beforeAll(() => {
      endpoint = sandbox.endpoint(bank);
    });

    it('payment: a wrong sign-in shows an error, the right one reaches the review, approve returns to the TPP', async () => {
      const created = await connector.createPayment(endpoint, {
        product: payments[bank].product,
        instructedAmount: { currency: 'RON', amount: '42.00' },
        creditorName: 'Magazin Online SRL',
        creditorIban: 'RO10RZBR0000069999999970',
        remittanceInformationUnstructured: 'Comanda 7781',
        psuIpAddress: '192.0.2.30',
        redirectUri: `${tppUrl}/ok`,
        nokRedirectUri: `${tppUrl}/nok`,
      });
      if (!created.ok) throw new Error(JSON.stringify(created.error));
      const page = await browser.newPage();
      const cspErrors: string[] = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error') cspErrors.push(msg.text());
      });
      try {
        await page.goto(created.value.scaRedirectUrl);
        expect(await page.getAttribute('body', 'data-bank')).toBe(bank);
        // The bank's own stylesheet applied (served by the sandbox, allowed by the CSP).
        const headerColour = await page.evaluate(
          'getComputedStyle(document.querySelector("header")).backgroundColor',
        );
        expect(headerColour).not.toBe('rgba(0, 0, 0, 0)');
        await bankSignIn(page, bank, true);
        await expect.poll(() => page.textContent('#error')).toContain('1 din 3');
        await bankSignIn(page, bank);
        await page.waitForSelector('#approve');
        expect(await page.textContent('#amount')).toContain('42.00 RON');
        expect(await page.textContent('#creditor')).toBe('Magazin Online SRL');

        await page.click('#approve');
        await page.waitForURL(`${tppUrl}/ok`);
        expect(await page.textContent('body')).toContain('TPP callback /ok');
        expect(cspErrors, cspErrors.join('\n')).toEqual([]);
      } finally {
        await page.close();
      }
      const status = await connector.getPaymentStatus(
        endpoint,
        payments[bank].product,
        created.value.paymentId,
      );
      expect(status.ok && status.value.transactionStatus).toBe('ACTC');
    });

    it('consent: the PSU sees the accounts, denies, and lands on the nok URI', async () => {
      const created = await connector.createConsent(endpoint, {
        access: { kind: 'allAccounts', withBalances: true, withTransactions: true },
        recurringIndicator: true,
        validUntil: '2026-05-01',
        frequencyPerDay: 4,
        psuIpAddress: '192.0.2.31',
        redirectUri: `${tppUrl}/ok`,
        nokRedirectUri: `${tppUrl}/nok`,
      });
      if (!created.ok) throw new Error(JSON.stringify(created.error));
      const page = await browser.newPage();
      try {
        await page.goto(created.value.scaRedirectUrl);
        await bankSignIn(page, bank);
        await page.waitForSelector('#accounts');
        expect(await page.locator('#accounts input[type=checkbox]').count()).toBeGreaterThanOrEqual(2);
        await page.click('#deny');
        await page.waitForURL(`${tppUrl}/nok`);
      } finally {
        await page.close();
      }
      const status = await connector.getConsentStatus(endpoint, created.value.consentId);
      expect(status.ok && status.value.consentStatus).toBe('rejected');
    });
  },
);
