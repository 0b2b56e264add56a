import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type EventState = 'pending' | 'delivered' | 'failed' | 'gone' | 'no_target';
export type AttemptOutcome = 'delivered' | 'retry' | 'gone' | 'failed';

export interface WebhookEventsTable {
  id: string;
  type: string;
  client_id: string;
  object_id: string;
  body: string;
  url: string | null;
  state: EventState;
  attempts: ColumnType<number, number | undefined, number>;
  round_attempts: ColumnType<number, number | undefined, number>;
  dispatched: ColumnType<boolean, boolean | undefined, boolean>;
  next_attempt_at: NullableTimestamp;
  last_status: number | null;
  last_error: string | null;
  delivered_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WebhookAttemptsTable {
  event_id: string;
  attempt: number;
  started_at: Timestamp;
  url: string;
  kid: string | null;
  status_code: number | null;
  latency_ms: number;
  outcome: AttemptOutcome;
  error: string | null;
}

declare module '../store/schema.js' {
  interface Database {
    webhook_events: WebhookEventsTable;
    webhook_attempts: WebhookAttemptsTable;
  }
}
