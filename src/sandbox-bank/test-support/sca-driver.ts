import { type Dispatcher, request } from 'undici';
import type { BankId } from '../banks.js';

export interface ScaCredentials {
  psuId?: string;
  username?: string;
  password?: string;
  pin?: string;
  iban?: string;
}

/** The seed's test credentials per bank (shared/seeds/000 "Sandbox testing"). */
export const seedCredentials: Record<BankId, ScaCredentials> = {
  rzb_ro: { psuId: '9999999998', iban: 'RO03RZBR0000069999999999' },
  bt_ro: { username: 'testbt', password: 'testbt', pin: '1234567' },
  cec_ro: { username: 'testcecapi', password: 'testcecapi', iban: 'RO42CECEAG0202RON0007466' },
};

export interface ScaRun {
  /** Where the bank finally sent the browser (the TPP redirect or nok URI). */
  finalUrl: string | undefined;
  /** Every HTML page seen, in order (for assertions on errors). */
  pages: string[];
}

const formOf = (html: string) => {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');
  const token = /name="token" value="([^"]+)"/.exec(html)?.[1];
  return action && token ? { action, token } : undefined;
};

/**
 * Plays the PSU on the sandbox's redirect-SCA pages with plain HTTP form posts (the browser test drives the
 * same pages in Chromium): signs in, enters the PIN, then approves or denies.
 */
export async function driveSca(
  scaUrl: string,
  options: {
    credentials: ScaCredentials;
    decision: 'approve' | 'deny';
    accounts?: string[];
    debtor?: string;
    dispatcher?: Dispatcher;
    /** Stop after this many sign-in attempts with these credentials (wrong-credential tests). */
    maxSteps?: number;
  },
): Promise<ScaRun> {
  const pages: string[] = [];
  const scaPrefix = scaUrl.slice(0, scaUrl.lastIndexOf('/sca/') + 5);
  let url = scaUrl;
  for (let step = 0; step < (options.maxSteps ?? 10); step++) {
    const page = await request(url, {
      method: 'GET',
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    const html = await page.body.text();
    pages.push(html);
    const form = formOf(html);
    if (!form) return { finalUrl: undefined, pages };
    const fields = new URLSearchParams({ token: form.token });
    const c = options.credentials;
    if (form.action.endsWith('/login')) {
      if (html.includes('name="psuId"')) fields.set('psuId', c.psuId ?? '');
      if (html.includes('name="username"')) fields.set('username', c.username ?? '');
      if (html.includes('name="password"')) fields.set('password', c.password ?? '');
      if (html.includes('name="iban"')) fields.set('iban', c.iban ?? '');
    } else if (form.action.endsWith('/pin')) {
      fields.set('pin', c.pin ?? '');
    } else {
      fields.set('decision', options.decision);
      if (options.debtor) fields.set('debtor', options.debtor);
      else {
        const radio = /name="debtor" value="([^"]+)" checked/.exec(html)?.[1];
        if (radio) fields.set('debtor', radio);
      }
      const boxes =
        options.accounts ?? [...html.matchAll(/name="accounts" value="([^"]+)" checked/g)].map((m) => m[1]!);
      for (const iban of boxes) fields.append('accounts', iban);
    }
    const posted = await request(form.action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: fields.toString(),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    const text = await posted.body.text();
    if (posted.statusCode !== 303) {
      pages.push(text);
      url = url.startsWith(scaPrefix) ? url : scaUrl;
      continue;
    }
    const location = String(posted.headers.location);
    if (!location.startsWith(scaPrefix)) return { finalUrl: location, pages };
    url = location;
  }
  return { finalUrl: undefined, pages };
}
