/**
 * The one error registry: every API error code with its HTTP status. Codes are stable; clients switch on them.
 * FinqLink reports bank rejections and business-rule failures as 400 (reference §8); Ferry keeps that.
 */
export const errorStatus = {
  bad_request: 400,
  validation_error: 400,
  invalid_input: 400,
  unprocessable_entity: 400,
  cooldown_failed: 400,
  consent_not_active: 400,
  method_selection_error: 400,
  method_input_validation_error: 400,
  link_expired: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  consent_not_found: 404,
  job_not_found: 404,
  method_not_allowed: 405,
  idempotency_key_in_use: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_key_reused: 422,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorStatus;

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra fields added to the envelope (e.g. `field`, `retry_after`). Never internals. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = errorStatus[code];
  }
}

export interface ErrorEnvelope {
  error_id: string;
  request_id: string;
  code: ErrorCode;
  message: string;
  [extra: string]: unknown;
}

export const notFound = (what = 'resource') => new ApiError('not_found', `The ${what} was not found.`);
export const unauthorized = (message = 'Authentication failed.') => new ApiError('unauthorized', message);
export const validationError = (field: string, message: string) =>
  new ApiError('validation_error', `${field}: ${message}`, { field });

/** What a client is told of any failure inside Ferry; the log has the rest, under the same error_id. */
export const INTERNAL_ERROR_MESSAGE = 'An internal error occurred. Quote error_id to support.';

/**
 * A failure inside Ferry, not the API client's doing (a caller broke a contract, an invariant does not hold): the
 * client gets 500 `internal_error` and never the message, which is the detail for the log.
 */
export class InternalError extends Error {
  readonly code = 'internal_error' as const;
  constructor(detail: string, options?: { cause?: unknown }) {
    super(detail, options);
    this.name = 'InternalError';
  }
}
