import type { ApiClient } from '../auth/index.js';
import type { PageInfo } from '../shared/cursor.js';
import type { AisDeps } from './ais.context.js';
import type { Consent } from './consent.repository.js';
import { webUrlOf } from './consent.service.js';
import type { AccountRow, BalanceRow, ListedTransaction } from './data.repository.js';
import type { Job } from './job.repository.js';

type Keyed<T> = { row: T; keyset: string };

/** API shapes (snake_case) of the AIS objects. */

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function serviceProviderView(deps: AisDeps, providerId: string | null) {
  if (!providerId) return null;
  const p = deps.catalogue.provider(providerId);
  return p
    ? { provider_id: p.providerId, name: p.name, country: p.country, bic: p.bic }
    : { provider_id: providerId };
}

export function aisMethodView(deps: AisDeps, methodId: string | null) {
  const m = methodId ? deps.catalogue.aisMethod(methodId) : undefined;
  if (!m) return null;
  return {
    method_id: m.methodId,
    provider_id: m.providerId,
    name: m.name,
    account_owner_type: [...m.accountOwnerType],
    interface_type: m.interfaceType,
    interface_env: m.interfaceEnv,
  };
}

export function consentView(deps: AisDeps, consent: Consent, accounts: readonly AccountRow[]) {
  return {
    consent_id: consent.id,
    web_id: consent.webId,
    web_url: webUrlOf(deps, consent),
    status: consent.status,
    status_reason: consent.statusReason,
    flow_type: consent.flowType,
    scope: consent.scope,
    consent_validity_days: consent.consentValidityDays,
    created_at: consent.createdAt.toISOString(),
    expires_at: consent.expiresAt.toISOString(),
    is_expired: consent.status === 'expired',
    authorized_at: iso(consent.authorizedAt),
    authorized_until: iso(consent.authorizedUntil),
    redirect_url: consent.redirectUrl,
    webhook_url: consent.webhookUrl,
    tracking: consent.tracking,
    ais_method: aisMethodView(deps, consent.methodId),
    service_provider: serviceProviderView(deps, consent.providerId),
    accounts: accounts.map((a) => accountView(a, [])),
  };
}

export function balanceView(b: BalanceRow, keyset?: string) {
  return {
    balance_id: b.id,
    account_id: b.account_id,
    job_id: b.job_id,
    type: b.type,
    bank_type: b.bank_type,
    amount: b.amount,
    currency: b.currency,
    credit_debit_indicator: b.credit_debit_indicator,
    credit_limit_included: b.credit_limit_included,
    reference_date: b.reference_date,
    reference_timestamp: iso(b.reference_timestamp),
    created_at: b.created_at.toISOString(),
    ...(keyset !== undefined ? { keyset } : {}),
  };
}

export function accountView(a: AccountRow, balances: readonly BalanceRow[]) {
  return {
    account_id: a.id,
    provider_id: a.provider_id,
    iban: a.iban,
    bic: a.bic,
    currency: a.currency,
    name: a.name,
    owner_name: a.owner_name,
    account_type: a.account_type,
    account_sub_type: a.account_sub_type,
    created_at: a.created_at.toISOString(),
    updated_at: a.updated_at.toISOString(),
    balances: balances.map((b) => balanceView(b)),
  };
}

export function transactionView(t: ListedTransaction, keyset: string) {
  return {
    transaction_id: t.id,
    utx_id: t.utx_id,
    account_id: t.account_id,
    status: t.status,
    amount: t.amount,
    currency: t.currency,
    credit_debit_indicator: t.credit_debit_indicator,
    booking_date: t.booking_date,
    booking_date_time: t.booking_date ? `${t.booking_date}T00:00:00Z` : null,
    value_date: t.value_date,
    sort_date: t.sort_date,
    counterparty_name: t.counterparty_name,
    counterparty_iban: t.counterparty_iban,
    remittance_information: t.remittance_information,
    bank_transaction_code: t.bank_transaction_code,
    bank_transaction_id: t.bank_transaction_id,
    entry_reference: t.entry_reference,
    replaced_utx_id: t.replaced_utx_id,
    inserted_at: t.inserted_at,
    updated_at: t.updated_at,
    keyset,
  };
}

export function jobView(deps: AisDeps, client: ApiClient, consent: Consent, job: Job) {
  return {
    job_id: job.id,
    consent_id: consent.id,
    status: job.status,
    kind: job.kind,
    callback_url: job.callbackUrl ?? consent.webhookUrl ?? client.webhookUrl,
    service_provider: serviceProviderView(deps, consent.providerId),
    ais_method: aisMethodView(deps, consent.methodId),
    results: job.results,
    error: job.error,
    created_at: job.createdAt.toISOString(),
    started_at: iso(job.startedAt),
    finished_at: iso(job.finishedAt),
  };
}

/** accounts/list: each account with its latest balances. */
export function accountListView(list: {
  consentId: string;
  accounts: { account: AccountRow; balances: readonly BalanceRow[] }[];
}) {
  return {
    consent_id: list.consentId,
    accounts: list.accounts.map(({ account, balances }) => accountView(account, balances)),
  };
}

/** balances/list: one page of snapshots with their cursors. */
export function balanceListView(list: {
  consentId: string;
  page: Keyed<BalanceRow>[];
  pagination: PageInfo;
}) {
  return {
    consent_id: list.consentId,
    balances: list.page.map(({ row, keyset }) => balanceView(row, keyset)),
    pagination: list.pagination,
  };
}

/** transactions/list: one page with its cursors. */
export function transactionListView(list: {
  consentId: string;
  page: Keyed<ListedTransaction>[];
  pagination: PageInfo;
}) {
  return {
    consent_id: list.consentId,
    transactions: list.page.map(({ row, keyset }) => transactionView(row, keyset)),
    pagination: list.pagination,
  };
}
