import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';

let t: TestApp;
let test: { clientId: string; clientAppKey: string; secret: string };
beforeAll(async () => {
  t = await createTestApp({ env: { FINQWARE_LIVE_CLIENTS: 'true' } });
  const created = await t.services.clients.create({ name: 'Classic shop' });
  test = {
    clientId: created.client.clientId,
    clientAppKey: created.client.clientAppKey,
    secret: created.clientSecret,
  };
});
afterAll(async () => {
  await t?.close();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: `/finqware/v1${path}`,
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });

type SkillOut = {
  skill: string;
  type: string;
  env: string;
  servicer: { id: string; name: string };
  steps: { name: string; schema: unknown; uploads: unknown[] }[];
};

describe('POST /finqware/v1/catalogs/skills', () => {
  it('a test tenant sees the sandbox banks’ AIS and PIS skills and the sandbox product, with their steps', async () => {
    const res = await post('/catalogs/skills', {
      client_id: test.clientId,
      client_app_key: test.clientAppKey,
    });
    expect(res.statusCode, res.body).toBe(200);
    const skills = res.json() as SkillOut[];
    const ids = skills.map((s) => s.skill);
    for (const id of [
      'bt_ro_aisp_sbx_#1.0',
      'rzb_ro_pisp_sbx_#1.0',
      'cec_ro_aisp_sbx_#1.0',
      'ferry_term_deposit_sbx_#1.0',
    ]) {
      expect(ids, id).toContain(id);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(skills.every((s) => s.env === 'sandbox')).toBe(true);
    const bt = skills.find((s) => s.skill === 'bt_ro_aisp_sbx_#1.0')!;
    expect(bt).toMatchObject({ type: 'aisp', country: 'RO', servicer: { id: 'bt_ro' } });
    expect(bt.steps.map((s) => s.name)).toEqual(['sca']);
    expect(Object.keys(bt)).toEqual(['skill', 'type', 'servicer', 'country', 'env', 'steps']);
    const deposit = skills.find((s) => s.type === 'marketplace')!;
    expect(deposit.steps.map((s) => [s.name, s.uploads.length])).toEqual([
      ['product_form', 0],
      ['kyc', 2],
    ]);
    // The secret works too; filters narrow the list.
    const aisp = await post('/catalogs/skills', {
      client_id: test.clientId,
      client_secret: test.secret,
      type: 'aisp',
    });
    expect((aisp.json() as SkillOut[]).map((s) => s.type)).toEqual(
      skills.filter((s) => s.type === 'aisp').map(() => 'aisp'),
    );
    const prod = await post('/catalogs/skills', {
      client_id: test.clientId,
      client_app_key: test.clientAppKey,
      env: 'production',
    });
    expect(prod.json()).toEqual([]);
  });

  it('a live tenant sees the banks’ own systems; a tenant without the pay scope sees no PIS skill', async () => {
    const live = await t.services.clients.create({ name: 'Live shop', mode: 'live' });
    const res = await post('/catalogs/skills', {
      client_id: live.client.clientId,
      client_app_key: live.client.clientAppKey,
    });
    expect(res.statusCode).toBe(200);
    const skills = res.json() as SkillOut[];
    expect(skills.length).toBeGreaterThan(0);
    expect(skills.some((s) => s.skill.includes('_sbx_'))).toBe(false);
    expect(skills.some((s) => s.type === 'marketplace')).toBe(false);
    const ais = await t.services.clients.create({ name: 'Data only', scopes: ['ais'] });
    const only = await post('/catalogs/skills', {
      client_id: ais.client.clientId,
      client_app_key: ais.client.clientAppKey,
    });
    expect((only.json() as SkillOut[]).some((s) => s.type === 'pisp')).toBe(false);
  });

  it('answers every bad request in the classic error model, with a stable code', async () => {
    const disabled = await t.services.clients.create({ name: 'Off' });
    await t.services.clients.update(disabled.client.clientId, { disabled: true });
    const cases: [string, () => ReturnType<typeof post>, number, string, string][] = [
      [
        'no client_id',
        () => post('/catalogs/skills', { client_app_key: 'x' }),
        400,
        'invalid_request',
        'missing_fields',
      ],
      [
        'no key',
        () => post('/catalogs/skills', { client_id: test.clientId }),
        400,
        'invalid_request',
        'missing_fields',
      ],
      [
        'unknown field',
        () =>
          post('/catalogs/skills', { client_id: test.clientId, client_app_key: test.clientAppKey, nope: 1 }),
        400,
        'invalid_request',
        'unknown_fields',
      ],
      [
        'bad type',
        () =>
          post('/catalogs/skills', {
            client_id: test.clientId,
            client_app_key: test.clientAppKey,
            type: 'loans',
          }),
        400,
        'invalid_request',
        'invalid_field',
      ],
      ['not JSON', () => post('/catalogs/skills', '{"client_id":'), 400, 'invalid_request', 'invalid_body'],
      ['an array', () => post('/catalogs/skills', '[]'), 400, 'invalid_request', 'invalid_body'],
      [
        'text/plain',
        () => post('/catalogs/skills', 'hello', { 'content-type': 'text/plain' }),
        415,
        'invalid_request',
        'unsupported_media_type',
      ],
      [
        'unknown client',
        () => post('/catalogs/skills', { client_id: 'test_nobody', client_app_key: 'x' }),
        401,
        'unauthorized',
        'invalid_client_id',
      ],
      [
        'wrong app key',
        () => post('/catalogs/skills', { client_id: test.clientId, client_app_key: 'fak_wrong' }),
        401,
        'unauthorized',
        'invalid_client_app_key',
      ],
      [
        'wrong secret',
        () => post('/catalogs/skills', { client_id: test.clientId, client_secret: 'fsk_wrong' }),
        401,
        'unauthorized',
        'invalid_client_secret',
      ],
      [
        'disabled',
        () =>
          post('/catalogs/skills', {
            client_id: disabled.client.clientId,
            client_app_key: disabled.client.clientAppKey,
          }),
        401,
        'unauthorized',
        'unauthorized_tenant',
      ],
      ['unknown endpoint', () => post('/nothing/here', {}), 404, 'invalid_request', 'not_found'],
      [
        'GET',
        () => t.app.inject({ method: 'GET', url: '/finqware/v1/catalogs/skills' }),
        405,
        'invalid_request',
        'method_not_allowed',
      ],
    ];
    for (const [name, send, http, type, code] of cases) {
      const res = await send();
      expect(res.statusCode, name).toBe(http);
      const body = res.json() as Record<string, unknown>;
      expect(Object.keys(body).sort(), name).toEqual(['code', 'http', 'id', 'message', 'type']);
      expect(body, name).toMatchObject({ type, http, code });
      expect(body.message, name).toEqual(expect.any(String));
      expect(body.id, name).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('is in /openapi.json under its own tag', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, { post: { tags: string[]; responses: Record<string, unknown> } }>;
    };
    const op = doc.paths['/finqware/v1/catalogs/skills']!.post;
    expect(op.tags).toEqual(['Finqware']);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '4XX']));
  });

  it('serves under FINQWARE_API_PREFIX', async () => {
    const other = await createTestApp({ env: { FINQWARE_API_PREFIX: '/classic/api' } });
    try {
      const created = await other.services.clients.create({ name: 'Prefixed' });
      const res = await other.app.inject({
        method: 'POST',
        url: '/classic/api/v1/catalogs/skills',
        headers: { 'content-type': 'application/json' },
        payload: { client_id: created.client.clientId, client_app_key: created.client.clientAppKey },
      });
      expect(res.statusCode).toBe(200);
      expect(
        (await other.app.inject({ method: 'POST', url: '/finqware/v1/catalogs/skills', payload: {} })).json(),
      ).toMatchObject({ code: 'not_found' });
      // Live tenants wait for FINQWARE_LIVE_CLIENTS=true (off here); test tenants may use it from the start.
      const live = await other.services.clients.create({ name: 'Live', mode: 'live' });
      const refused = await other.app.inject({
        method: 'POST',
        url: '/classic/api/v1/catalogs/skills',
        headers: { 'content-type': 'application/json' },
        payload: { client_id: live.client.clientId, client_app_key: live.client.clientAppKey },
      });
      expect(refused.json()).toMatchObject({ http: 401, code: 'unauthorized_tenant' });
    } finally {
      await other.close();
    }
  });
});
