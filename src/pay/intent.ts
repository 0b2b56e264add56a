import type { Static } from 'typebox';
import type { Catalogue, Mode, PaymentMethod, PaymentMethodFilter } from '../providers/index.js';
import { ApiError, validationError } from '../shared/errors.js';
import { checkIban } from './iban.js';
import type { MethodFilter, SingleTransfer } from './links.schema.js';
import { checkAmount, currencyMinorUnits } from './money.js';
import type { StoredMethodFilter, StoredUserEditable } from './pay.schema.js';

export type TransferInput = Static<typeof SingleTransfer>;
export type MethodFilterInput = Static<typeof MethodFilter>;

/** A `single_transfer` after the API's own checks: IBANs normalised, every field known to be well-formed. */
export interface Transfer {
  amount: string;
  currency: string;
  creditor_name: string;
  creditor_iban: string;
  remittance_info?: string;
  end_to_end_id?: string;
  debtor_iban?: string;
  psu_id?: string;
}

/** Amount, currency and IBAN checks; each failure is a `validation_error` naming the field. */
export function checkTransfer(input: TransferInput): Transfer {
  const field = (name: string) => `single_transfer.${name}`;
  const currency = input.currency;
  const minor = /^[A-Z]{3}$/.test(currency) ? currencyMinorUnits(currency) : undefined;
  if (minor === undefined)
    throw validationError(field('currency'), 'must be an ISO 4217 currency code, e.g. RON');
  const amount = checkAmount(input.amount, minor);
  if (!amount.ok) throw validationError(field('amount'), amount.message);
  if (!input.creditor_name.trim()) throw validationError(field('creditor_name'), 'must not be blank');
  const creditor = checkIban(input.creditor_iban);
  if (!creditor.ok) throw validationError(field('creditor_iban'), creditor.message);
  const transfer: Transfer = {
    amount: input.amount,
    currency,
    creditor_name: input.creditor_name.trim(),
    creditor_iban: creditor.iban,
  };
  if (input.debtor_iban !== undefined) {
    const debtor = checkIban(input.debtor_iban);
    if (!debtor.ok) throw validationError(field('debtor_iban'), debtor.message);
    transfer.debtor_iban = debtor.iban;
  }
  if (input.remittance_info !== undefined) transfer.remittance_info = input.remittance_info;
  if (input.end_to_end_id !== undefined) transfer.end_to_end_id = input.end_to_end_id;
  if (input.psu_id !== undefined) transfer.psu_id = input.psu_id;
  return transfer;
}

export function storedFilter(input: MethodFilterInput | undefined): StoredMethodFilter {
  const f: StoredMethodFilter = {};
  if (!input) return f;
  if (input.provider_id !== undefined) f.provider_id = input.provider_id;
  if (input.remitter_type !== undefined) f.remitter_type = asArray(input.remitter_type);
  if (input.payment_scheme !== undefined) f.payment_scheme = asArray(input.payment_scheme);
  if (input.env !== undefined) f.env = input.env;
  return f;
}

const asArray = <T extends string>(v: T | T[]): T[] => (Array.isArray(v) ? [...v] : [v]);

/** The catalogue filter for a stored filter; `editable` keys are dropped (the payer may choose any value). */
export function catalogueFilter(
  stored: StoredMethodFilter,
  editable: StoredUserEditable | null = null,
): PaymentMethodFilter {
  const open = (key: 'provider_id' | 'remitter_type' | 'payment_scheme') =>
    editable === true || (typeof editable === 'object' && editable !== null && editable[key] === true);
  const filter: PaymentMethodFilter = {};
  if (stored.provider_id !== undefined && !open('provider_id')) filter.providerId = stored.provider_id;
  if (stored.remitter_type !== undefined && !open('remitter_type'))
    filter.remitterType = stored.remitter_type as PaymentMethodFilter['remitterType'];
  if (stored.payment_scheme !== undefined && !open('payment_scheme'))
    filter.paymentScheme = stored.payment_scheme as PaymentMethodFilter['paymentScheme'];
  if (stored.env !== undefined) filter.env = stored.env as PaymentMethodFilter['env'];
  return filter;
}

/**
 * The methods a link may be paid with: matching the filter in this mode, offering the currency and accepting
 * the intent. Each way of ending up with none has its own error code.
 */
export function selectMethods(
  catalogue: Catalogue,
  filter: PaymentMethodFilter,
  mode: Mode,
  transfer: Transfer,
): PaymentMethod[] {
  const matching = catalogue.findPaymentMethods(filter, mode);
  if (matching.length === 0) {
    throw new ApiError(
      'method_selection_error',
      `No ${mode === 'test' ? 'sandbox' : 'live'} payment method matches payment_method.`,
      { field: 'payment_method' },
    );
  }
  const withCurrency = matching.filter((m) => m.currencies.includes(transfer.currency));
  if (withCurrency.length === 0) {
    const offered = [...new Set(matching.flatMap((m) => m.currencies))].sort().join(', ');
    throw validationError(
      'single_transfer.currency',
      `${transfer.currency} is not offered by the matching payment methods (they offer ${offered})`,
    );
  }
  const accepted: PaymentMethod[] = [];
  let firstFailure: { field: string; message: string; methodId: string } | undefined;
  for (const m of withCurrency) {
    const check = catalogue.validateIntent(m, transfer);
    if (check.ok) accepted.push(m);
    else firstFailure ??= { field: check.field, message: check.message, methodId: m.methodId };
  }
  if (accepted.length === 0 && firstFailure) {
    throw new ApiError(
      'method_input_validation_error',
      `single_transfer.${firstFailure.field}: ${firstFailure.message} (payment method ${firstFailure.methodId})`,
      { field: `single_transfer.${firstFailure.field}` },
    );
  }
  return accepted;
}

/** The *_sca types need the bank at creation, so the filter must settle on one provider. */
export function singleMethodFor(methods: PaymentMethod[], type: string): PaymentMethod {
  const providers = new Set(methods.map((m) => m.providerId));
  if (providers.size !== 1) {
    throw new ApiError(
      'method_selection_error',
      `options.type ${type} needs payment_method to select one provider (it matches ${[...providers].join(', ')}).`,
      { field: 'payment_method.provider_id' },
    );
  }
  return methods[0]!;
}

/** Checks the intent is complete for the method (debtor inputs it needs are known). */
export function checkComplete(
  catalogue: Catalogue,
  method: PaymentMethod,
  transfer: Transfer,
  prefix: string,
) {
  const check = catalogue.validateIntent(method, transfer, { complete: true });
  if (!check.ok) {
    throw new ApiError('method_input_validation_error', `${prefix}${check.field}: ${check.message}`, {
      field: `${prefix}${check.field}`,
    });
  }
}
