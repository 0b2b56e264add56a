import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeBank } from '../../src/connectors/test-support/fake-bank.js';
import { templates } from '../../src/webui/index.js';
import { launchBrowser } from '../support/browser.js';
import { measureContrast } from '../support/contrast.js';
import { needs } from '../support/needs.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const executablePath = await needs('chromium');

/**
 * WCAG 2.1 AA text contrast on the rendered hosted pages, every template, phone and desktop width: ≥ 4.5:1 for
 * body text and ≥ 3:1 for large text, measured against the real pixels behind the text (gradients and glass
 * panes included), which axe-core cannot judge.
 */
let t: TestApp;
let browser: Browser;
let origin: string;
let creds: { client_id: string; client_secret: string };

beforeAll(async () => {
  if (!executablePath) return;
  t = await createTestApp({ connector: createFakeBank() });
  const c = await t.client();
  creds = { client_id: c.clientId, client_secret: c.clientSecret };
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  browser = await launchBrowser(executablePath!);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function pathOf(kind: 'pay' | 'consent', template: string): Promise<string> {
  const res =
    kind === 'pay'
      ? await t.app.inject({
          method: 'POST',
          url: '/test/links/create',
          payload: {
            ...creds,
            single_transfer: {
              amount: '1234.50',
              currency: 'RON',
              creditor_name: 'Magazinul Ferry',
              creditor_iban: 'RO10RZBR0000069999999970',
              remittance_info: 'Factura 77',
            },
            options: { ux_template: template },
          },
        })
      : await t.app.inject({
          method: 'POST',
          url: '/test/ais/consents/create',
          payload: { ...creds, options: { ux_template: template } },
        });
  return new URL(res.json().web_url as string).pathname;
}

describe.skipIf(!executablePath)('text contrast on the hosted pages', () => {
  for (const kind of ['pay', 'consent'] as const) {
    it.each(templates)(
      `${kind} page, %s template: every text ≥ 4.5:1 (large ≥ 3:1) at 360 px and 1280 px`,
      async (template) => {
        const path = await pathOf(kind, template);
        const failures: string[] = [];
        for (const width of [360, 1280]) {
          const context = await browser.newContext({
            viewport: { width, height: 900 },
            bypassCSP: true,
            deviceScaleFactor: 1,
          });
          try {
            const page = await context.newPage();
            await page.goto(`${origin}${path}`);
            const measured = await measureContrast(page);
            expect(measured.length).toBeGreaterThan(3);
            for (const m of measured)
              if (m.ratio < m.required)
                failures.push(`${width}px "${m.text}": ${m.ratio}:1 < ${m.required}:1`);
            const worst = measured.reduce((a, b) => (b.ratio / b.required < a.ratio / a.required ? b : a));
            console.info(
              `contrast ${kind}/${template} ${width}px: lowest ${worst.ratio}:1 ("${worst.text}")`,
            );
          } finally {
            await context.close();
          }
        }
        expect(failures).toEqual([]);
      },
    );
  }
});
