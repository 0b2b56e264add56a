import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BankId } from '../../src/sandbox-bank/index.js';
import { templates } from '../../src/webui/index.js';
import { bankSignIn, launchBrowser, watchedPage } from '../support/browser.js';
import { needs } from '../support/needs.js';
import { type Stack, startStack } from '../support/stack.js';

const executablePath = await needs('chromium');
const shots = path.resolve('test-results/pay-templates');

/** The hosted pay page in Debian Chromium, against Ferry with the sandbox bank mounted, over real HTTP. */
describe.skipIf(!executablePath)('pay page in Chromium', () => {
  let s: Stack;
  let browser: Browser;
  let merchant: Server;
  let merchantUrl: string;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    s = await startStack();
    merchant = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Thanks</title><h1>Thanks for your order</h1>');
    });
    await new Promise<void>((r) => merchant.listen(0, '127.0.0.1', r));
    merchantUrl = `http://127.0.0.1:${(merchant.address() as AddressInfo).port}/thanks`;
    browser = await launchBrowser(executablePath!);
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => merchant?.close(r));
    await s?.close();
  });

  const createLink = async (body: Record<string, unknown> = {}, st: Record<string, unknown> = {}) => {
    const res = await s.api('/links/create', {
      single_transfer: {
        amount: '149.90',
        currency: 'RON',
        creditor_name: 'Librăria Ferry',
        creditor_iban: 'RO10RZBR0000069999999970',
        remittance_info: 'Comanda 1234',
        ...st,
      },
      ...body,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { link_id: string; web_id: string; web_url: string };
  };

  const newPage = (width?: number, height?: number) =>
    watchedPage(browser, { origins: [s.url, merchantUrl], width, height });

  const liveStatus = (page: Page) => page.getAttribute('[data-live]', 'data-status');

  /** Picks a bank, pays, signs in at the sandbox bank and approves or denies; returns on Ferry's page. */
  async function payInBrowser(
    page: Page,
    link: { web_url: string; web_id: string },
    methodId: string,
    decision: 'approve' | 'deny',
    fill: Record<string, string> = {},
  ) {
    await page.goto(link.web_url);
    await page.check(`input[value="${methodId}"]`);
    for (const [selector, value] of Object.entries(fill)) await page.fill(selector, value);
    await page.click('button[form="payform"]');
    await page.waitForURL(`${s.url}/sandbox-bank/**`);
    await bankSignIn(page, methodId.split('_').slice(0, 2).join('_') as BankId);
    await page.waitForSelector(`#${decision}`);
    await page.click(`#${decision}`);
    await page.waitForURL(`${s.url}/pay/${link.web_id}`);
  }

  it.each([
    ['bt_ro', 'bt_ro_ron_sandbox', {}, {}],
    ['cec_ro', 'cec_ro_ron_sandbox', {}, {}],
    [
      'rzb_ro (IBAN and PSU ID sent by the API)',
      'rzb_ro_domestic_sandbox',
      { debtor_iban: 'RO03RZBR0000069999999999', psu_id: '9999999998' },
      {},
    ],
    [
      'rzb_ro (typed by the payer)',
      'rzb_ro_domestic_sandbox',
      {},
      {
        '#debtor_iban-rzb_ro_domestic_sandbox': 'RO03 RZBR 0000 0699 9999 9999',
        '#psu_id-rzb_ro_domestic_sandbox': '9999999998',
      },
    ],
  ])(
    'completes a payment with %s; the status changes on screen without reload; back to the merchant',
    async (_name, methodId, st, fill) => {
      const link = await createLink({ options: { redirect_url: `${merchantUrl}?order=1234` } }, st);
      const { page, problems, close } = await newPage();
      try {
        await payInBrowser(page, link, methodId, 'approve', fill);
        const first = await liveStatus(page);
        expect(['received', 'submitted', 'completed']).toContain(first);
        // A marker that a reload would wipe: the page must reach `completed` with it still there.
        await page.evaluate('window.__stillHere = true');
        if (first !== 'completed') {
          await expect.poll(() => liveStatus(page), { timeout: 30_000, interval: 100 }).toBe('completed');
          expect(await page.evaluate('window.__stillHere === true')).toBe(true);
        }
        await expect.poll(() => page.textContent('.badge')).toMatch(/Plată efectuată/);
        await page.screenshot({ path: path.join(shots, `status-completed-${methodId}.png`), fullPage: true });
        // Then the page sends the payer back with link_id, web_id and status.
        await page.waitForURL(`${merchantUrl}?**`, { timeout: 15_000 });
        const back = new URL(page.url());
        expect(Object.fromEntries(back.searchParams)).toEqual({
          order: '1234',
          link_id: link.link_id,
          web_id: link.web_id,
          status: 'completed',
        });
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    },
  );

  it('a denied payment ends failed, shown as such', async () => {
    const link = await createLink();
    const { page, problems, close } = await newPage();
    try {
      await payInBrowser(page, link, 'bt_ro_ron_sandbox', 'deny');
      await expect.poll(() => liveStatus(page), { timeout: 15_000, interval: 100 }).toBe('failed');
      expect(await page.textContent('.badge')).toMatch(/Plata a eșuat/);
      await page.screenshot({ path: path.join(shots, 'status-failed.png'), fullPage: true });
      expect((await s.api('/links/get', { link_id: link.link_id })).body.status).toBe('failed');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('a payer who closes the tab at the bank still ends completed', async () => {
    const link = await createLink();
    const { page, close } = await newPage();
    await page.goto(link.web_url);
    await page.check('input[value="bt_ro_instant_sandbox"]');
    await page.click('button[form="payform"]');
    await page.waitForURL(`${s.url}/sandbox-bank/**`);
    await bankSignIn(page, 'bt_ro');
    // The tab closes the moment the bank approves: Ferry's return page is never loaded.
    await page.route(`**/pay/${link.web_id}/return**`, (route) => route.abort());
    await page.click('#approve');
    await page.waitForTimeout(200);
    await close();
    await s.waitForLink(link.link_id, 'completed', 30_000);
  });

  it('falls back to polling when Server-Sent Events are blocked', async () => {
    const link = await createLink();
    const { page, close } = await newPage();
    try {
      await page.route('**/events?**', (route) => route.abort());
      await payInBrowser(page, link, 'bt_ro_ron_sandbox', 'approve');
      await page.evaluate('window.__stillHere = true');
      // The worker runs the sandbox bank's funds notifications too: completed may already be funds_received.
      await expect
        .poll(() => liveStatus(page), { timeout: 30_000, interval: 100 })
        .toMatch(/^(completed|funds_received)$/);
      expect(await page.evaluate('window.__stillHere === true')).toBe(true);
    } finally {
      await close();
    }
  });

  it('shows a QR code of the link on desktop, not on a phone', async () => {
    const link = await createLink();
    const desk = await newPage(1280, 800);
    await desk.page.goto(link.web_url);
    expect(await desk.page.isVisible('.qr img')).toBe(true);
    const natural = await desk.page.evaluate('document.querySelector(".qr img").naturalWidth');
    expect(natural).toBeGreaterThan(0);
    await desk.close();
    const phone = await newPage(360, 740);
    await phone.page.goto(link.web_url);
    expect(await phone.page.isVisible('.qr img')).toBe(false);
    await phone.close();
  });

  describe.each(templates)('template %s', (template) => {
    it('renders at 360 px and desktop, has no overflow or CSP errors, and is usable with the keyboard', async () => {
      const link = await createLink({ options: { ux_template: template } });
      for (const [width, height, lang] of [
        [1280, 900, 'en'],
        [360, 740, 'ro'],
      ] as const) {
        const { page, problems, close } = await newPage(width, height);
        try {
          await page.goto(`${link.web_url}?lang=${lang}`);
          expect(await page.getAttribute('body', 'class')).toBe(`t-${template}`);
          await page.screenshot({ path: path.join(shots, `${template}-${width}.png`), fullPage: true });
          const layout = (await page.evaluate(`(() => {
            const d = document.documentElement;
            const unlabeled = [...document.querySelectorAll('input:not([type=hidden]), select')]
              .filter((el) => !(el.labels && el.labels.length > 0) && !el.getAttribute('aria-label'))
              .map((el) => el.name || el.id);
            return {
              scrollWidth: d.scrollWidth,
              clientWidth: d.clientWidth,
              h1: document.querySelectorAll('h1').length,
              lang: d.lang,
              unlabeled,
              live: document.querySelectorAll('[aria-live]').length,
            };
          })()`)) as {
            scrollWidth: number;
            clientWidth: number;
            h1: number;
            lang: string;
            unlabeled: string[];
          };
          expect(layout.scrollWidth, `${template} overflows at ${width}px`).toBeLessThanOrEqual(
            layout.clientWidth,
          );
          expect(layout.h1).toBe(1);
          expect(layout.lang).toBe(lang);
          expect(layout.unlabeled).toEqual([]);
          if (width === 360) {
            // Keyboard only: Tab to the bank choice, pick BT, Tab to Pay, Enter.
            let guard = 0;
            while (guard++ < 40) {
              await page.keyboard.press('Tab');
              const focused = (await page.evaluate(
                'document.activeElement && (document.activeElement.name || document.activeElement.tagName)',
              )) as string;
              if (focused === 'method_id') break;
            }
            const kind = (await page.evaluate('document.activeElement.tagName')) as string;
            if (kind === 'SELECT') {
              await page.selectOption('select[name=method_id]', 'bt_ro_ron_sandbox');
            } else {
              await page.focus('input[value="bt_ro_ron_sandbox"]');
              await page.keyboard.press('Space');
            }
            const chosen =
              kind === 'SELECT'
                ? (await page.inputValue('select[name=method_id]')) === 'bt_ro_ron_sandbox'
                : await page.isChecked('input[value="bt_ro_ron_sandbox"]');
            expect(chosen).toBe(true);
            await page.focus('button[form="payform"]');
            const visible = await page.isVisible('button[form="payform"]');
            expect(visible).toBe(true);
            await page.keyboard.press('Enter');
            await page.waitForURL(`${s.url}/sandbox-bank/**`);
            expect(await page.isVisible('#username')).toBe(true);
          }
          expect(problems).toEqual([]);
        } finally {
          await close();
        }
      }
    });
  });
});
