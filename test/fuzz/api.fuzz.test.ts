import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, liveClient, tokenRequest } from '../support/oauth-helpers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { fromSchema, mutate, nastyValue } from './schema-arbitrary.js';

/**
 * Property-based fuzzing of every API endpoint found in /openapi.json, on every version: wrong types, missing
 * and extra fields, huge and unicode strings, malformed amounts/IBANs/currencies/cursors, invalid JSON, oversized
 * bodies and wrong content types. Invariants: no 5xx, every 4xx carries the error envelope, the process survives.
 * FUZZ_RUNS sets the count (CI runs a smaller one; `npm run test:fuzz` runs 10,000); FUZZ_SEED replays a failure.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const BODY_LIMIT = 32 * 1024;

interface Endpoint {
  path: string;
  schema: Record<string, unknown> | undefined;
}

type Paths = Record<
  string,
  Record<string, { requestBody?: { content?: Record<string, { schema?: unknown }> } }>
>;

/** The POST endpoints of /openapi.json whose path matches, each with its JSON body's schema. */
const postEndpoints = (paths: Paths, pattern: RegExp): Endpoint[] =>
  Object.entries(paths)
    .filter(([path, ops]) => ops.post && pattern.test(path))
    .map(([path, ops]) => ({
      path,
      schema: ops.post!.requestBody?.content?.['application/json']?.schema as
        | Record<string, unknown>
        | undefined,
    }));

type Payload = { kind: 'json'; body: string } | { kind: 'other'; type: string; body: string };

/** Bodies for one endpoint: from its schema, mutated, any JSON, nasty values, broken JSON, other types, too big. */
function payloadsFor(ep: Endpoint, auth: Record<string, string>): fc.Arbitrary<Payload> {
  const schemaBody = fromSchema(ep.schema).map((b) =>
    b && typeof b === 'object' && !Array.isArray(b) ? { ...(b as object), ...auth } : b,
  );
  return fc.oneof(
    { weight: 4, arbitrary: schemaBody.map((b) => ({ kind: 'json' as const, body: JSON.stringify(b) })) },
    {
      weight: 4,
      arbitrary: schemaBody
        .chain((b) =>
          b && typeof b === 'object' && !Array.isArray(b)
            ? mutate(b as Record<string, unknown>)
            : fc.constant(b),
        )
        .map((b) => ({ kind: 'json' as const, body: JSON.stringify(b) })),
    },
    {
      weight: 1,
      arbitrary: fc.jsonValue().map((b) => ({ kind: 'json' as const, body: JSON.stringify(b) })),
    },
    {
      weight: 1,
      arbitrary: nastyValue.map((b) => ({
        kind: 'json' as const,
        body: JSON.stringify({ ...auth, x: b }),
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          '{',
          '{"client_id":',
          '[1,2',
          'null',
          '"str"',
          '{"a":1}}',
          '\u0000',
          '{"a":"\\ud800"}',
          '',
        )
        .map((body) => ({ kind: 'json' as const, body })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          'text/plain',
          'application/xml',
          'application/x-www-form-urlencoded',
          'multipart/form-data',
        )
        .map((type) => ({ kind: 'other' as const, type, body: 'client_id=x&client_secret=y' })),
    },
    {
      weight: 1,
      arbitrary: fc.constant({
        kind: 'json' as const,
        body: JSON.stringify({ ...auth, pad: 'x'.repeat(BODY_LIMIT) }),
      }),
    },
  );
}

describe('API fuzzing', () => {
  let t: TestApp;
  let endpoints: Endpoint[];
  let classic: Endpoint[];
  let classicKeys: Record<string, string>;
  let sessionId: string;
  let creds: { client_id: string; client_secret: string };
  let live: { clientId: string; token: string };
  const stats = { requests: 0, byStatus: new Map<number, number>(), fiveXx: 0 };

  beforeAll(async () => {
    t = await createTestApp({ env: { BODY_LIMIT_BYTES: String(BODY_LIMIT) } });
    const c = await t.client();
    creds = { client_id: c.clientId, client_secret: c.clientSecret };
    const l = await liveClient(t);
    const token = await tokenRequest(
      t.app,
      { grant_type: 'client_credentials', scope: 'pay_by_link ais' },
      { authorization: basic(l.clientId, l.clientSecret) },
    );
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    live = { clientId: l.clientId, token: String(token.body.access_token) };
    const spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Paths };
    endpoints = postEndpoints(spec.paths, /^\/(v1|v2|test)\//);
    classic = postEndpoints(spec.paths, /^\/finqware\/v1s?\//);
    const tenant = (await t.services.clients.find(c.clientId))!;
    classicKeys = { ...creds, client_app_key: tenant.clientAppKey };
    const session = await t.app.inject({
      method: 'POST',
      url: '/finqware/v1/sessions',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ ...classicKeys, skill: 'bt_ro_aisp_sbx_#1.0', client_secret: undefined }),
    });
    expect(session.statusCode, session.body).toBe(200);
    sessionId = String(session.json().session_id);
  });

  afterAll(async () => {
    const table = [...stats.byStatus.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`);
    console.log(
      `fuzz: ${stats.requests} requests over ${endpoints.length} endpoints; statuses ${table.join(' ')}; 5xx ${stats.fiveXx}`,
    );
    await t.close();
  });

  it('finds the API endpoints in /openapi.json', () => {
    expect(endpoints.length).toBeGreaterThan(3);
    expect(endpoints.map((e) => e.path)).toContain('/test/providers/list');
  });

  it(`answers ${RUNS} generated requests without a 5xx, always with the error envelope`, async () => {
    const endpoint = fc.constantFrom(...endpoints);
    const request = endpoint.chain((ep) => {
      const isTest = ep.path.startsWith('/test/');
      const auth = isTest ? creds : { client_id: live.clientId };
      const payload = payloadsFor(ep, auth);
      return fc.tuple(
        fc.constant(ep),
        payload,
        fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      );
    });

    await fc.assert(
      fc.asyncProperty(request, async ([ep, payload, forged]) => {
        const headers: Record<string, string> = {
          'content-type': payload.kind === 'other' ? payload.type : 'application/json',
        };
        // Live paths: mostly the valid token (to reach the handlers), sometimes a forged one.
        if (!ep.path.startsWith('/test/')) {
          headers.authorization = forged ? 'Bearer eyJhbGciOiJub25lIn0.e30.' : `Bearer ${live.token}`;
        }
        const res = await t.app.inject({ method: 'POST', url: ep.path, headers, payload: payload.body });
        stats.requests += 1;
        stats.byStatus.set(res.statusCode, (stats.byStatus.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 500) stats.fiveXx += 1;
        if (res.statusCode === 401 && process.env.FUZZ_DEBUG)
          console.log(ep.path, res.json().message, payload.body.slice(0, 120));
        expect(
          res.statusCode,
          `${ep.path} ${payload.body.slice(0, 300)} → ${res.body.slice(0, 300)}`,
        ).toBeLessThan(500);
        if (res.statusCode >= 400) {
          const body = res.json() as Record<string, unknown>;
          expect(typeof body.error_id).toBe('string');
          expect(typeof body.request_id).toBe('string');
          expect(typeof body.code).toBe('string');
          expect(typeof body.message).toBe('string');
        }
      }),
      {
        numRuns: RUNS,
        endOnFailure: true,
        ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}),
      },
    );
    expect(stats.fiveXx).toBe(0);
    expect(stats.requests).toBeGreaterThanOrEqual(RUNS);
  });

  it(`answers ${RUNS} generated classic Finqware requests without a 5xx, always in the classic error model`, async () => {
    expect(classic.map((e) => e.path)).toContain('/finqware/v1/transactions/get');
    const request = fc
      .constantFrom(...classic)
      .chain((ep) => fc.tuple(fc.constant(ep), payloadsFor(ep, classicKeys), fc.boolean()));
    await fc.assert(
      fc.asyncProperty(request, async ([ep, payload, realSession]) => {
        const url = ep.path.replace('{session_id}', realSession ? sessionId : 'not-a-session');
        const res = await t.app.inject({
          method: 'POST',
          url,
          headers: { 'content-type': payload.kind === 'other' ? payload.type : 'application/json' },
          payload: payload.body,
        });
        stats.requests += 1;
        stats.byStatus.set(res.statusCode, (stats.byStatus.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 500) stats.fiveXx += 1;
        expect(
          res.statusCode,
          `${url} ${payload.body.slice(0, 300)} → ${res.body.slice(0, 300)}`,
        ).toBeLessThan(500);
        if (res.statusCode >= 400) {
          const body = res.json() as Record<string, unknown>;
          expect(Object.keys(body).sort()).toEqual(['code', 'http', 'id', 'message', 'type']);
          expect(body.http).toBe(res.statusCode);
        }
      }),
      {
        numRuns: RUNS,
        endOnFailure: true,
        ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}),
      },
    );
    expect(stats.fiveXx).toBe(0);
  });
});
