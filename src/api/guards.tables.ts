import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface IdempotencyKeysTable {
  client_id: string;
  key: string;
  request_hash: string;
  state: 'in_flight' | 'done';
  response_status: number | null;
  response_body: string | null;
  locked_at: Timestamp;
  created_at: Timestamp;
}

export interface RateLimitCountersTable {
  client_id: string;
  bucket: string;
  window_start: Timestamp;
  hits: number;
}

declare module '../store/schema.js' {
  interface Database {
    idempotency_keys: IdempotencyKeysTable;
    rate_limit_counters: RateLimitCountersTable;
  }
}
