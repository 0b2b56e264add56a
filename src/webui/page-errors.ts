import { ApiError, type ErrorCode } from '../shared/errors.js';
import type { MessageKey, Translate } from './i18n.js';

/**
 * The error codes a hosted page can show: what the flows behind the pages' actions throw (pay:
 * payment-flow.service.ts and intent.ts; ais: consent-flow.ts and consent-bank.ts). Each has its own text in
 * every language; any other code, and any error that is not an ApiError, falls back to `error.generic`. The
 * API's `message` is English for developers, so it never reaches a page.
 */
export const pageErrorCodes = [
  'bad_request',
  'validation_error',
  'method_selection_error',
  'method_input_validation_error',
  'link_expired',
  'unprocessable_entity',
  'not_found',
] as const satisfies readonly ErrorCode[];

export type PageErrorCode = (typeof pageErrorCodes)[number];

const keys: Record<PageErrorCode, MessageKey> = {
  bad_request: 'error.code.bad_request',
  validation_error: 'error.code.validation_error',
  method_selection_error: 'error.code.method_selection_error',
  method_input_validation_error: 'error.code.method_input_validation_error',
  link_expired: 'error.code.link_expired',
  unprocessable_entity: 'error.code.unprocessable_entity',
  // Each page words its own (a payment link, a consent link).
  not_found: 'error.notfound',
};

const isPageErrorCode = (code: string): code is PageErrorCode => Object.hasOwn(keys, code);

/** A bank's refusal as the API reports it (`bank_error` in the envelope, docs/pay.md). */
function bankErrorOf(error: ApiError): { retryable: boolean; codes: string[] } | undefined {
  const bank = error.extra.bank_error as { retryable?: unknown; codes?: unknown } | undefined;
  if (!bank || typeof bank !== 'object') return undefined;
  const codes = Array.isArray(bank.codes) ? bank.codes.filter((c): c is string => typeof c === 'string') : [];
  return { retryable: bank.retryable === true, codes };
}

/** The i18n key for an error a page shows: by code, more precisely for a bank's refusal, else generic. */
export function pageErrorKey(error: unknown): MessageKey {
  if (!(error instanceof ApiError)) return 'error.generic';
  const bank = bankErrorOf(error);
  if (bank) return bank.retryable ? 'error.bank.unavailable' : 'error.bank.refused';
  return isPageErrorCode(error.code) ? keys[error.code] : 'error.generic';
}

/** The translated text; a bank's refusal keeps the bank's own codes (support needs them, they need no words). */
export function pageErrorText(error: unknown, t: Translate): string {
  const text = t(pageErrorKey(error));
  const bank = error instanceof ApiError ? bankErrorOf(error) : undefined;
  return bank && !bank.retryable && bank.codes.length > 0
    ? `${text} ${t('error.bank.codes', { codes: bank.codes.join(', ') })}`
    : text;
}
