export type { DeliveryService } from './delivery.service.js';
export type { AttemptResult, Decision, RetryPolicy } from './delivery-policy.js';
export { decide } from './delivery-policy.js';
export type { DispatcherOptions } from './dispatcher.js';
export { createDeliverTask } from './dispatcher.js';
export type { OutboxEvent } from './outbox.js';
export { DELIVER_TASK, recordEvent } from './outbox.js';
export type { RotationResult, Signer, WebhookKeys } from './signing-keys.js';
export type { AddressClass, Resolver, TargetPolicy } from './ssrf.js';
export {
  checkTargetAtInput,
  classifyAddress,
  resolveTarget,
  TargetRefused,
  TargetUnresolved,
  validateTargetUrl,
} from './ssrf.js';
export { addWebhookMetrics } from './webhooks.metrics.js';
export { registerWebhookRoutes } from './webhooks.routes.js';
export {
  type AttemptOutcome,
  type EventState,
  eventStates,
  type WebhookAttemptsTable,
  type WebhookEventsTable,
} from './webhooks.schema.js';
export type { EventView, OperatorEvent, OperatorEventSearch, WebhooksService } from './webhooks.service.js';
export { createWebhooksService, ROTATE_TASK } from './webhooks.service.js';
