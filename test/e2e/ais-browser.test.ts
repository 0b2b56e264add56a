import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBankConsentId } from '../../src/ais/index.js';
import { splitSigned } from '../../src/ais/money.js';
import type { BankResult, BankTransaction } from '../../src/connectors/types.js';
import { templates } from '../../src/webui/index.js';
import { bankSignIn, launchBrowser, watchedPage } from '../support/browser.js';
import { needs } from '../support/needs.js';
import { type Stack, startStack } from '../support/stack.js';

const executablePath = await needs('chromium');
const shots = path.resolve('test-results/ais-consent');

/** The hosted consent page in Debian Chromium, against Ferry with the sandbox bank mounted, over real HTTP. */
describe.skipIf(!executablePath)('consent page in Chromium', () => {
  let s: Stack;
  let browser: Browser;
  let appServer: Server;
  let appUrl: string;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    s = await startStack({ clientName: 'Bugetul Meu' });
    appServer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Connected</title><h1>Bank connected</h1>');
    });
    await new Promise<void>((r) => appServer.listen(0, '127.0.0.1', r));
    appUrl = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}/connected`;
    browser = await launchBrowser(executablePath!);
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => appServer?.close(r));
    await s?.close();
  });

  const newPage = (width?: number, height?: number) =>
    watchedPage(browser, { origins: [s.url, appUrl], width, height });

  const ok = <T>(r: BankResult<T>): T => {
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    return r.value;
  };

  async function allTransactions(consentId: string) {
    const out: {
      account_id: string;
      status: string;
      amount: string;
      credit_debit_indicator: string;
      remittance_information: string | null;
    }[] = [];
    let after: string | undefined;
    for (;;) {
      const res = await s.api('/ais/transactions/list', {
        consent_id: consentId,
        pagination: { limit: 250, ...(after ? { after } : {}) },
      });
      out.push(...(res.body.transactions as typeof out));
      const p = res.body.pagination as { 'more?': boolean; after: string };
      if (!p['more?']) return out;
      after = p.after;
    }
  }

  it.each([
    ['bt_ro', 'full'],
    ['cec_ro', 'full'],
    ['rzb_ro', 'full'],
    ['bt_ro', 'accounts_balances'],
    ['cec_ro', 'accounts_balances'],
    ['rzb_ro', 'accounts_balances'],
  ] as const)(
    '%s, %s scope: the user authorises on the page, the status goes live to active, then back to the app; the API data matches the bank',
    async (bank, scope) => {
      const consentScope =
        scope === 'full' ? ['accounts', 'balances', 'transactions'] : ['accounts', 'balances'];
      const created = await s.api('/ais/consents/create', {
        consent: { scope: consentScope, consent_validity_days: 60 },
        options: { redirect_url: `${appUrl}?user=42` },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const {
        consent_id: consentId,
        web_id: webId,
        web_url: webUrl,
      } = created.body as Record<string, string>;
      const { page, problems, close } = await newPage();
      try {
        await page.goto(webUrl!);
        expect(await page.textContent('h1')).toContain('Partajează datele contului');
        expect(await page.textContent('main')).toContain(
          'Bugetul Meu cere acces la datele contului tău bancar.',
        );
        await page.check(`input[value="${bank}_ais_sandbox"]`);
        await page.click('button[form="consentform"]');
        await page.waitForURL(`${s.url}/sandbox-bank/**`);
        await bankSignIn(page, bank);
        await page.waitForSelector('#approve');
        await page.click('#approve');
        await page.waitForURL(`${s.url}/consent/${webId}`);
        await page.evaluate('window.__stillHere = true');
        // Polled from here (not a page-side predicate: the page's CSP forbids eval, as it should).
        await expect
          .poll(() => page.getAttribute('[data-live]', 'data-status'), { timeout: 60_000, interval: 200 })
          .toBe('active');
        expect(await page.evaluate('window.__stillHere === true')).toBe(true);
        expect(await page.textContent('.badge')).toMatch(/Acces acordat/);
        await page.screenshot({ path: path.join(shots, `active-${bank}-${scope}.png`), fullPage: true });
        await page.waitForURL(`${appUrl}?**`, { timeout: 15_000 });
        expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({
          user: '42',
          consent_id: consentId,
          status: 'active',
        });
        expect(problems).toEqual([]);
      } finally {
        await close();
      }

      // The data read over the API is the bank's.
      const row = await s.store.db
        .selectFrom('ais_consents')
        .select('bank_consent_id')
        .where('id', '=', consentId!)
        .executeTakeFirstOrThrow();
      const endpoint = s.services.catalogue.bankEndpoint(bank, 'sandbox', s.url);
      const present = { psuIpAddress: '192.0.2.1' };
      const bankAccounts = ok(
        await s.connector.listAccounts(
          endpoint,
          openBankConsentId(s.services.secretBox, row.bank_consent_id!),
          { withBalance: false, ...present },
        ),
      );
      const accounts = (await s.api('/ais/accounts/list', { consent_id: consentId })).body.accounts as {
        account_id: string;
        iban: string;
        balances: { type: string; amount: string }[];
      }[];
      expect(accounts.map((a) => a.iban).sort()).toEqual(bankAccounts.map((a) => a.iban).sort());
      for (const a of accounts) expect(a.balances.some((b) => b.type === 'available')).toBe(true);
      const mine = await allTransactions(consentId!);
      if (scope === 'accounts_balances') {
        expect(mine).toEqual([]);
        return;
      }
      const job = (
        await s.store.db
          .selectFrom('ais_jobs')
          .select('created_at')
          .where('consent_id', '=', consentId!)
          .executeTakeFirstOrThrow()
      ).created_at;
      const dateFrom = new Date(job.getTime() - 730 * 86_400_000).toISOString().slice(0, 10);
      for (const account of bankAccounts) {
        const lines: BankTransaction[] = [];
        for await (const p of s.connector.listTransactions(
          endpoint,
          openBankConsentId(s.services.secretBox, row.bank_consent_id!),
          account.resourceId,
          { dateFrom, bookingStatus: 'both', pageSize: 5000 },
          present,
        ))
          lines.push(...ok(p));
        const accountId = accounts.find((a) => a.iban === account.iban)!.account_id;
        const got = mine
          .filter((t) => t.account_id === accountId)
          .map((t) => `${t.status}|${t.credit_debit_indicator}|${t.amount}|${t.remittance_information}`)
          .sort();
        const want = lines
          .map((l) => {
            const x = splitSigned(l.amount.amount)!;
            return `${l.status}|${x.creditDebitIndicator}|${x.amount}|${l.remittanceInformationUnstructured}`;
          })
          .sort();
        expect(got.length).toBeGreaterThan(0);
        expect(got).toEqual(want);
      }
    },
  );

  it('a denial at the bank ends failed, shown on the page, and the app is told', async () => {
    const created = await s.api('/ais/consents/create', {
      ais_method: { provider_id: 'bt_ro' },
      options: { redirect_url: appUrl, language: 'en' },
    });
    const { consent_id: consentId, web_url: webUrl, web_id: webId } = created.body as Record<string, string>;
    const { page, problems, close } = await newPage(390, 844);
    try {
      await page.goto(webUrl!);
      await page.click('button[form="consentform"]');
      await page.waitForURL(`${s.url}/sandbox-bank/**`);
      await bankSignIn(page, 'bt_ro');
      await page.click('#deny');
      await page.waitForURL(`${s.url}/consent/${webId}`);
      expect(await page.getAttribute('[data-live]', 'data-status')).toBe('failed');
      expect(await page.textContent('.badge')).toMatch(/Access not granted/);
      await page.waitForURL(`${appUrl}?**`, { timeout: 15_000 });
      expect(new URL(page.url()).searchParams.get('status')).toBe('failed');
      expect((await s.api('/ais/consents/get', { consent_id: consentId })).body.status).toBe('failed');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it.each(templates)(
    'the %s template: labelled controls, no CSP violation, fits a phone',
    async (template) => {
      const created = await s.api('/ais/consents/create', { options: { ux_template: template } });
      const { page, problems, close } = await newPage(360, 740);
      try {
        await page.goto(created.body.web_url as string);
        const unlabelled = await page.evaluate(
          "[...document.querySelectorAll('input:not([type=hidden]), select, button')].filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !(el.textContent || '').trim()).length",
        );
        expect(unlabelled).toBe(0);
        const overflow = await page.evaluate('document.documentElement.scrollWidth > window.innerWidth + 1');
        expect(overflow).toBe(false);
        expect(await page.locator('h1').count()).toBe(1);
        await page.screenshot({ path: path.join(shots, `choose-${template}.png`), fullPage: true });
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    },
  );
});
