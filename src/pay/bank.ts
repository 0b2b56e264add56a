import {
  type BankError,
  type BankResult,
  type PaymentCreated,
  type TransactionStatus,
  withBankCallSubject,
} from '../connectors/index.js';
import type { PaymentMethod } from '../providers/index.js';
import { ApiError } from '../shared/errors.js';
import { bankPaymentIdOf } from './bank-payment-id.js';
import type { LinkRow } from './links.repository.js';
import type { PayDeps } from './pay.deps.js';

/** Where the bank sends the payer back: through the hosted page, or straight to the client for direct_sca. */
export function returnUrls(
  deps: Pick<PayDeps, 'publicUrl'>,
  link: Pick<LinkRow, 'web_id' | 'type' | 'redirect_url'>,
) {
  if (link.type === 'direct_sca' && link.redirect_url) {
    return { ok: link.redirect_url, nok: link.redirect_url };
  }
  const base = `${deps.publicUrl}/pay/${link.web_id}/return`;
  return { ok: base, nok: `${base}?outcome=nok` };
}

export interface PaymentRequest {
  link: Pick<
    LinkRow,
    | 'id'
    | 'web_id'
    | 'type'
    | 'redirect_url'
    | 'amount'
    | 'currency'
    | 'creditor_name'
    | 'creditor_iban'
    | 'remittance_info'
    | 'end_to_end_id'
    | 'debtor_iban'
    | 'psu_id'
  >;
  method: PaymentMethod;
  psuIpAddress?: string | undefined;
}

export async function createBankPayment(
  deps: PayDeps,
  req: PaymentRequest,
): Promise<{ product: string; result: BankResult<PaymentCreated> }> {
  const { link, method } = req;
  const endpoint = deps.catalogue.bankEndpoint(method.providerId, method.env, deps.publicUrl);
  const product = deps.catalogue.paymentProduct(method, link.currency);
  const urls = returnUrls(deps, link);
  const result = await withBankCallSubject({ kind: 'link', id: link.id }, () =>
    deps.connector.createPayment(endpoint, {
      product,
      instructedAmount: { currency: link.currency, amount: link.amount },
      creditorName: link.creditor_name,
      creditorIban: link.creditor_iban,
      ...(link.debtor_iban ? { debtorIban: link.debtor_iban } : {}),
      ...(link.psu_id ? { psuId: link.psu_id } : {}),
      ...(link.remittance_info ? { remittanceInformationUnstructured: link.remittance_info } : {}),
      ...(link.end_to_end_id ? { endToEndIdentification: link.end_to_end_id } : {}),
      ...(req.psuIpAddress ? { psuIpAddress: req.psuIpAddress } : {}),
      redirectUri: urls.ok,
      nokRedirectUri: urls.nok,
    }),
  );
  return { product, result };
}

/** Where a link's payment lives at the bank, with its id opened; undefined before the bank holds one. */
function paymentAtBank(deps: PayDeps, link: LinkRow) {
  const paymentId = bankPaymentIdOf(deps.secretBox, link);
  if (!paymentId || !link.bank_product || !link.method_id) return undefined;
  const method = deps.catalogue.paymentMethod(link.method_id);
  if (!method) return undefined;
  const endpoint = deps.catalogue.bankEndpoint(method.providerId, method.env, deps.publicUrl);
  return { endpoint, product: link.bank_product, paymentId };
}

export async function bankPaymentStatus(
  deps: PayDeps,
  link: LinkRow,
): Promise<BankResult<{ transactionStatus: TransactionStatus }> | undefined> {
  const at = paymentAtBank(deps, link);
  return (
    at &&
    withBankCallSubject({ kind: 'link', id: link.id }, () =>
      deps.connector.getPaymentStatus(at.endpoint, at.product, at.paymentId),
    )
  );
}

export async function cancelBankPayment(deps: PayDeps, link: LinkRow) {
  const at = paymentAtBank(deps, link);
  return (
    at &&
    withBankCallSubject({ kind: 'link', id: link.id }, () =>
      deps.connector.cancelPayment(at.endpoint, at.product, at.paymentId),
    )
  );
}

/** A bank refusal as the API reports it (FinqLink: 400 unprocessable_entity), with the bank's codes. */
export function bankRefusal(error: BankError): ApiError {
  const codes = error.tppMessages.map((m) => m.code);
  const detail = error.tppMessages.map((m) => (m.text ? `${m.code}: ${m.text}` : m.code)).join('; ');
  const message = error.retryable
    ? 'The bank is not available right now; try again shortly.'
    : `The bank refused the payment${detail ? ` (${detail})` : ''}.`;
  return new ApiError('unprocessable_entity', message, {
    bank_error: { kind: error.kind, retryable: error.retryable, codes },
  });
}
