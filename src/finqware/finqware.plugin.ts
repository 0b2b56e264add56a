import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../shared/errors.js';
import { randomIds } from '../shared/ids.js';
import { errorBody, FinqwareError } from './errors.js';

/** A request's failure in the classic API's error model; anything unexpected is logged and answered as 500. */
interface ValidationIssue {
  instancePath: string;
  params: Record<string, unknown>;
  message?: string | undefined;
}

/** A schema validator's first complaint as the classic error; `root` names the checked value (`body`, `data`). */
export function validationError(first: ValidationIssue, root = 'body'): FinqwareError {
  const segments = first.instancePath.split('/').filter(Boolean);
  const base = root === 'body' ? [] : [root];
  const params = first.params;
  if (typeof params.missingProperty === 'string') {
    return new FinqwareError(
      'missing_fields',
      `${[...base, ...segments, params.missingProperty].join('.')} is required.`,
    );
  }
  if (typeof params.additionalProperty === 'string') {
    return new FinqwareError(
      'unknown_fields',
      `${[...base, ...segments, params.additionalProperty].join('.')} is not a field here.`,
    );
  }
  const field = [...base, ...segments].join('.') || 'body';
  if (field === 'body')
    return new FinqwareError('invalid_body', `The body ${first.message ?? 'is invalid'}.`);
  return new FinqwareError('invalid_field', `${field} ${first.message ?? 'is invalid'}.`);
}

/** A request's failure in the classic API's error model; anything unexpected is logged and answered as 500. */
export function toFinqwareError(error: FastifyError | FinqwareError | ApiError): FinqwareError {
  if (error instanceof FinqwareError) return error;
  if (error instanceof ApiError) return fromApiError(error);
  if (error.validation && error.validation.length > 0) {
    const first = error.validation[0]!;
    return validationError({ ...first, params: first.params as Record<string, unknown> });
  }
  const status = error.statusCode ?? 500;
  if (status === 413) return new FinqwareError('payload_too_large', 'The request body is too large.');
  if (status === 415)
    return new FinqwareError('unsupported_media_type', 'Send the body as application/json.');
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return new FinqwareError('invalid_body', 'The JSON body is empty.');
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
    return new FinqwareError('invalid_body', 'The request body is not valid JSON.');
  }
  if (status === 429) return new FinqwareError('too_many_requests', 'Too many requests.');
  if (status >= 400 && status < 500)
    return new FinqwareError('invalid_input', error.message || 'The request is invalid.');
  return new FinqwareError(
    'internal_server_error',
    'Something went wrong on our side; quote the id to support.',
  );
}

/** Sends `error`; a 5xx is logged with its id and what caused it (never in the answer). */
export function sendFinqwareError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: FinqwareError,
  cause: unknown = error,
): FastifyReply {
  const id = randomIds.uuid();
  if (error.http >= 500) request.log.error({ err: cause, error_id: id }, 'classic API request failed');
  return reply.code(error.http).type('application/json; charset=utf-8').send(errorBody(id, error));
}

/** Every answer of this scope that is not a success is the classic error model (never FinqLink's envelope). */
export function installFinqwareErrors(scope: FastifyInstance): void {
  scope.setErrorHandler((error: FastifyError | FinqwareError | ApiError, request, reply) => {
    return sendFinqwareError(request, reply, toFinqwareError(error), error);
  });
  scope.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const allowed = request.server.allowedMethods?.(request.url) ?? [];
    if (allowed.length === 0) {
      return sendFinqwareError(
        request,
        reply,
        new FinqwareError('not_found', `No endpoint ${request.method} ${path}.`),
      );
    }
    reply.header('allow', allowed.join(', '));
    return sendFinqwareError(
      request,
      reply,
      new FinqwareError('method_not_allowed', `${path} answers ${allowed.join(', ')} only.`),
    );
  });
}

/**
 * A FinqLink rule broken under the classic API (the shared consents and data raise FinqLink's errors): the same
 * meaning in the original's codes. A bank's refusal is `external_api_error`.
 */
function fromApiError(error: ApiError): FinqwareError {
  switch (error.code) {
    case 'validation_error':
    case 'invalid_input':
    case 'bad_request':
    case 'method_input_validation_error':
      return new FinqwareError('invalid_field', error.message);
    case 'unprocessable_entity':
      return new FinqwareError('external_api_error', error.message);
    case 'consent_not_found':
      return new FinqwareError('invalid_credentials_id', 'No credentials with this credentials_id.');
    case 'consent_not_active':
      return new FinqwareError('inactive_credentials', error.message);
    case 'method_selection_error':
      return new FinqwareError('invalid_skill_name', error.message);
    case 'rate_limited':
      return new FinqwareError('too_many_requests', error.message);
    case 'unauthorized':
    case 'forbidden':
      return new FinqwareError('unauthorized_tenant', error.message);
    case 'payload_too_large':
      return new FinqwareError('payload_too_large', error.message);
    case 'unsupported_media_type':
      return new FinqwareError('unsupported_media_type', error.message);
    case 'service_unavailable':
      return new FinqwareError('service_unavailable', 'The service is unavailable; try again shortly.');
    default:
      return error.status < 500
        ? new FinqwareError('invalid_input', error.message)
        : new FinqwareError(
            'internal_server_error',
            'Something went wrong on our side; quote the id to support.',
          );
  }
}
