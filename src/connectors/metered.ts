import type { BankConnector, BankResult } from './types.js';

/** Told of every connector call: the bank, the operation, `ok` or the error kind, and how long it took. */
export type BankCallObserver = (
  provider: string,
  operation: string,
  outcome: string,
  seconds: number,
) => void;

/**
 * The connector with every call observed (metrics). A transaction listing is observed per page, as each page is
 * one call to the bank.
 */
export function meteredConnector(inner: BankConnector, observe: BankCallObserver): BankConnector {
  const timed = async <T>(provider: string, operation: string, run: () => Promise<BankResult<T>>) => {
    const started = performance.now();
    const result = await run();
    observe(provider, operation, result.ok ? 'ok' : result.error.kind, (performance.now() - started) / 1000);
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
          const outcome = next.value.ok ? 'ok' : next.value.error.kind;
          observe(bank.providerId, 'listTransactions', outcome, (performance.now() - started) / 1000);
          yield next.value;
        }
      } finally {
        // A caller that stops early (an error page, enough history) ends the bank's paging too.
        await pages.return?.();
      }
    },
  };
}
