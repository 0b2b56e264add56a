/**
 * The FinqLink API layer: the one way routes are declared (`registerRpc`), authentication per mode, the error
 * envelope, idempotency keys, rate limits, request ids, OpenAPI and health.
 */
export { installErrorHandling } from './errors.plugin.js';
export { registerHealthRoutes } from './health.routes.js';
export type { IdempotencyStart, IdempotencyStore } from './idempotency.js';
export { createIdempotencyStore } from './idempotency.js';
export { type LazySchemas, lazySchemas } from './lazy-schemas.js';
export { registerOpenApi } from './openapi.js';
export type { RateLimiter } from './rate-limit.js';
export { createRateLimiter } from './rate-limit.js';
export { genRequestId } from './request-id.js';
export { installResponseCheck, responseValidatorOf } from './response-check.js';
export {
  Amount,
  CalendarDate,
  ERROR_ENVELOPE_ID,
  ErrorEnvelope,
  FreeForm,
  nullable,
  OneOf,
  Pagination,
  Timestamp,
} from './responses.js';
export type { RecordedRoute, RouteAuth } from './route-table.js';
export { apiRoutesOf, recordApiRoutes } from './route-table.js';
export type { ApiVersion, RpcContext, RpcDeps, RpcRoute, TSchema } from './rpc.js';
export { registerRpc } from './rpc.js';
