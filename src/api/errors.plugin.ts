import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  ApiError,
  type ErrorCode,
  type ErrorEnvelope,
  errorStatus,
  INTERNAL_ERROR_MESSAGE,
  InternalError,
} from '../shared/errors.js';
import { randomIds } from '../shared/ids.js';
import { ErrorEnvelope as ErrorEnvelopeSchema } from './responses.js';

/** Turns every failure into the FinqLink envelope {error_id, request_id, code, message}. */
export function installErrorHandling(app: FastifyInstance): void {
  // One shared schema: routes refer to it by id, and /openapi.json shows it as one component.
  app.addSchema(ErrorEnvelopeSchema);
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    const apiError = toApiError(error);
    if (apiError.status >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else if (apiError.code === 'unauthorized') {
      request.log.info({ code: apiError.code, reason: apiError.message }, 'request rejected');
    }
    if (apiError.code === 'rate_limited' && apiError.extra.retry_after !== undefined) {
      reply.header('retry-after', String(apiError.extra.retry_after));
    }
    return sendError(request, reply, apiError);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const allowed = request.server.allowedMethods?.(request.url) ?? [];
    if (allowed.length === 0)
      return sendError(request, reply, new ApiError('not_found', `No route for ${request.method} ${path}.`));
    reply.header('allow', allowed.join(', '));
    return sendError(
      request,
      reply,
      new ApiError(
        'method_not_allowed',
        `${path} does not answer ${request.method}; use ${allowed.join(', ')}.`,
      ),
    );
  });
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: ApiError): FastifyReply {
  const body: ErrorEnvelope = {
    error_id: randomIds.uuid(),
    request_id: request.id,
    code: error.code,
    message: error.message,
    ...error.extra,
  };
  return reply.code(error.status).type('application/json; charset=utf-8').send(body);
}

function toApiError(error: FastifyError | ApiError): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof InternalError) return new ApiError('internal_error', INTERNAL_ERROR_MESSAGE);
  if (error.validation && error.validation.length > 0) {
    const first = error.validation[0]!;
    const params = first.params as Record<string, unknown>;
    const location = error.validationContext ?? 'body';
    const segments = first.instancePath.split('/').filter(Boolean);
    if (typeof params.missingProperty === 'string') segments.push(params.missingProperty);
    if (typeof params.additionalProperty === 'string') segments.push(params.additionalProperty);
    const field = segments.length > 0 ? segments.join('.') : location;
    return new ApiError('validation_error', `${field}: ${first.message ?? 'is invalid'}`, { field });
  }
  const status = error.statusCode ?? 500;
  if (status === 413) return new ApiError('payload_too_large', 'The request body is too large.');
  if (status === 415)
    return new ApiError('unsupported_media_type', 'Send the request body as application/json.');
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return new ApiError('bad_request', 'The JSON body is empty.');
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
    return new ApiError('bad_request', 'The request body is not valid JSON.');
  }
  if (status === 429) return new ApiError('rate_limited', 'Too many requests.');
  if (status >= 400 && status < 500) {
    const code = (Object.entries(errorStatus).find(([, s]) => s === status)?.[0] ??
      'bad_request') as ErrorCode;
    return new ApiError(code, error.message || 'The request is invalid.');
  }
  return new ApiError('internal_error', INTERNAL_ERROR_MESSAGE);
}
