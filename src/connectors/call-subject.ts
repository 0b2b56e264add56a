import { AsyncLocalStorage } from 'node:async_hooks';

/** The Ferry object a bank call is made for: a payment link or a consent (the operator console lists them). */
export interface BankCallSubject {
  kind: 'link' | 'consent';
  id: string;
}

const current = new AsyncLocalStorage<BankCallSubject>();

/**
 * Runs `run` with every bank call it makes, however deep, attributed to `subject`. Node's AsyncLocalStorage
 * carries it through awaits and async generators, so the connector contract stays as it is: a call site names
 * its object once instead of every connector method taking one more argument.
 */
export function withBankCallSubject<T>(subject: BankCallSubject, run: () => T): T {
  return current.run(subject, run);
}

/** The object the current bank call is made for, if its caller named one. */
export const bankCallSubject = (): BankCallSubject | undefined => current.getStore();
