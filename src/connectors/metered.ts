import { type BankCallSubject, bankCallSubject } from './call-subject.js';
import type { BankConnector, BankResult } from './types.js';

/** One connector call as observed: the bank, the operation, `ok` or the error kind, how long, for what. */
export interface BankCall {
  provider: string;
  operation: string;
  outcome: string;
  /** The bank's HTTP status when the call failed with one (a success is any 2xx: not kept). */
  httpStatus: number | undefined;
  seconds: number;
  subject: BankCallSubject | undefined;
}

/** Told of every connector call (metrics, the bank call log); it must not throw. */
export type BankCallObserver = (call: BankCall) => void;

/**
 * The connector with every call observed. A transaction listing is observed per page, as each page is one call
 * to the bank.
 */
export function meteredConnector(inner: BankConnector, observe: BankCallObserver): BankConnector {
  const note = (provider: string, operation: string, result: BankResult<unknown>, started: number) =>
    observe({
      provider,
      operation,
      outcome: result.ok ? 'ok' : result.error.kind,
      httpStatus: result.ok ? undefined : result.error.httpStatus,
      seconds: (performance.now() - started) / 1000,
      subject: bankCallSubject(),
    });
  const timed = async <T>(provider: string, operation: string, run: () => Promise<BankResult<T>>) => {
    const started = performance.now();
    const result = await run();
    note(provider, operation, result, started);
    return result;
  };
  return {
    createPayment: (bank, input) =>
      timed(bank.providerId, 'createPayment', () => inner.createPayment(bank, input)),
    getPaymentStatus: (bank, product, id) =>
      timed(bank.providerId, 'getPaymentStatus', () => inner.getPaymentStatus(bank, product, id)),
    cancelPayment: (bank, product, id) =>
      timed(bank.providerId, 'cancelPayment', () => inner.cancelPayment(bank, product, id)),
    createConsent: (bank, input) =>
      timed(bank.providerId, 'createConsent', () => inner.createConsent(bank, input)),
    getConsentStatus: (bank, id) =>
      timed(bank.providerId, 'getConsentStatus', () => inner.getConsentStatus(bank, id)),
    deleteConsent: (bank, id) => timed(bank.providerId, 'deleteConsent', () => inner.deleteConsent(bank, id)),
    listAccounts: (bank, id, options) =>
      timed(bank.providerId, 'listAccounts', () => inner.listAccounts(bank, id, options)),
    getBalances: (bank, id, accountId, context) =>
      timed(bank.providerId, 'getBalances', () => inner.getBalances(bank, id, accountId, context)),
    async *listTransactions(bank, id, accountId, query, context) {
      const pages = inner.listTransactions(bank, id, accountId, query, context)[Symbol.asyncIterator]();
      try {
        for (;;) {
          const started = performance.now();
          const next = await pages.next();
          if (next.done) return;
          note(bank.providerId, 'listTransactions', next.value, started);
          yield next.value;
        }
      } finally {
        // A caller that stops early (an error page, enough history) ends the bank's paging too.
        await pages.return?.();
      }
    },
  };
}
