import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { needs } from '../support/needs.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const executablePath = await needs('chromium');

interface Layout {
  scrollWidth: number;
  clientWidth: number;
  widest: number;
  brokenImages: string[];
  images: number;
  styled: string;
}

describe.skipIf(!executablePath)('providers dashboard in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    browser = await launchBrowser(executablePath!);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it.each(['', '?env=sandbox', '?env=prod&remitter=corporate&show=ais', `?q=${'x'.repeat(64)}`])(
    'fits a 360 px phone screen without horizontal overflow, CSP violations or broken logos (%s)',
    async (query) => {
      const page = await browser.newPage({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2 });
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) problems.push(m.text());
      });
      page.on('requestfailed', (r) => problems.push(`failed ${r.url()}`));
      // The browser asks for /favicon.ico on its own; the app-wide favicon is not this page's concern.
      page.on('response', (r) => {
        if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`${r.status()} ${r.url()}`);
      });
      const external: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(base)) external.push(r.url());
      });
      await page.goto(`${base}/dashboard/providers${query}`, { waitUntil: 'load' });
      // A string, because the project compiles without the DOM lib.
      const layout = (await page.evaluate(`({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
        widest: Math.max(...[...document.querySelectorAll('body *')].map((e) => e.getBoundingClientRect().right)),
        brokenImages: [...document.images].filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.src),
        images: document.images.length,
        styled: getComputedStyle(document.querySelector('.wrap')).maxWidth,
      })`)) as Layout;
      expect(layout.scrollWidth).toBeLessThanOrEqual(layout.clientWidth);
      expect(layout.widest).toBeLessThanOrEqual(360);
      expect(layout.brokenImages).toEqual([]);
      // The long search matches nothing; every other view shows logos.
      if (!query.startsWith('?q=')) expect(layout.images).toBeGreaterThan(0);
      expect(layout.styled).not.toBe('none');
      expect(problems).toEqual([]);
      expect(external).toEqual([]);
      await page.close();
    },
  );

  it('filters with the form and no JavaScript', async () => {
    const context = await browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 360, height: 740 },
    });
    const page = await context.newPage();
    await page.goto(`${base}/dashboard/providers`);
    await page.selectOption('select[name="env"]', 'sandbox');
    await page.selectOption('select[name="scheme"]', 'instant');
    await Promise.all([page.waitForURL(/env=sandbox/), page.click('button[type="submit"]')]);
    expect(page.url()).toContain('scheme=instant');
    const ids = await page.locator('section.provider').evaluateAll((els) => els.map((e) => e.id));
    expect(ids).toEqual(['p-bt_ro']);
    await context.close();
  });
});
