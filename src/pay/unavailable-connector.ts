import type { BankConnector, BankError } from '../connectors/types.js';

/**
 * Stands in when a process is built without a bank connector (tools and tests that never reach a bank): every
 * call answers "unavailable", so links can be created and read but nothing is sent to a bank.
 */
export function unavailableConnector(): BankConnector {
  const error: BankError = {
    kind: 'unavailable',
    httpStatus: undefined,
    retryable: true,
    retryAfterSeconds: undefined,
    tppMessages: [],
    message: 'No bank connector is configured in this process.',
  };
  const fail = async () => ({ ok: false as const, error });
  return {
    createPayment: fail,
    getPaymentStatus: fail,
    cancelPayment: fail,
    createConsent: fail,
    getConsentStatus: fail,
    deleteConsent: fail,
    listAccounts: fail,
    getBalances: fail,
    async *listTransactions() {
      yield { ok: false as const, error };
    },
  };
}
