import { type Static, type TSchema, Type } from 'typebox';

/**
 * Building blocks of the API's response schemas. Fastify serialises every success body with its declared schema
 * (fast-json-stringify), `/openapi.json` publishes them, and the route table test checks every answer against
 * them (response-check.ts). A field the schema does not name is dropped by the serialiser: declare it.
 */

/**
 * `T | null`. A primitive or object schema becomes `type: [t, 'null']` rather than `anyOf`: the serialiser picks an
 * `anyOf` branch by validating each value, which is slow on lists.
 */
export function nullable<T extends TSchema>(schema: T) {
  const s = schema as unknown as { type?: unknown; enum?: unknown[] };
  if (typeof s.type !== 'string') return Type.Union([schema, Type.Null()]);
  return Type.Unsafe<Static<T> | null>({
    ...schema,
    type: [s.type, 'null'],
    ...(s.enum ? { enum: [...s.enum, null] } : {}),
  });
}

/** One of a fixed set of strings (a status, a type). */
export const OneOf = <const V extends readonly string[]>(values: V, description?: string) =>
  Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

/** An ISO 8601 instant in UTC, e.g. 2026-03-01T10:00:00.000Z. */
export const Timestamp = (description?: string) =>
  Type.String({ format: 'date-time', ...(description ? { description } : {}) });

/** A calendar date, e.g. 2026-03-01. */
export const CalendarDate = (description?: string) =>
  Type.String({ format: 'date', ...(description ? { description } : {}) });

/** A decimal amount as a string, e.g. "12.50" (never a float). */
export const Amount = Type.String({ pattern: '^-?[0-9]+(\\.[0-9]+)?$', description: 'decimal string' });

/** A free-form object echoed back as it was stored (tracking, payloads, JSON Schemas). */
export const FreeForm = (description?: string) =>
  Type.Object({}, { additionalProperties: true, ...(description ? { description } : {}) });

/** The one pagination block of every list (shared/cursor.ts pageOf). */
export const Pagination = Type.Object({
  count: Type.Integer({ minimum: 0, description: 'items on this page' }),
  'more?': Type.Boolean({ description: 'whether a next page exists' }),
  after: nullable(Type.String({ description: 'send as pagination.after for the next page' })),
  limit: Type.Integer({ minimum: 1 }),
});

/** The id under which the error envelope is one component of the OpenAPI document. */
export const ERROR_ENVELOPE_ID = 'ErrorEnvelope';

/** Every error answer: {error_id, request_id, code, message} and, per code, extra fields (field, retry_after…). */
export const ErrorEnvelope = Type.Object(
  {
    error_id: Type.String({ format: 'uuid', description: 'quote it to support' }),
    request_id: Type.String(),
    code: Type.String({ description: 'stable machine-readable code, e.g. validation_error' }),
    message: Type.String({ description: 'for people; may change' }),
    field: Type.Optional(Type.String({ description: 'the offending body field (validation errors)' })),
    retry_after: Type.Optional(Type.Integer({ description: 'seconds (rate_limited)' })),
  },
  { $id: ERROR_ENVELOPE_ID, additionalProperties: true, description: 'The error envelope' },
);

/** Statuses every API route can answer with the envelope: bad input, credentials, size, media type, rate, us. */
export const commonErrorStatuses = [400, 401, 413, 415, 429, 500] as const;
/** What Idempotency-Key adds: a key still in flight (409), a key reused with another body (422). */
export const idempotencyErrorStatuses = [409, 422] as const;

export const errorResponses = (statuses: readonly number[]): Record<number, TSchema> =>
  Object.fromEntries(
    [...new Set(statuses)].sort((a, b) => a - b).map((s) => [s, Type.Ref(ERROR_ENVELOPE_ID)]),
  );
