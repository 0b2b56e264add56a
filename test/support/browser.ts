import { type Browser, chromium, type Page } from 'playwright-core';
import type { BankId } from '../../src/sandbox-bank/index.js';
import { seedCredentials } from '../../src/sandbox-bank/test-support/sca-driver.js';

/**
 * The browser tests' one Chromium: Debian's (found by `needs('chromium')`), never a downloaded one, headless
 * with the machine's flags.
 */
export function launchBrowser(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface WatchedPage {
  page: Page;
  /** CSP violations, script errors, console errors and requests to any origin not in `origins`. */
  problems: string[];
  close(): Promise<void>;
}

/** A page in a fresh context that records every problem a hosted page must not have (see `problems`). */
export async function watchedPage(
  browser: Browser,
  options: { origins: string[]; width?: number | undefined; height?: number | undefined; locale?: string },
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    deviceScaleFactor: 1,
    locale: options.locale ?? 'ro-RO',
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    // A 404 counts (the favicon is served); an aborted load is the page moving on.
    if (m.type() === 'error' && !/Failed to load resource.*net::ERR_ABORTED/.test(m.text()))
      problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith('data:') && !options.origins.some((o) => url.startsWith(o))) {
      problems.push(`third-party request: ${url}`);
    }
  });
  await page.addInitScript({
    content:
      "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));",
  });
  return { page, problems, close: () => context.close() };
}

/**
 * Signs in on the sandbox bank's SCA page in the browser as the seed's test user of `bank`
 * (`sca-driver.ts` holds the credentials); `wrong` types a wrong password (rzb_ro: a wrong PSU id) and stops.
 */
export async function bankSignIn(page: Page, bank: BankId, wrong = false): Promise<void> {
  const c = seedCredentials[bank];
  if (bank === 'rzb_ro') {
    if (wrong) await page.fill('#psuId', '1234');
    else if ((await page.$('#psuId')) && !(await page.inputValue('#psuId')))
      await page.fill('#psuId', c.psuId!);
  } else {
    await page.fill('#username', c.username!);
    await page.fill('#password', wrong ? 'parola-gresita' : c.password!);
  }
  // The user types the debtor IBAN where the API sent none (seed 000, scenario 2).
  if (c.iban && (await page.$('#iban'))) await page.fill('#iban', c.iban);
  await page.click('#submit');
  if (wrong || !c.pin) return;
  await page.fill('#pin', c.pin);
  await page.click('#submit');
}
