import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, watchedPage } from '../support/browser.js';
import { needs } from '../support/needs.js';
import { listenOperatorApp } from '../support/operator-app.js';
import { type Stack, startStack } from '../support/stack.js';
import { startReceiver, waitFor } from '../support/webhook-receiver.js';

const executablePath = await needs('chromium');
const token = `fat_${'e'.repeat(40)}`;

/**
 * The operator follows a real payment in the console: a link paid at the sandbox bank over HTTP (the NextGenPSD2
 * connector, the worker's status polling and webhook delivery), then found in Chromium with its bank calls and
 * webhook attempts, and one webhook redelivered.
 */
describe.skipIf(!executablePath)('the console on a paid link (Chromium, sandbox bank)', () => {
  let s: Stack;
  let ops: FastifyInstance;
  let base: string;
  let browser: Browser;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    s = await startStack();
    receiver = await startReceiver(() => 200);
    ({ ops, base } = await listenOperatorApp(s.services.operatorDeps, token));
    browser = await launchBrowser(executablePath!);
  });
  afterAll(async () => {
    await browser?.close();
    await ops?.close();
    await receiver?.close();
    await s?.close();
  });

  it('signs in, finds the paid link, sees its bank calls and webhook attempts, redelivers one', async () => {
    const created = await s.api('/links/create', {
      single_transfer: {
        amount: '12.34',
        currency: 'RON',
        creditor_name: 'Console Shop',
        creditor_iban: 'RO10RZBR0000069999999970',
      },
      options: { webhook_url: `${receiver.url}/pay` },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const { link_id: linkId, web_id: webId, web_url: webUrl } = created.body as Record<string, string>;
    await s.payOverHttp(webUrl!, 'bt_ro_ron_sandbox', 'bt_ro');
    await s.waitForLink(linkId!, 'completed');
    const completedHook = (body: string) => JSON.parse(body).status === 'completed';
    await waitFor(() => receiver.received.some((r) => completedHook(r.body.toString())));
    const before = receiver.received.length;

    const { page, problems, close } = await watchedPage(browser, {
      origins: [base],
      width: 360,
      height: 740,
      locale: 'en-GB',
    });
    try {
      await page.goto(`${base}/console/links?lang=en`);
      expect(page.url()).toContain('/console/sign-in');
      await page.fill('input[name="token"]', token);
      await Promise.all([page.waitForURL(/\/console\?lang=en/), page.click('button[type="submit"]')]);
      await page.goto(`${base}/console/links?lang=en`);
      await page.fill('input[name="q"]', webId!);
      await page.selectOption('select[name="status"]', 'completed');
      await Promise.all([page.waitForURL(/q=/), page.click('form[action="/console/links"] button')]);
      await Promise.all([page.waitForLoadState('load'), page.click(`a:has-text("${webId}")`)]);

      // The bank calls: the payment's initiation and the status polls that followed it, each with its latency.
      const calls = (await page.locator('ol.bank-calls li').allTextContents()).map((c) =>
        c.replace(/\s+/g, ' '),
      );
      expect(calls[0]).toMatch(/ bt_ro createPayment: ok, \d+ ms$/);
      expect(calls.slice(1).length).toBeGreaterThanOrEqual(1);
      expect(calls.slice(1).every((c) => / bt_ro getPaymentStatus: ok, \d+ ms$/.test(c))).toBe(true);
      // Every webhook of the link, each delivered once so far.
      const events = page.locator('ul.events > li');
      expect(await events.count()).toBeGreaterThanOrEqual(4);
      const completed = events.filter({ hasText: 'link_status_update' }).last();
      expect(await completed.textContent()).toContain('delivered 200');

      await completed.locator('form button').click();
      await page.waitForSelector('text=Queued for delivery again.');
      await waitFor(() => receiver.received.length > before);
      const again = receiver.received.slice(before);
      expect(again.length).toBe(1);
      expect(JSON.parse(again[0]!.body.toString())).toMatchObject({ link_id: linkId });
      await page.goto(`${base}/console/links/${linkId}?lang=en`);
      expect(await page.locator('ul.events li ol li').count()).toBeGreaterThan(await events.count());

      // The banks page counts these calls in bt_ro's last 24 hours.
      await page.goto(`${base}/console/providers?lang=en`);
      expect(await page.textContent('#p-bt_ro .health')).toMatch(/Last 24 h: \d+ calls, 100\.0% ok/);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});
