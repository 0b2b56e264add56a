import type { FastifyRequest } from 'fastify';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The caller's X-Request-ID when it is a UUID (echoed on the response, as the spec requires). */
export function apiRequestIdOf(request: FastifyRequest): string | undefined {
  const value = request.headers['x-request-id'];
  return typeof value === 'string' && UUID.test(value) ? value : undefined;
}
