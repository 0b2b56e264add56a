import { isDeepStrictEqual } from 'node:util';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorEnvelope } from './responses.js';

/**
 * Checks every answer of a route that declares response schemas (tests and CI turn it on through buildApp's
 * `checkResponses`): the body sent must validate against the schema of its status, and the serialiser must not
 * have changed it (a field the schema does not name is dropped, an integer is rounded). A mismatch answers 500
 * `response_check_failed` with the detail, so the test that made the call fails and says why.
 */
export function installResponseCheck(app: FastifyInstance): void {
  const intended = new WeakMap<FastifyRequest, unknown>();

  app.addHook('preSerialization', async (request, _reply, payload) => {
    // What a plain JSON.stringify would have sent: the serialiser's output must equal it.
    intended.set(request, JSON.parse(JSON.stringify(payload)));
    return payload;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const schema = declaredSchema(request, reply);
    if (!schema || typeof payload !== 'string') return payload;
    const problem = checkBody(responseValidatorOf(schema), payload, intended.get(request));
    intended.delete(request);
    if (!problem) return payload;
    request.log.error({ url: request.url, status: reply.statusCode, problem }, 'response check failed');
    reply.code(500);
    return JSON.stringify({
      error_id: 'response-check',
      request_id: request.id,
      code: 'response_check_failed',
      message: `${request.method} ${request.url} ${problem}`,
    });
  });
}

let ajv: Ajv | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

/**
 * The validator of one declared response schema (formats checked, the shared ErrorEnvelope resolved), compiled
 * once: the response check above and the route table test (test/support/route-checks.ts) use the same.
 */
export function responseValidatorOf(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    if (!ajv) {
      ajv = new Ajv({ strict: false, allErrors: true });
      addFormats.default(ajv);
      ajv.addSchema(ErrorEnvelope);
    }
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

function declaredSchema(request: FastifyRequest, reply: FastifyReply): object | undefined {
  const responses = (request.routeOptions.schema as { response?: Record<string, object> } | undefined)
    ?.response;
  return responses?.[String(reply.statusCode)];
}

function checkBody(validate: ValidateFunction, payload: string, intended: unknown): string | undefined {
  let sent: unknown;
  try {
    sent = JSON.parse(payload);
  } catch {
    return 'answered a body that is not JSON';
  }
  if (!validate(sent)) {
    return `does not match its declared schema: ${validate.errors
      ?.map((e) => `${e.instancePath || '/'} ${e.message}`)
      .join('; ')}`;
  }
  if (intended !== undefined && !isDeepStrictEqual(sent, intended)) {
    return `was changed by the serialiser (a field missing from the schema?): handler gave ${JSON.stringify(
      intended,
    ).slice(0, 2000)}, sent ${payload.slice(0, 2000)}`;
  }
  return undefined;
}
