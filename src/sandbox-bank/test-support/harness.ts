import { createTestStore } from '../../../test/support/test-store.js';
import type { Exchange } from '../../connectors/http.js';
import type { BankEndpoint } from '../../connectors/types.js';
import { ManualClock } from '../../shared/clock.js';
import type { Store } from '../../store/index.js';
import { type BankId, banks } from '../banks.js';
import type { SettlementTiming } from '../payment-status.js';
import { type RunningSandboxBank, startSandboxBank } from '../standalone.js';

/** Product map a providers catalogue would give for each sandbox bank. */
export const sandboxProducts: Record<BankId, Record<string, string>> = {
  rzb_ro: {
    sepa: 'sepa-credit-transfers',
    instant: 'instant-sepa-credit-transfers',
    domestic: 'domestic',
    cross_border: 'cross-border-credit-transfers',
  },
  bt_ro: {
    sepa: 'sepa-credit-transfers',
    instant: 'instant-sepa-credit-transfers',
    domestic: 'ron-payment',
    other_currency: 'other-currency-payment',
  },
  cec_ro: {
    sepa: 'sepa-credit-transfers',
    instant: 'instant-sepa-credit-transfers',
    domestic: 'sepa-credit-transfers',
  },
};

export interface TestSandbox {
  running: RunningSandboxBank;
  store: Store;
  clock: ManualClock;
  endpoint(bank: BankId, extra?: Partial<BankEndpoint>): BankEndpoint;
  close(): Promise<void>;
}

/** A sandbox bank on a loopback port over a fresh test database, with a hand-moved clock. */
export async function startTestSandbox(
  options: {
    clock?: ManualClock;
    timing?: SettlementTiming;
    tls?: { cert: string; key: string; clientCa?: string };
  } = {},
): Promise<TestSandbox> {
  const store = await createTestStore();
  const clock = options.clock ?? new ManualClock('2026-03-15T10:00:00Z');
  const running = await startSandboxBank({
    port: 0,
    store,
    clock,
    timing: options.timing ?? { acspAfterMs: 1_000, acscAfterMs: 60_000 },
    ...(options.tls ? { tlsCert: options.tls.cert, tlsKey: options.tls.key } : {}),
    ...(options.tls?.clientCa ? { clientCa: options.tls.clientCa } : {}),
  });
  return {
    running,
    store,
    clock,
    endpoint: (bank, extra = {}) => ({
      providerId: bank,
      baseUrl: `${running.url.replace('127.0.0.1', options.tls ? 'localhost' : '127.0.0.1')}/sandbox-bank/${bank}`,
      paymentProducts: sandboxProducts[bank],
      requiresSignature: banks[bank].requiresSignature,
      timeoutMs: 5_000,
      ...extra,
    }),
    async close() {
      await running.close();
      await store.close();
    },
  };
}

export const TPP_OK = 'https://ferry.test/callback/ok';
export const TPP_NOK = 'https://ferry.test/callback/nok';

/** Exchanges that injected faults make non-conformant on purpose (a malformed body, an undeclared status). */
export const isInjectedFault = (ex: Exchange) =>
  ex.responseBody?.startsWith('{"transactionStatus": "ACSC", "tppMessa') === true;
