import type { SecretBox } from '../shared/secret-box.js';
import type { LinkRow } from './links.repository.js';

/**
 * The bank's id of a payment reads its status and cancels it at the bank (at a bank that asks for no
 * certificate, that id alone does), so it is stored sealed with the master key, as the bank's consent id is.
 * The bank's funds notifications name a payment by that id: a keyed hash of it (`bank_payment_key`) finds the
 * link. A row written before sealing holds the plain id and no key, and is still read and found.
 */
const PURPOSE = 'bank payment id';

export const bankPaymentKey = (box: SecretBox, paymentId: string): string =>
  box.lookupKey(PURPOSE, paymentId);

/** The columns that record the bank's id of a payment. */
export function bankPaymentColumns(box: SecretBox, paymentId: string) {
  return { bank_payment_id: box.seal(paymentId), bank_payment_key: bankPaymentKey(box, paymentId) };
}

/** The bank's id of a link's payment, opened for a bank call; undefined before the bank has one. */
export function bankPaymentIdOf(box: SecretBox, link: Pick<LinkRow, 'bank_payment_id'>): string | undefined {
  return link.bank_payment_id ? box.openOrPlain(link.bank_payment_id) : undefined;
}
