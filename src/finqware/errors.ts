/**
 * The classic Finqware API's error registry (legacy-apis.md A.3): every code with its `type` and HTTP status.
 * Its answers are `{id, type, http, code, message}`, never FinqLink's envelope. Codes are stable.
 */
export const finqwareErrors = {
  // invalid_request: 400 (404 for not_found)
  missing_fields: ['invalid_request', 400],
  unknown_fields: ['invalid_request', 400],
  invalid_field: ['invalid_request', 400],
  invalid_body: ['invalid_request', 400],
  invalid_headers: ['invalid_request', 400],
  invalid_input: ['invalid_request', 400],
  invalid_step: ['invalid_request', 400],
  invalid_session_id: ['invalid_request', 400],
  invalid_skill_name: ['invalid_request', 400],
  invalid_pcd_data_retention: ['invalid_request', 400],
  tpp_redirect_error: ['invalid_request', 400],
  not_found: ['invalid_request', 404],
  // unauthorized: 401
  invalid_api_keys: ['unauthorized', 401],
  unauthorized_tenant: ['unauthorized', 401],
  invalid_client_id: ['unauthorized', 401],
  invalid_client_secret: ['unauthorized', 401],
  invalid_client_app_key: ['unauthorized', 401],
  invalid_access_token: ['unauthorized', 401],
  invalid_credentials_id: ['unauthorized', 401],
  inactive_credentials: ['unauthorized', 401],
  expired_credentials: ['unauthorized', 401],
  invalid_temp_token: ['unauthorized', 401],
  invalid_tenant_keys: ['unauthorized', 401],
  // the media type and size of a request (the original documents neither: Ferry's choice)
  unsupported_media_type: ['invalid_request', 415],
  payload_too_large: ['invalid_request', 413],
  method_not_allowed: ['invalid_request', 405],
  too_many_requests: ['invalid_request', 429],
  // external_api_error: 400 (the bank)
  external_api_connection_error: ['external_api_error', 400],
  external_api_too_many_requests: ['external_api_error', 400],
  external_api_unauthorized: ['external_api_error', 400],
  external_api_forbidden: ['external_api_error', 400],
  external_api_error: ['external_api_error', 400],
  // internal
  internal_server_error: ['internal_error', 500],
  service_unavailable: ['internal_error', 503],
} as const satisfies Record<string, readonly [string, number]>;

export type FinqwareCode = keyof typeof finqwareErrors;

export class FinqwareError extends Error {
  readonly type: string;
  readonly http: number;
  constructor(
    readonly code: FinqwareCode,
    message: string,
  ) {
    super(message);
    const [type, http] = finqwareErrors[code];
    this.type = type;
    this.http = http;
  }
}

/** The body of an error answer; `id` is for support (it is logged with the request). */
export function errorBody(id: string, error: FinqwareError) {
  return { id, type: error.type, http: error.http, code: error.code, message: error.message };
}

/** The error answer's schema (every route's 4xx/5xx in the OpenAPI document). */
export const finqwareErrorSchema = {
  type: 'object',
  required: ['id', 'type', 'http', 'code', 'message'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    type: {
      type: 'string',
      enum: ['invalid_request', 'unauthorized', 'external_api_error', 'internal_error'],
    },
    http: { type: 'integer' },
    code: { type: 'string', enum: Object.keys(finqwareErrors) },
    message: { type: 'string' },
  },
} as const;
