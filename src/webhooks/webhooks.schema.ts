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
  /** False until the first attempt of the current round is recorded (retries then go through the queue). */
  dispatched: ColumnType<boolean, boolean | undefined, boolean>;
  /** Lease of the dispatcher sending the first attempt; an expired lease lets another dispatcher take it. */
  claimed_until: NullableTimestamp;
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
