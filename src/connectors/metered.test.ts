import { describe, expect, it } from 'vitest';
import { meteredConnector } from './index.js';
import { createFakeBank } from './test-support/fake-bank.js';

const bank = { providerId: 'bt_ro', baseUrl: 'http://bank.invalid', paymentProducts: {} };

/** The connector as services build it: every call (each transaction page) observed with its outcome. */
describe('meteredConnector', () => {
  it('observes each call by provider, operation and outcome (ok or the error kind)', async () => {
    const fake = createFakeBank();
    const seen: [string, string, string][] = [];
    const metered = meteredConnector(fake, (provider, operation, outcome, seconds) => {
      expect(seconds).toBeGreaterThanOrEqual(0);
      seen.push([provider, operation, outcome]);
    });
    const request = {
      access: { kind: 'allAccounts', withBalances: true, withTransactions: true },
      recurringIndicator: true,
      validUntil: '2027-01-01',
      frequencyPerDay: 4,
      redirectUri: 'https://ferry.example/ok',
      nokRedirectUri: 'https://ferry.example/nok',
    } as const;
    const created = await metered.createConsent(bank, request);
    expect(created.ok).toBe(true);
    fake.fail('getConsentStatus', { kind: 'unavailable', httpStatus: 503 });
    expect((await metered.getConsentStatus(bank, fake.lastConsentId())).ok).toBe(false);

    fake.setConsentStatus(fake.lastConsentId(), 'valid');
    fake.pageSize = 1;
    const account = fake.accounts[0]!;
    const pages: number[] = [];
    for await (const page of metered.listTransactions(bank, fake.lastConsentId(), account.resourceId, {
      bookingStatus: 'both',
      dateFrom: '2020-01-01',
    })) {
      if (page.ok) pages.push(page.value.length);
    }
    expect(pages.length).toBe(account.transactions.length);
    expect(seen).toEqual([
      ['bt_ro', 'createConsent', 'ok'],
      ['bt_ro', 'getConsentStatus', 'unavailable'],
      ...pages.map(() => ['bt_ro', 'listTransactions', 'ok']),
    ]);
  });

  it('a caller that stops paging early ends the bank paging (no call left hanging)', async () => {
    let closed = false;
    const inner = {
      ...createFakeBank(),
      async *listTransactions() {
        try {
          yield { ok: true as const, value: [] };
          yield { ok: true as const, value: [] };
        } finally {
          closed = true;
        }
      },
    };
    let observed = 0;
    const metered = meteredConnector(inner, () => {
      observed += 1;
    });
    for await (const _page of metered.listTransactions(bank, 'c', 'a', {
      bookingStatus: 'both',
      dateFrom: '2020-01-01',
    })) {
      break;
    }
    expect(observed).toBe(1);
    expect(closed).toBe(true);
  });
});
