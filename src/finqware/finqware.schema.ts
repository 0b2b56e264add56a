import type { ColumnType } from 'kysely';

/** Row types of migrations/0014_finqware.sql. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export interface FinqwareSessionsTable {
  id: string;
  client_id: string;
  tenant_user_id: string;
  skill: string;
  status: string;
  next_step: string | null;
  nonce_hash: string | null;
  nonce_expires_at: NullableTimestamp;
  psu_redirect_link: string | null;
  return_key_hash: string | null;
  consent_id: string | null;
  link_id: string | null;
  form: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  error: string | null;
  temp_token_hash: string | null;
  temp_token_expires_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface FinqwareStepsTable {
  id: string;
  session_id: string;
  name: string;
  data: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface FinqwareCredentialsTable {
  id: string;
  client_id: string;
  session_id: string;
  tenant_user_id: string;
  access_token_hash: string;
  status: string;
  consent_exp: Timestamp;
  max_data_retention: Timestamp;
  deleted_at: NullableTimestamp;
  purge_at: Timestamp;
  purged_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

declare module '../store/schema.js' {
  interface Database {
    finqware_sessions: FinqwareSessionsTable;
    finqware_steps: FinqwareStepsTable;
    finqware_credentials: FinqwareCredentialsTable;
  }
}
