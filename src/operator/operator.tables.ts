import type { ColumnType } from 'kysely';

export interface OperatorAuditTable {
  id: string;
  at: ColumnType<Date, Date | string, never>;
  actor: string;
  action: string;
  target: string | null;
  /** `ok`, or the error code the call ended with. */
  outcome: string;
  /** Which fields a change named (never their values: a value may be a secret or personal data). */
  detail: ColumnType<Record<string, unknown> | null, string | null, never>;
}

declare module '../store/schema.js' {
  interface Database {
    operator_audit: OperatorAuditTable;
  }
}
