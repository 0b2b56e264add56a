import type { AccountRow, BalanceRow, ListedTransaction } from '../ais/index.js';
import type { Catalogue } from '../providers/index.js';
import type { Credential } from './credentials.service.js';

/** The balance types of ISO 20022 the classic API names (PascalCase); Ferry's two normalised ones are not shown. */
export const isoBalanceTypes = [
  'ClosingAvailable',
  'ClosingBooked',
  'ClosingCleared',
  'Expected',
  'ForwardAvailable',
  'Information',
  'InterimAvailable',
  'InterimBooked',
  'InterimCleared',
  'OpeningAvailable',
  'OpeningBooked',
  'OpeningCleared',
  'PreviouslyClosedBooked',
  'NonInvoiced',
  'Authorised',
] as const;

const FERRY_TYPES = new Set(['available', 'closing']);

/** `closing_booked` → `ClosingBooked`, and back. */
const pascal = (snake: string) => snake.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());
export const snakeOf = (pascalName: string) =>
  pascalName.replace(/[A-Z]/g, (c, i: number) => `${i === 0 ? '' : '_'}${c.toLowerCase()}`);

/** A bank's own balance (not one Ferry derived for FinqLink's `available`/`closing`). */
export const isBankBalance = (b: BalanceRow) => !FERRY_TYPES.has(b.type);

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function accountItem(catalogue: Catalogue, a: AccountRow, balances: readonly BalanceRow[]) {
  const schemes = [
    ...(a.iban ? [{ scheme_name: 'IBAN', identification: a.iban }] : []),
    ...(a.bic ? [{ scheme_name: 'BICFI', identification: a.bic }] : []),
  ];
  return {
    id: a.id,
    servicer_id: a.provider_id,
    servicer_name: catalogue.provider(a.provider_id)?.name ?? a.provider_id,
    timestamp: a.updated_at.toISOString(),
    data: {
      account_schemes: schemes,
      balances: balances.filter(isBankBalance).map((b) => ({
        balance_amount: b.amount,
        balance_currency: b.currency,
        balance_type: pascal(b.type),
        credit_limit_included: b.credit_limit_included ?? false,
        credit_debit_indicator: b.credit_debit_indicator,
      })),
      account_type: a.account_type ?? '',
      account_sub_type: a.account_sub_type ?? '',
      currency: a.currency,
      name: a.name ?? '',
      nickname: '',
    },
  };
}

export function balanceItem(b: BalanceRow) {
  return {
    id: b.id,
    account_id: b.account_id,
    timestamp: b.created_at.toISOString(),
    data: {
      amount: b.amount,
      credit_debit_indicator: b.credit_debit_indicator,
      credit_limit_included: b.credit_limit_included ?? false,
      credit_line: null,
      currency: b.currency,
      type: pascal(b.type),
      native_date: b.reference_date,
      native_timestamp: iso(b.reference_timestamp),
    },
  };
}

export function transactionItem(t: ListedTransaction) {
  return {
    id: t.id,
    account_id: t.account_id,
    timestamp: t.inserted_at,
    utx_id: t.utx_id,
    data: {
      amount: t.amount,
      balance: null,
      booking_date_time: t.booking_date ? `${t.booking_date}T00:00:00Z` : null,
      credit_debit_indicator: t.credit_debit_indicator,
      currency: t.currency,
      info: t.remittance_information ?? t.counterparty_name ?? '',
      status: t.status,
      details: null,
      exchange_rate: null,
    },
  };
}

/** `consents/get`'s result. */
export function credentialResult(
  catalogue: Catalogue,
  c: Credential,
  tenant: { clientId: string; name: string },
  skill: { country: string; providerId: string },
) {
  const provider = catalogue.provider(skill.providerId);
  return {
    credentials_id: c.row.id,
    originator: {
      country: countryName(skill.country),
      servicer: provider?.name ?? skill.providerId,
      skill: c.session.skill,
    },
    status: c.status,
    tenant_app_info: { client_id: tenant.clientId, name: tenant.name },
    utc_created: c.row.created_at.toISOString(),
    utc_last_update: c.row.updated_at.toISOString(),
    consent_exp: c.row.consent_exp.toISOString(),
    max_data_retention: c.row.max_data_retention.toISOString(),
  };
}

const countryName = (code: string) => new Intl.DisplayNames(['en'], { type: 'region' }).of(code) ?? code;
