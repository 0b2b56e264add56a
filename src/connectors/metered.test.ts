import { describe, expect, it } from 'vitest';
import { meteredConnector, withBankCallSubject } from './index.js';
import { createFakeBank } from './test-support/fake-bank.js';

const bank = { providerId: 'bt_ro', baseUrl: 'http://bank.invalid', paymentProducts: {} };

/** The connector as services build it: every call (each transaction page) observed with its outcome. */
describe('meteredConnector', () => {
  it('observes each call by provider, operation, outcome (ok or the error kind) and the object it is for', async () => {
    const fake = createFakeBank();
    const seen: [string, string, string, number | undefined, string | undefined][] = [];
    const metered = meteredConnector(fake, (call) => {
      expect(call.seconds).toBeGreaterThanOrEqual(0);
      seen.push([call.provider, call.operation, call.outcome, call.httpStatus, call.subject?.id]);
    });
    const request = {
      access: { kind: 'allAccounts', withBalances: true, withTransactions: true },
      recurringIndicator: true,
      validUntil: '2027-01-01',
      frequencyPerDay: 4,
      redirectUri: 'https://ferry.example/ok',
      nokRedirectUri: 'https://ferry.example/nok',
    } as const;
    const created = await withBankCallSubject({ kind: 'consent', id: 'c-1' }, () =>
      metered.createConsent(bank, request),
    );
    expect(created.ok).toBe(true);
    fake.fail('getConsentStatus', { kind: 'unavailable', httpStatus: 503 });
    expect((await metered.getConsentStatus(bank, fake.lastConsentId())).ok).toBe(false);

    fake.setConsentStatus(fake.lastConsentId(), 'valid');
    fake.pageSize = 1;
    const account = fake.accounts[0]!;
    const pages: number[] = [];
    // The subject reaches every page of a listing, each read after an await in the caller's context.
    await withBankCallSubject({ kind: 'consent', id: 'c-2' }, async () => {
      for await (const page of metered.listTransactions(bank, fake.lastConsentId(), account.resourceId, {
        bookingStatus: 'both',
        dateFrom: '2020-01-01',
      })) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (page.ok) pages.push(page.value.length);
      }
    });
    expect(pages.length).toBe(account.transactions.length);
    expect(seen).toEqual([
      ['bt_ro', 'createConsent', 'ok', undefined, 'c-1'],
      ['bt_ro', 'getConsentStatus', 'unavailable', 503, undefined],
      ...pages.map(() => ['bt_ro', 'listTransactions', 'ok', undefined, 'c-2']),
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
