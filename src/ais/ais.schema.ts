import type { ColumnType, Generated } from 'kysely';

/** Row types of migrations/0004_ais.sql (numeric and date columns arrive as strings on both drivers). */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export interface AisConsentsTable {
  id: string;
  client_id: string;
  mode: 'test' | 'live';
  web_id: string;
  status: string;
  status_reason: string | null;
  flow_type: string;
  scope: string[];
  consent_validity_days: number;
  method_filter: Json<Record<string, unknown>>;
  method_id: string | null;
  provider_id: string | null;
  psu_iban: string | null;
  psu_id: string | null;
  redirect_url: string | null;
  webhook_url: string | null;
  ux_template: string | null;
  language: string | null;
  tracking: ColumnType<Record<string, string> | null, string | null, string | null>;
  bank_consent_id: string | null;
  sca_url: string | null;
  expires_at: Timestamp;
  authorized_at: NullableTimestamp;
  authorized_until: NullableTimestamp;
  bank_checked_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AisJobsTable {
  id: string;
  consent_id: string;
  status: string;
  kind: 'initial' | 'refresh';
  callback_url: string | null;
  results: Json<Record<string, unknown>>;
  error: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  locked_by: string | null;
  locked_until: NullableTimestamp;
  created_at: Timestamp;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  updated_at: Timestamp;
}

export interface AisAccountsTable {
  id: string;
  consent_id: string;
  provider_id: string;
  bank_resource_id: string;
  iban: string | null;
  bic: string | null;
  currency: string;
  name: string | null;
  owner_name: string | null;
  account_type: string | null;
  account_sub_type: string | null;
  cash_account_type: string | null;
  last_job_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AisBalancesTable {
  seq: Generated<string>;
  id: string;
  consent_id: string;
  account_id: string;
  job_id: string;
  type: string;
  bank_type: string | null;
  amount: string;
  currency: string;
  credit_debit_indicator: 'credit' | 'debit';
  credit_limit_included: boolean | null;
  reference_date: string | null;
  reference_timestamp: NullableTimestamp;
  created_at: Timestamp;
}

export interface AisTransactionsTable {
  id: string;
  consent_id: string;
  account_id: string;
  utx_id: string;
  bank_transaction_id: string | null;
  entry_reference: string | null;
  status: 'booked' | 'pending';
  amount: string;
  currency: string;
  credit_debit_indicator: 'credit' | 'debit';
  booking_date: string | null;
  value_date: string | null;
  sort_date: string;
  counterparty_name: string | null;
  counterparty_iban: string | null;
  remittance_information: string | null;
  bank_transaction_code: string | null;
  replaced_utx_id: string | null;
  job_id: string | null;
  inserted_at: Timestamp;
  updated_at: Timestamp;
}

declare module '../store/schema.js' {
  interface Database {
    ais_consents: AisConsentsTable;
    ais_jobs: AisJobsTable;
    ais_accounts: AisAccountsTable;
    ais_balances: AisBalancesTable;
    ais_transactions: AisTransactionsTable;
  }
}
