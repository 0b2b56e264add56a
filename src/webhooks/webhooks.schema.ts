import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** An event's delivery states (the API's filters and answers, the console's filter use this list). */
export const eventStates = ['pending', 'delivered', 'failed', 'gone', 'no_target'] as const;
export type EventState = (typeof eventStates)[number];
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
  /** False until the first attempt of the current round is recorded. */
  dispatched: ColumnType<boolean, boolean | undefined, boolean>;
  /** Lease of the worker making an attempt; an expired lease lets another worker take it. */
  claimed_until: NullableTimestamp;
  /** When the next attempt is due (the event's time for the first); null once the event is settled. */
  next_attempt_at: NullableTimestamp;
  /** Increasing per object (int8, read as a string): events of one object are delivered in this order. */
  sequence: ColumnType<string, string | undefined, string>;
  /** Null: holds back the object's later events while undelivered; else until when (set at its first failure). */
  hold_until: NullableTimestamp;
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
