import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox, TPP_OK } from '../sandbox-bank/test-support/harness.js';
import { driveSca } from '../sandbox-bank/test-support/sca-driver.js';
import { ManualClock } from '../shared/clock.js';
import { createNextGenPsd2Connector, type NextGenPsd2Connector } from './index.js';
import { ExchangeRecorder } from './test-support/psd2-conformance.js';

/**
 * The benchmark user (bt_ro `benchbt`): 2,750 booked lines a day since 2025-01-01, generated on demand.
 * Paging the whole year through `_links.next` must return every transaction exactly once.
 */
let sandbox: TestSandbox;
let connector: NextGenPsd2Connector;
const recorder = new ExchangeRecorder();
let sampled = 0;

beforeAll(async () => {
  sandbox = await startTestSandbox({ clock: new ManualClock('2026-01-01T12:00:00Z') });
  // Spec-check the first pages only: validating a million lines would measure the validator, not the paging.
  connector = createNextGenPsd2Connector({
    onExchange: (ex) => {
      if (sampled++ < 6) recorder.onExchange(ex);
    },
  });
});

afterAll(async () => {
  await connector?.close();
  await sandbox?.close();
});

describe('1,000,000+ transactions by _links.next', () => {
  it('returns every transaction once', { timeout: 600_000 }, async () => {
    const endpoint = sandbox.endpoint('bt_ro', { timeoutMs: 60_000 });
    const consent = await connector.createConsent(endpoint, {
      access: { kind: 'allPsd2' },
      recurringIndicator: true,
      validUntil: '2026-02-01',
      frequencyPerDay: 4,
      psuIpAddress: '192.0.2.40',
      redirectUri: TPP_OK,
      nokRedirectUri: TPP_OK,
    });
    if (!consent.ok) throw new Error(JSON.stringify(consent.error));
    await driveSca(consent.value.scaRedirectUrl, {
      credentials: { username: 'benchbt', password: 'benchbt', pin: '1234567' },
      decision: 'approve',
    });
    const accounts = await connector.listAccounts(endpoint, consent.value.consentId, { withBalance: false });
    if (!accounts.ok) throw new Error(JSON.stringify(accounts.error));
    const account = accounts.value[0]!;

    const ids = new Set<string>();
    let count = 0;
    let pages = 0;
    const started = performance.now();
    for await (const page of connector.listTransactions(
      endpoint,
      consent.value.consentId,
      account.resourceId,
      {
        dateFrom: '2025-01-01',
        dateTo: '2026-01-01',
        bookingStatus: 'booked',
        pageSize: 5_000,
      },
    )) {
      if (!page.ok) throw new Error(JSON.stringify(page.error));
      pages++;
      for (const t of page.value) {
        ids.add(t.transactionId!);
        count++;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const days = 366; // 2025-01-01 .. 2026-01-01 inclusive
    expect(count).toBe(days * 2_750);
    expect(ids.size).toBe(count);
    expect(count).toBeGreaterThanOrEqual(1_000_000);
    console.log(
      `paged ${count.toLocaleString('en')} transactions in ${pages} pages of ≤5,000 in ${seconds.toFixed(1)} s ` +
        `(${Math.round(count / seconds).toLocaleString('en')} tx/s, ${store()} store)`,
    );
    expect(await recorder.violations()).toEqual([]);
  });
});

const store = () => sandbox.store.kind;
