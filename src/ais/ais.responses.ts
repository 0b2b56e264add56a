import { Type } from 'typebox';
import { Amount, CalendarDate, FreeForm, nullable, OneOf, Pagination, Timestamp } from '../api/index.js';
import { consentStatuses } from './consent-status.js';
import { jobStatuses } from './job-status.js';

/** The answers of the FinqLink Data (AIS) endpoints. */

const ConsentStatus = OneOf(consentStatuses);
const flowTypes = ['link', 'wrapped_sca', 'direct_sca', 'redirect_sca'] as const;
const Scope = Type.Array(OneOf(['accounts', 'balances', 'transactions'] as const));
const CreditDebit = OneOf(['credit', 'debit'] as const);
const Uuid = Type.String({ format: 'uuid' });

const ServiceProvider = nullable(
  Type.Object({
    provider_id: Type.String(),
    name: Type.Optional(Type.String()),
    country: Type.Optional(Type.String()),
    bic: Type.Optional(Type.String()),
  }),
);

const AisMethod = nullable(
  Type.Object({
    method_id: Type.String(),
    provider_id: Type.String(),
    name: Type.String(),
    account_owner_type: Type.Array(Type.String()),
    interface_type: Type.String(),
    interface_env: Type.String(),
  }),
);

export const Balance = Type.Object({
  balance_id: Type.String(),
  account_id: Type.String(),
  job_id: Type.String(),
  type: Type.String({ description: 'e.g. closing_booked, expected, interim_available' }),
  bank_type: nullable(Type.String({ description: 'the bank’s balanceType' })),
  amount: Amount,
  currency: Type.String(),
  credit_debit_indicator: CreditDebit,
  credit_limit_included: nullable(Type.Boolean()),
  reference_date: nullable(CalendarDate()),
  reference_timestamp: nullable(Timestamp()),
  created_at: Timestamp(),
  keyset: Type.Optional(Type.String({ description: 'this item as a pagination.after cursor' })),
});

export const Account = Type.Object({
  account_id: Type.String(),
  provider_id: Type.String(),
  iban: nullable(Type.String()),
  bic: nullable(Type.String()),
  currency: Type.String(),
  name: nullable(Type.String()),
  owner_name: nullable(Type.String()),
  account_type: nullable(Type.String()),
  account_sub_type: nullable(Type.String()),
  created_at: Timestamp(),
  updated_at: Timestamp(),
  balances: Type.Array(Balance),
});

export const ConsentCreated = Type.Object({
  created_at: Timestamp(),
  expires_at: Timestamp(),
  consent_validity_days: Type.Integer(),
  consent_id: Uuid,
  web_id: Type.String(),
  web_url: nullable(Type.String()),
  status: ConsentStatus,
  scope: Scope,
});

export const ConsentBody = Type.Object({
  consent_id: Uuid,
  web_id: Type.String(),
  web_url: nullable(Type.String()),
  status: ConsentStatus,
  status_reason: nullable(Type.String()),
  flow_type: OneOf(flowTypes),
  scope: Scope,
  consent_validity_days: Type.Integer(),
  created_at: Timestamp(),
  expires_at: Timestamp(),
  is_expired: Type.Boolean(),
  authorized_at: nullable(Timestamp()),
  authorized_until: nullable(Timestamp()),
  redirect_url: nullable(Type.String()),
  webhook_url: nullable(Type.String()),
  tracking: nullable(FreeForm('customer_ref, order_ref')),
  ais_method: AisMethod,
  service_provider: ServiceProvider,
  accounts: Type.Array(Account),
});

export const ConsentStatusBody = Type.Object({ consent_id: Uuid, status: ConsentStatus });
export const ConsentRedirected = Type.Object({
  consent_id: Uuid,
  status: ConsentStatus,
  web_url: nullable(Type.String()),
});

export const AccountList = Type.Object({ consent_id: Uuid, accounts: Type.Array(Account) });
export const BalanceList = Type.Object({
  consent_id: Uuid,
  balances: Type.Array(Balance),
  pagination: Pagination,
});

export const Transaction = Type.Object({
  transaction_id: Type.String(),
  utx_id: Type.String({ description: 'stable across pending → booked' }),
  account_id: Type.String(),
  status: OneOf(['booked', 'pending'] as const),
  amount: Amount,
  currency: Type.String(),
  credit_debit_indicator: CreditDebit,
  booking_date: nullable(CalendarDate()),
  booking_date_time: nullable(Timestamp()),
  value_date: nullable(CalendarDate()),
  sort_date: CalendarDate(),
  counterparty_name: nullable(Type.String()),
  counterparty_iban: nullable(Type.String()),
  remittance_information: nullable(Type.String()),
  bank_transaction_code: nullable(Type.String()),
  bank_transaction_id: nullable(Type.String()),
  entry_reference: nullable(Type.String()),
  replaced_utx_id: nullable(Type.String()),
  inserted_at: Timestamp(),
  updated_at: Timestamp(),
  keyset: Type.String({ description: 'this item as a pagination.after cursor' }),
});

export const TransactionList = Type.Object({
  consent_id: Type.String(),
  transactions: Type.Array(Transaction),
  pagination: Pagination,
});

const Counts = (names: readonly string[]) =>
  Type.Object(Object.fromEntries(names.map((n) => [n, Type.Integer({ minimum: 0 })])));

export const JobCreated = Type.Object({ consent_id: Uuid, job_id: Uuid, status: OneOf(jobStatuses) });

export const JobBody = Type.Object({
  job_id: Uuid,
  consent_id: Uuid,
  status: OneOf(jobStatuses),
  kind: OneOf(['initial', 'refresh'] as const),
  callback_url: nullable(Type.String()),
  service_provider: ServiceProvider,
  ais_method: AisMethod,
  results: Type.Object({
    accounts: Counts(['fetched', 'inserted', 'updated']),
    balances: Counts(['inserted']),
    transactions: Counts(['inserted', 'updated', 'pending_replaced', 'pending_removed']),
    durations_ms: Counts(['accounts', 'balances', 'transactions']),
    errors: Type.Array(
      Type.Object({
        stage: OneOf(['consent', 'accounts', 'balances', 'transactions'] as const),
        account_id: Type.Optional(Type.String()),
        code: Type.String(),
        message: Type.String(),
      }),
    ),
  }),
  error: nullable(Type.String()),
  created_at: Timestamp(),
  started_at: nullable(Timestamp()),
  finished_at: nullable(Timestamp()),
});
