import type { ColumnType } from 'kysely';
import type { LinkStatus } from './link-status.js';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;

export type LinkType = 'link' | 'wrapped_sca' | 'direct_sca' | 'redirect_sca';
export type DebtorInput = 'debtor_iban' | 'psu_id';

/** The `payment_method` filter as stored (snake_case, as the client sent it after validation). */
export interface StoredMethodFilter {
  provider_id?: string | string[];
  remitter_type?: string[];
  payment_scheme?: string[];
  env?: string;
}

export type StoredUserEditable =
  | boolean
  | { provider_id?: boolean; remitter_type?: boolean; payment_scheme?: boolean };

export interface PayLinksTable {
  id: string;
  web_id: string;
  client_id: string;
  mode: 'test' | 'live';
  type: LinkType;
  status: LinkStatus;
  amount: string;
  currency: string;
  creditor_name: string;
  creditor_iban: string;
  remittance_info: string | null;
  end_to_end_id: string | null;
  debtor_iban: string | null;
  psu_id: string | null;
  api_inputs: ColumnType<DebtorInput[], DebtorInput[] | undefined, DebtorInput[]>;
  method_filter: Json<StoredMethodFilter>;
  user_editable: NullableJson<StoredUserEditable>;
  method_id: string | null;
  provider_id: string | null;
  redirect_url: string | null;
  webhook_url: string | null;
  ux_template: string | null;
  language: string | null;
  tracking: NullableJson<Record<string, string>>;
  /** Sealed (bank-payment-id.ts); plain in rows written before sealing. */
  bank_payment_id: string | null;
  /** Keyed hash of the bank's payment id, for lookups; null in rows written before sealing. */
  bank_payment_key: string | null;
  bank_product: string | null;
  bank_status: string | null;
  sca_url: string | null;
  is_expired: ColumnType<boolean, boolean | undefined, boolean>;
  expires_at: Timestamp;
  next_poll_at: NullableTimestamp;
  poll_attempts: ColumnType<number, number | undefined, number>;
  poll_since: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PayLinkHistoryTable {
  link_id: string;
  seq: number;
  status: LinkStatus;
  event: string;
  bank_status: string | null;
  at: Timestamp;
}

declare module '../store/schema.js' {
  interface Database {
    pay_links: PayLinksTable;
    pay_link_history: PayLinkHistoryTable;
  }
}
