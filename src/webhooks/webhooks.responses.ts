import { type Static, Type } from 'typebox';
import { nullable, OneOf, Pagination, Timestamp } from '../api/index.js';

/** The answers of the webhook events API. */

import { eventStates } from './webhooks.schema.js';

export const WebhookEvent = Type.Object({
  event_id: Type.String({ format: 'uuid' }),
  type: Type.String({ description: 'e.g. link.status_changed' }),
  object_id: Type.String({ description: 'the link, consent or job the event is about' }),
  status: OneOf(eventStates, 'delivery state'),
  url: nullable(Type.String()),
  payload: Type.Unknown({ description: 'the webhook body as it is signed and sent' }),
  attempts: Type.Integer({ minimum: 0 }),
  last_status_code: nullable(Type.Integer()),
  last_error: nullable(Type.String()),
  created_at: Timestamp(),
  delivered_at: nullable(Timestamp()),
  next_attempt_at: nullable(Timestamp()),
  keyset: Type.String({ description: 'this item as a pagination.after cursor' }),
});

export const DeliveryAttempt = Type.Object({
  attempt: Type.Integer({ minimum: 1 }),
  started_at: Timestamp(),
  url: Type.String(),
  kid: nullable(Type.String({ description: 'the signing key' })),
  status_code: nullable(Type.Integer()),
  latency_ms: Type.Integer({ minimum: 0 }),
  outcome: OneOf(['delivered', 'retry', 'gone', 'failed'] as const),
  error: nullable(Type.String()),
});
export type DeliveryAttemptBody = Static<typeof DeliveryAttempt>;

export const EventList = Type.Object({ events: Type.Array(WebhookEvent), pagination: Pagination });
export const EventWithAttempts = Type.Object({ event: WebhookEvent, attempts: Type.Array(DeliveryAttempt) });
export const EventRedelivered = Type.Object({ event: WebhookEvent });
