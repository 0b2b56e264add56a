import type { ColumnType, Generated } from 'kysely';

/** Row type of migrations/0013_bank_calls.sql. */
export interface BankCallsTable {
  id: Generated<string>;
  at: ColumnType<Date, Date, Date>;
  provider_id: string;
  operation: string;
  outcome: string;
  http_status: number | null;
  latency_ms: number;
  subject_kind: 'link' | 'consent' | null;
  subject_id: string | null;
}

declare module '../store/schema.js' {
  interface Database {
    bank_calls: BankCallsTable;
  }
}
