export type { OutboxEvent } from './outbox.js';
export { OUTBOX_CHANNEL, recordEvent } from './outbox.js';
export type {
  AttemptOutcome,
  EventState,
  WebhookAttemptsTable,
  WebhookEventsTable,
} from './webhooks.schema.js';
