import { availableBalanceMinor } from './accounts.service.js';
import { type BankId, banks } from './banks.js';
import type { SandboxContext } from './context.js';
import { isValidIban } from './data/iban.js';
import { fromMinor, toMinor } from './data/money.js';
import { findAccountByIban, ownerOf } from './data/users.js';
import type { Faults } from './faults.service.js';
import { creditorAnswer } from './notification-policy.js';
import {
  effectivePaymentStatus,
  isCancellable,
  nextPaymentStatus,
  type PaymentStatus,
  type StoredPaymentStatus,
  settlesAfterMs,
} from './payment-status.js';
import { formatError, Psd2Error, resourceUnknown } from './psd2-error.js';
import {
  deleteLedgerOfPayment,
  deleteNotificationOfPayment,
  findPayment,
  insertAuthorisation,
  insertLedgerEntries,
  insertNotification,
  insertPayment,
  listAuthorisationIds,
  type PaymentRow,
  updatePayment,
} from './sandbox.repository.js';

export interface RequestInfo {
  psuId: string | undefined;
  psuIpAddress: string | undefined;
  redirectUri: string | undefined;
  nokRedirectUri: string | undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function ibanOf(body: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const ref = body[field];
  if (ref === undefined && !required) return undefined;
  if (!isObject(ref)) throw formatError(`${field} is required.`, field);
  const iban = str(ref.iban);
  if (!iban || !isValidIban(iban)) throw formatError(`${field}.iban must be a valid IBAN.`, `${field}.iban`);
  return iban;
}

/** Checks the product's own rules: which currencies and creditor countries it carries. */
function checkProduct(bank: BankId, product: string, currency: string, creditorIban: string): void {
  const ro = creditorIban.startsWith('RO');
  const rule: Record<string, () => boolean> = {
    // CEC has no Romanian product name: it carries domestic RON transfers as sepa-credit-transfers.
    'sepa-credit-transfers': () => currency === 'EUR' || (bank === 'cec_ro' && currency === 'RON' && ro),
    'instant-sepa-credit-transfers': () => currency === 'EUR',
    'cross-border-credit-transfers': () => currency !== 'RON' || !ro,
    domestic: () => currency === 'RON' && ro,
    'ron-payment': () => currency === 'RON' && ro,
    'other-currency-payment': () => currency !== 'RON',
  };
  if (rule[product] && !rule[product]()) {
    throw formatError(
      `${product} does not carry ${currency} to ${creditorIban.slice(0, 2)}.`,
      'instructedAmount.currency',
    );
  }
}

export const isInstant = (bank: BankId, product: string) => banks[bank].instantProducts.includes(product);

export function paymentStatusNow(ctx: SandboxContext, p: PaymentRow): PaymentStatus {
  return effectivePaymentStatus(
    p.status as StoredPaymentStatus,
    p.accepted_at,
    ctx.clock.now(),
    ctx.timing,
    isInstant(p.bank as BankId, p.product),
  );
}

export function paymentLinks(base: string, p: { id: string; product: string }, authorisationId?: string) {
  const self = `${base}/v1/payments/${p.product}/${p.id}`;
  return {
    ...(authorisationId
      ? {
          scaRedirect: { href: `${base}/sca/${authorisationId}` },
          scaStatus: { href: `${self}/authorisations/${authorisationId}` },
        }
      : {}),
    self: { href: self },
    status: { href: `${self}/status` },
  };
}

export async function initiatePayment(
  ctx: SandboxContext,
  faults: Faults,
  bank: BankId,
  service: string,
  product: string,
  info: RequestInfo,
  body: unknown,
  base: string,
) {
  if (service !== 'payments')
    throw new Psd2Error(400, 'SERVICE_INVALID', `${service} are not offered by this bank.`);
  if (!banks[bank].products.includes(product))
    throw new Psd2Error(404, 'PRODUCT_UNKNOWN', `Unknown product ${product}.`);
  if (!info.psuIpAddress) throw formatError('PSU-IP-Address is required.', 'PSU-IP-Address');
  if (!info.redirectUri)
    throw formatError('TPP-Redirect-URI is required (this bank only offers redirect SCA).');
  if (!isObject(body)) throw formatError('The body must be a JSON object.');
  const amount = body.instructedAmount;
  if (!isObject(amount)) throw formatError('instructedAmount is required.', 'instructedAmount');
  const currency = str(amount.currency);
  if (!currency || !/^[A-Z]{3}$/.test(currency))
    throw formatError('instructedAmount.currency is invalid.', 'instructedAmount.currency');
  const minor = str(amount.amount) === undefined ? undefined : toMinor(str(amount.amount)!);
  if (minor === undefined || minor <= 0)
    throw formatError('instructedAmount.amount must be a positive amount.', 'instructedAmount.amount');
  const creditorIban = ibanOf(body, 'creditorAccount', true)!;
  const creditorName = str(body.creditorName);
  if (!creditorName || creditorName.length > 70)
    throw formatError('creditorName is required (≤ 70).', 'creditorName');
  const debtorIban = ibanOf(body, 'debtorAccount', false);
  if (debtorIban) {
    const debtor = findAccountByIban(debtorIban);
    if (!debtor || debtor.bank !== bank)
      throw formatError('debtorAccount is not held at this bank.', 'debtorAccount.iban');
  }
  const remittance = body.remittanceInformationUnstructured;
  if (remittance !== undefined && (typeof remittance !== 'string' || remittance.length > 140))
    throw formatError(
      'remittanceInformationUnstructured must be text ≤ 140.',
      'remittanceInformationUnstructured',
    );
  checkProduct(bank, product, currency, creditorIban);

  const psuId = info.psuId ?? (debtorIban ? ownerOf(findAccountByIban(debtorIban)!).psuId : undefined);
  const reject = await faults.take(bank, { operation: 'initiatePayment', psuId, amount: fromMinor(minor) }, [
    'reject',
  ]);
  const now = ctx.clock.now();
  const id = ctx.ids.uuid();
  const authorisationId = ctx.ids.uuid();
  await ctx.db.transaction().execute(async (trx) => {
    await insertPayment(trx, {
      id,
      bank,
      product,
      request: body,
      debtor_iban: debtorIban ?? null,
      creditor_iban: creditorIban,
      creditor_name: creditorName,
      amount: fromMinor(minor),
      currency,
      psu_id: info.psuId ?? null,
      status: 'RCVD',
      status_reason: null,
      force_reject: reject !== undefined,
      redirect_uri: info.redirectUri!,
      nok_redirect_uri: info.nokRedirectUri ?? null,
      created_at: now,
      accepted_at: null,
      updated_at: now,
    });
    await insertAuthorisation(trx, newAuthorisation(ctx, bank, 'payment', id, now));
  });
  return {
    location: `${base}/v1/payments/${product}/${id}`,
    body: {
      transactionStatus: 'RCVD',
      paymentId: id,
      scaStatus: 'received',
      _links: paymentLinks(base, { id, product }, authorisationId),
    },
    authorisationId,
  };

  function newAuthorisation(c: SandboxContext, b: BankId, kind: 'payment', parentId: string, at: Date) {
    return {
      id: authorisationId,
      bank: b,
      parent_kind: kind,
      parent_id: parentId,
      sca_status: 'received',
      step: 'login',
      psu_id: info.psuId ?? null,
      debtor_iban: null,
      form_token: c.ids.token(18),
      created_at: at,
      updated_at: at,
    };
  }
}

export async function loadPayment(
  ctx: SandboxContext,
  bank: BankId,
  product: string,
  id: string,
): Promise<PaymentRow> {
  const p = await findPayment(ctx.db, bank, id);
  if (!p || p.product !== product) throw resourceUnknown('payment');
  return p;
}

export function paymentInformation(ctx: SandboxContext, p: PaymentRow) {
  const request = p.request;
  const debtor = p.debtor_iban ? { iban: p.debtor_iban } : { currency: p.currency };
  return {
    ...(typeof request.endToEndIdentification === 'string'
      ? { endToEndIdentification: request.endToEndIdentification }
      : {}),
    debtorAccount: debtor,
    instructedAmount: { currency: p.currency, amount: p.amount },
    creditorAccount: { iban: p.creditor_iban },
    creditorName: p.creditor_name,
    ...(typeof request.remittanceInformationUnstructured === 'string'
      ? { remittanceInformationUnstructured: request.remittanceInformationUnstructured }
      : {}),
    transactionStatus: paymentStatusNow(ctx, p),
  };
}

export async function cancelPayment(ctx: SandboxContext, p: PaymentRow): Promise<void> {
  const status = paymentStatusNow(ctx, p);
  if (!isCancellable(status))
    throw new Psd2Error(
      405,
      'CANCELLATION_INVALID',
      `A payment in status ${status} can no longer be cancelled.`,
    );
  const next = nextPaymentStatus(p.status as StoredPaymentStatus, 'cancelled')!;
  await ctx.db.transaction().execute(async (trx) => {
    const ok = await updatePayment(trx, p.id, p.status, { status: next, updated_at: ctx.clock.now() });
    if (!ok) throw new Psd2Error(409, 'STATUS_INVALID', 'The payment changed meanwhile; try again.');
    await deleteLedgerOfPayment(trx, p.id);
    await deleteNotificationOfPayment(trx, p.id);
  });
}

export async function startPaymentAuthorisation(
  ctx: SandboxContext,
  p: PaymentRow,
  info: RequestInfo,
  base: string,
) {
  if (p.status !== 'RCVD')
    throw new Psd2Error(409, 'STATUS_INVALID', `The payment is already ${paymentStatusNow(ctx, p)}.`);
  const now = ctx.clock.now();
  const id = ctx.ids.uuid();
  await insertAuthorisation(ctx.db, {
    id,
    bank: p.bank,
    parent_kind: 'payment',
    parent_id: p.id,
    sca_status: 'received',
    step: 'login',
    psu_id: info.psuId ?? p.psu_id,
    debtor_iban: null,
    form_token: ctx.ids.token(18),
    created_at: now,
    updated_at: now,
  });
  const self = `${base}/v1/payments/${p.product}/${p.id}/authorisations/${id}`;
  return {
    scaStatus: 'received',
    authorisationId: id,
    _links: { scaRedirect: { href: `${base}/sca/${id}` }, scaStatus: { href: self } },
  };
}

export const authorisationIds = (ctx: SandboxContext, parentId: string) =>
  listAuthorisationIds(ctx.db, parentId);

export type ApprovalOutcome = { status: 'ACTC' } | { status: 'RJCT'; reason: string };

/** The PSU approved: the bank checks the debtor account, then accepts (and books) or rejects. */
export async function approvePayment(
  ctx: SandboxContext,
  p: PaymentRow,
  debtorIban: string,
): Promise<ApprovalOutcome> {
  const debtor = findAccountByIban(debtorIban);
  let outcome: ApprovalOutcome = { status: 'ACTC' };
  const minor = toMinor(p.amount)!;
  if (p.force_reject) outcome = { status: 'RJCT', reason: 'Rejected by the bank (injected fault).' };
  else if (!debtor || debtor.bank !== p.bank) outcome = { status: 'RJCT', reason: 'Unknown debtor account.' };
  else if (debtor.status === 'blocked')
    outcome = { status: 'RJCT', reason: 'The debtor account is blocked (AC06).' };
  else if (debtor.currency !== p.currency)
    outcome = { status: 'RJCT', reason: 'Currency differs from the account (AM03).' };
  else if ((await availableBalanceMinor(ctx, debtor)) < minor)
    outcome = { status: 'RJCT', reason: 'Insufficient funds (AM04).' };

  const now = ctx.clock.now();
  const event = outcome.status === 'ACTC' ? 'authorised' : 'rejected';
  const next = nextPaymentStatus(p.status as StoredPaymentStatus, event);
  if (!next) throw new Psd2Error(409, 'STATUS_INVALID', `The payment is already ${p.status}.`);
  await ctx.db.transaction().execute(async (trx) => {
    const ok = await updatePayment(trx, p.id, p.status, {
      status: next,
      status_reason: outcome.status === 'RJCT' ? outcome.reason : null,
      accepted_at: next === 'ACTC' ? now : null,
      debtor_iban: debtorIban,
      updated_at: now,
    });
    if (!ok) throw new Psd2Error(409, 'STATUS_INVALID', 'The payment changed meanwhile.');
    if (next !== 'ACTC' || !debtor) return;
    const settlesAt = new Date(
      now.getTime() + settlesAfterMs(ctx.timing, isInstant(p.bank as BankId, p.product)),
    );
    const remittance =
      typeof p.request.remittanceInformationUnstructured === 'string'
        ? p.request.remittanceInformationUnstructured
        : null;
    const creditor = findAccountByIban(p.creditor_iban);
    const answer = creditorAnswer(creditor);
    const entry = (
      account: { bank: string; iban: string },
      amountMinor: number,
      name: string,
      iban: string,
      text = remittance,
    ) => ({
      bank: account.bank,
      account_iban: account.iban,
      amount: fromMinor(amountMinor),
      currency: p.currency,
      counterparty_name: name,
      counterparty_iban: iban,
      remittance: text,
      payment_id: p.id,
      created_at: now,
      settles_at: settlesAt,
    });
    const debtorName = debtor.ownerName || ownerOf(debtor).displayName;
    await insertLedgerEntries(trx, [
      entry(debtor, -minor, p.creditor_name, p.creditor_iban),
      // The creditor's bank answers at settlement: a credit to an account a sandbox bank holds shows up in
      // its data; a rejected credit comes back to the debtor.
      ...(answer.event === 'funds_rejected'
        ? [entry(debtor, minor, p.creditor_name, p.creditor_iban, `Returned: ${answer.reason}`)]
        : creditor && creditor.currency === p.currency
          ? [entry(creditor, minor, debtorName, debtorIban)]
          : []),
    ]);
    await insertNotification(trx, {
      payment_id: p.id,
      bank: p.bank,
      event: answer.event,
      reason: answer.reason,
      due_at: settlesAt,
      created_at: now,
    });
  });
  return outcome;
}

/** The PSU denied, or failed to authenticate: the payment is rejected. */
export async function refusePayment(
  ctx: SandboxContext,
  p: PaymentRow,
  event: 'denied' | 'sca_failed',
): Promise<void> {
  const next = nextPaymentStatus(p.status as StoredPaymentStatus, event);
  if (!next) return;
  await updatePayment(ctx.db, p.id, p.status, {
    status: next,
    status_reason: event === 'denied' ? 'Denied by the PSU.' : 'SCA failed.',
    updated_at: ctx.clock.now(),
  });
}
