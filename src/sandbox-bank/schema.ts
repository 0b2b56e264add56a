import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export interface SbPaymentsTable {
  id: string;
  bank: string;
  product: string;
  request: Json<Record<string, unknown>>;
  debtor_iban: string | null;
  creditor_iban: string;
  creditor_name: string;
  amount: string;
  currency: string;
  psu_id: string | null;
  status: string;
  status_reason: string | null;
  force_reject: Generated<boolean>;
  redirect_uri: string;
  nok_redirect_uri: string | null;
  created_at: Timestamp;
  accepted_at: NullableTimestamp;
  updated_at: Timestamp;
}

export interface ConsentGrant {
  accounts: string[];
  balances: string[];
  transactions: string[];
}

export interface SbConsentsTable {
  id: string;
  bank: string;
  psu_id: string | null;
  access: Json<Record<string, unknown>>;
  granted: ColumnType<ConsentGrant | null, string | null, string | null>;
  recurring: boolean;
  valid_until: string;
  frequency_per_day: number;
  status: string;
  redirect_uri: string;
  nok_redirect_uri: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_action_date: string;
}

export interface SbAuthorisationsTable {
  id: string;
  bank: string;
  parent_kind: 'payment' | 'consent';
  parent_id: string;
  sca_status: string;
  step: string;
  failures: Generated<number>;
  psu_id: string | null;
  debtor_iban: string | null;
  form_token: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SbLedgerEntriesTable {
  id: Generated<string>;
  bank: string;
  account_iban: string;
  amount: string;
  currency: string;
  counterparty_name: string;
  counterparty_iban: string | null;
  remittance: string | null;
  payment_id: string;
  created_at: Timestamp;
  settles_at: Timestamp;
}

export interface SbAccessLogTable {
  consent_id: string;
  resource: string;
  at: Timestamp;
}

export interface SbFaultsTable {
  id: Generated<string>;
  bank: string;
  psu_id: string | null;
  amount: string | null;
  operation: string | null;
  kind: string;
  http_status: number | null;
  delay_ms: number | null;
  retry_after: number | null;
  remaining: number | null;
  created_at: Timestamp;
}

export interface SbNotificationsTable {
  id: Generated<string>;
  payment_id: string;
  bank: string;
  event: 'funds_received' | 'funds_rejected';
  reason: string | null;
  first_due_at: Timestamp;
  due_at: Timestamp;
  attempts: Generated<number>;
  last_status: number | null;
  last_error: string | null;
  outcome: 'delivered' | 'refused' | 'gave_up' | null;
  sent_at: NullableTimestamp;
  created_at: Timestamp;
}

declare module '../store/schema.js' {
  interface Database {
    'sandbox_bank.payments': SbPaymentsTable;
    'sandbox_bank.consents': SbConsentsTable;
    'sandbox_bank.authorisations': SbAuthorisationsTable;
    'sandbox_bank.ledger_entries': SbLedgerEntriesTable;
    'sandbox_bank.access_log': SbAccessLogTable;
    'sandbox_bank.faults': SbFaultsTable;
    'sandbox_bank.notifications': SbNotificationsTable;
  }
}
