import { Value } from 'typebox/value';
import { expect } from 'vitest';
import { type RecordedRoute, responseValidatorOf } from '../../src/api/index.js';
import type { Caller, CallResult, TestApp } from './test-app.js';

type Schema = Record<string, unknown> & {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  minItems?: number;
  minimum?: number;
};

const credentials = new Set(['client_id', 'client_secret']);
/** Ids a client owns (404 for anyone else); provider ids name the shared catalogue, not a client's object. */
export const isOwnedId = (field: string) =>
  field.endsWith('_id') && !credentials.has(field) && field !== 'provider_id';

/** The body fields of a route besides the credentials every route takes. */
export function fieldsOf(route: RecordedRoute): [string, Schema][] {
  const props = ((route.body as Schema | undefined)?.properties ?? {}) as Record<string, Schema>;
  return Object.entries(props).filter(([name]) => !credentials.has(name));
}

/** The owned-id fields a route's body requires (link_id, consent_id, job_id, event_id…). */
export function idFieldsOf(route: RecordedRoute): string[] {
  const required = new Set((route.body as Schema | undefined)?.required ?? []);
  return fieldsOf(route)
    .map(([name]) => name)
    .filter((name) => required.has(name) && isOwnedId(name));
}

function sample(schema: Schema, name: string, ids: Record<string, string>): unknown {
  if (ids[name] !== undefined && isOwnedId(name)) return ids[name];
  if (name === 'provider_id') return 'bt_ro';
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return sample(schema.anyOf[0]!, name, ids);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object':
      return sampleObject(schema, ids);
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items ?? {}, name, ids));
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return false;
    default:
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
  }
}

function sampleObject(schema: Schema, ids: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of schema.required ?? []) {
    if (credentials.has(name)) continue;
    out[name] = sample(schema.properties?.[name] ?? {}, name, ids);
  }
  return out;
}

/** The smallest body the route's schema accepts, with `ids` for its id fields. */
export function validBody(route: RecordedRoute, ids: Record<string, string> = {}): Record<string, unknown> {
  return route.body ? sampleObject(route.body as Schema, ids) : {};
}

/** A body that breaks the schema in one named field: the first field given a value of the wrong type. */
export function badBody(route: RecordedRoute, ids: Record<string, string>) {
  const [name, schema] = fieldsOf(route)[0] ?? ['body_field', {}];
  const wrong = [12345, 'x', true, { unexpected: 1 }, []].find((v) => !Value.Check(schema, v)) ?? 12345;
  return { field: name, body: { ...validBody(route, ids), [name]: wrong } };
}

const errorEnvelope = (res: CallResult, label: string) => {
  for (const key of ['error_id', 'request_id', 'code', 'message'] as const) {
    expect(typeof res.body[key], `${label}: ${key} in ${JSON.stringify(res.body)}`).toBe('string');
  }
};

/** Every API answer: an error envelope for 4xx, the success envelope for 2xx, and the declared schema if any. */
export function expectResponseShape(route: RecordedRoute, res: CallResult, label: string): void {
  expect(res.status, `${label}: ${res.status} ${JSON.stringify(res.body)}`).toBeLessThan(500);
  if (res.status >= 400) errorEnvelope(res, label);
  else {
    expect(typeof res.body.request_id, `${label}: request_id`).toBe('string');
    expect(typeof res.body.api_client_app, `${label}: api_client_app`).toBe('string');
  }
  const declared = (route.response as Record<string, Schema> | undefined)?.[String(res.status)];
  expect(declared, `${label}: declares a schema for ${res.status}`).toBeDefined();
  const validate = responseValidatorOf(declared!);
  expect(
    validate(res.body),
    `${label}: matches the declared ${res.status} schema: ${JSON.stringify(validate.errors)}`,
  ).toBe(true);
}

/** Callers by role for the checks: each route's own mode, the wrong mode, and a client that owns nothing asked. */
export interface RouteCheckContext {
  app: TestApp;
  /** The owner's credentials per mode (test: body credentials; live: bearer). */
  owner: { test: Caller; live: Caller };
  /** Ids the owner holds per mode, by field name (link_id, consent_id, job_id, event_id). */
  ids: { test: Record<string, string>; live: Record<string, string> };
  /** A second test client that owns none of the ids. */
  otherTest: Caller;
}

const notFound = ['not_found', 'consent_not_found', 'job_not_found'];

/** The checks every API route passes; throws (an assertion error) at the first one it fails. */
export async function checkRoute(ctx: RouteCheckContext, route: RecordedRoute): Promise<void> {
  const { app, owner } = ctx;
  const url = route.url;
  const mode = route.auth;
  const wrong = mode === 'test' ? 'live' : 'test';
  const ids = ctx.ids[mode];
  const call = async (label: string, body: Record<string, unknown>, as: Caller) => {
    const res = await app.call(url, body, as);
    expectResponseShape(route, res, `${url} ${label}`);
    return res;
  };
  expect(route.method, url).toBe('POST');
  expect(route.body, `${url} declares a body schema`).toBeDefined();
  const own = validBody(route, ids);
  expect(
    Value.Check(route.body!, { ...own, client_id: 'c', client_secret: 's' }),
    `${url}: sample body`,
  ).toBe(true);

  const anonymous = await call('without credentials', own, null);
  expect(anonymous.status, `${url} without credentials`).toBe(401);
  expect(anonymous.body.code).toBe('unauthorized');
  const wrongMode = await call(`with ${wrong}-mode credentials`, own, owner[wrong]);
  expect(wrongMode.status, `${url} with ${wrong}-mode credentials`).toBe(401);
  expect(wrongMode.body.code).toBe('unauthorized');

  const bad = badBody(route, ids);
  const invalid = await call(`with a bad ${bad.field}`, bad.body, owner[mode]);
  expect(invalid.status, `${url} with a bad ${bad.field}: ${JSON.stringify(invalid.body)}`).toBe(400);
  expect(invalid.body.code).toBe('validation_error');
  expect(String(invalid.body.field), `${url} names the bad field`).toMatch(new RegExp(`^${bad.field}\\b`));

  const idFields = idFieldsOf(route);
  if (idFields.length > 0) {
    // Someone else's ids: another test client on /test; the other mode's owner (test ids on /v2, live on /test).
    const foreign: [string, Caller, Record<string, string>][] =
      mode === 'test'
        ? [
            ['another test client', ctx.otherTest, ctx.ids.test],
            ["the live client's ids", owner.test, ctx.ids.live],
          ]
        : [['test-mode ids', owner.live, ctx.ids.test]];
    for (const [who, as, theirIds] of foreign) {
      if (idFields.some((f) => theirIds[f] === undefined)) continue;
      const res = await call(`as ${who}`, validBody(route, theirIds), as);
      expect(res.status, `${url} as ${who}: ${JSON.stringify(res.body)}`).toBe(404);
      expect(notFound).toContain(res.body.code);
    }
    // The ids are real: the owner is not told 404.
    if (idFields.every((f) => ids[f] !== undefined)) {
      const mine = await call('as the owner', own, owner[mode]);
      expect(mine.status, `${url} as the owner: ${JSON.stringify(mine.body)}`).not.toBe(404);
    }
  } else {
    await call('as the owner', own, owner[mode]);
  }
}
