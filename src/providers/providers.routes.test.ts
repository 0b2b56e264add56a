import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, tokenRequest } from '../../test/support/oauth-helpers.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';

type Method = Record<string, unknown> & { method_id: string; env: string; remitter_type: unknown };
type ProviderView = {
  provider_id: string;
  logo_url: string;
  payment_methods?: Method[];
  ais_methods?: (Record<string, unknown> & { method_id: string; interface_env: string })[];
};

let t: TestApp;
let creds: { client_id: string; client_secret: string };
let live: { clientId: string; token: string };

beforeAll(async () => {
  t = await createTestApp();
  const c = await t.client();
  creds = { client_id: c.clientId, client_secret: c.clientSecret };
  const l = await t.client({ mode: 'live' });
  const res = await tokenRequest(
    t.app,
    { grant_type: 'client_credentials' },
    { authorization: basic(l.clientId, l.clientSecret) },
  );
  expect(res.status).toBe(200);
  live = { clientId: l.clientId, token: res.body.access_token as string };
});
afterAll(() => t?.close());

// biome-ignore lint/suspicious/noExplicitAny: response bodies are loose JSON read field by field
type Json = Record<string, any>;
const post = (url: string, body: Record<string, unknown>) => t.call<Json>(url, body, null);
const test = (op: 'list' | 'get', body: Record<string, unknown> = {}) =>
  t.call<Json>(`/test/providers/${op}`, body, creds);
const liveCall = (version: 'v1' | 'v2', op: 'list' | 'get', body: Record<string, unknown> = {}) =>
  t.call<Json>(`/${version}/providers/${op}`, body, { bearer: live.token, client_id: live.clientId });
const allMethods = { options: { show_payment_methods: true, show_ais_methods: true } };

describe('POST /test/providers/list', () => {
  it('lists the three sandbox providers with sandbox methods only and array remitter_type', async () => {
    const res = await test('list', allMethods);
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body.request_id).toEqual(expect.any(String));
    expect(body.api_client_app).toEqual(expect.any(String));
    const providers = body.providers as ProviderView[];
    expect(providers.map((p) => p.provider_id)).toEqual(['rzb_ro', 'bt_ro', 'cec_ro']);
    for (const p of providers) {
      expect(p.logo_url).toBe(`http://ferry.test/providers/logos/${p.provider_id}.svg`);
      expect(p.payment_methods!.length).toBeGreaterThan(0);
      for (const m of p.payment_methods!) {
        expect(m.env).toBe('sandbox');
        expect(Array.isArray(m.remitter_type)).toBe(true);
        expect(m.validation_schema).toBeUndefined();
      }
      for (const m of p.ais_methods!) expect(m.interface_env).toBe('sandbox');
    }
    const rzb = providers[0]!;
    expect(rzb.payment_methods!.find((m) => m.method_id === 'rzb_ro_domestic_sandbox')).toMatchObject({
      remitter_type: ['retail', 'corporate'],
      payment_scheme: 'domestic',
      currencies: ['RON'],
      inputs: { debtor_iban: 'one_of', psu_id: 'one_of' },
      features: { debtor_iban_input: true, psu_id_input: true },
    });
    expect(JSON.stringify(body)).not.toContain('base_url');
  });

  it('omits methods unless asked', async () => {
    const providers = (await test('list')).body.providers as ProviderView[];
    expect(providers).toHaveLength(3);
    expect(providers.every((p) => p.payment_methods === undefined && p.ais_methods === undefined)).toBe(true);
  });

  it('ais_methods_filter narrows AIS methods by account_owner_type, interface_type and interface_env', async () => {
    const ais = async (filter: Record<string, unknown>) => {
      const res = await test('list', { options: { show_ais_methods: true, ais_methods_filter: filter } });
      expect(res.status).toBe(200);
      return (res.body.providers as ProviderView[])
        .flatMap((p) => p.ais_methods!.map((m) => m.method_id))
        .sort();
    };
    const every = ['bt_ro_ais_sandbox', 'cec_ro_ais_sandbox', 'rzb_ro_ais_sandbox'];
    expect(await ais({})).toEqual(every);
    expect(await ais({ account_owner_type: ['corporate'] })).toEqual(['rzb_ro_ais_sandbox']);
    expect(await ais({ account_owner_type: ['retail', 'corporate'] })).toEqual(every);
    expect(await ais({ interface_type: 'berlingroup' })).toEqual(every);
    expect(await ais({ interface_type: 'stet' })).toEqual([]);
    expect(await ais({ interface_env: 'sandbox' })).toEqual(every);
    expect(await ais({ interface_env: 'prod' })).toEqual([]);
  });

  it('show_validation_schema returns a JSON Schema that accepts a good intent and rejects bad ones', async () => {
    const res = await test('list', { options: { show_validation_schema: true } });
    const providers = res.body.providers as ProviderView[];
    const method = providers[1]!.payment_methods!.find((m) => m.method_id === 'bt_ro_ron_sandbox')!;
    const validate = new Ajv({ strict: true }).compile(method.validation_schema as object);
    const good = {
      amount: '100.50',
      currency: 'RON',
      creditor_name: 'ACME SRL',
      creditor_iban: 'RO10RZBR0000069999999970',
      remittance_info: 'INV-1',
      end_to_end_id: 'order-1001',
    };
    expect(validate(good)).toBe(true);
    expect(validate({ ...good, amount: '100,50' })).toBe(false);
    expect(validate({ ...good, amount: '0100' })).toBe(false);
    expect(validate({ ...good, currency: 'EUR' })).toBe(false);
    expect(validate({ ...good, creditor_iban: 'DE89370400440532013000' })).toBe(false);
    const { creditor_name: _omit, ...missing } = good;
    expect(validate(missing)).toBe(false);
  });

  it('rejects wrong types with validation_error naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ options: 'yes' }, 'options'],
      [{ options: { show_payment_methods: 'yes' } }, 'options.show_payment_methods'],
      [
        { options: { ais_methods_filter: { account_owner_type: 'retail' } } },
        'options.ais_methods_filter.account_owner_type',
      ],
      [
        { options: { ais_methods_filter: { account_owner_type: ['household'] } } },
        'options.ais_methods_filter.account_owner_type.0',
      ],
      [
        { options: { ais_methods_filter: { interface_env: 'live' } } },
        'options.ais_methods_filter.interface_env',
      ],
      [
        { options: { ais_methods_filter: { interface_type: 7 } } },
        'options.ais_methods_filter.interface_type',
      ],
    ];
    for (const [body, field] of cases) {
      const res = await test('list', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ code: 'validation_error', field });
    }
  });

  it('needs test credentials', async () => {
    const res = await post('/test/providers/list', { client_id: creds.client_id, client_secret: 'wrong' });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('unauthorized');
  });
});

describe('POST /test/providers/get', () => {
  it('returns one sandbox provider with its methods and schemas', async () => {
    const res = await test('get', {
      provider_id: 'cec_ro',
      options: { show_payment_methods: true, show_ais_methods: true, show_validation_schema: true },
    });
    expect(res.status).toBe(200);
    const { provider } = res.body as { provider: ProviderView };
    expect(provider.provider_id).toBe('cec_ro');
    expect(provider.payment_methods!.map((m) => m.method_id)).toEqual(['cec_ro_ron_sandbox']);
    expect(provider.payment_methods![0]!.validation_schema).toMatchObject({ type: 'object' });
    expect(provider.ais_methods!.map((m) => m.method_id)).toEqual(['cec_ro_ais_sandbox']);
  });

  it('answers 404 not_found for an unknown provider and for a live-only one', async () => {
    for (const provider_id of ['nope_ro', 'ing_ro']) {
      const res = await test('get', { provider_id });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'not_found' });
      expect(res.body.error_id).toEqual(expect.any(String));
    }
  });

  it('requires provider_id and checks its type', async () => {
    const missing = await test('get', { options: { show_payment_methods: true } });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 'validation_error', field: 'provider_id' });
    const wrong = await test('get', { provider_id: 42 });
    expect(wrong.body).toMatchObject({ code: 'validation_error', field: 'provider_id' });
    const empty = await test('get', { provider_id: '' });
    expect(empty.body).toMatchObject({ code: 'validation_error', field: 'provider_id' });
    const options = await test('get', { provider_id: 'bt_ro', options: [] });
    expect(options.body).toMatchObject({ code: 'validation_error', field: 'options' });
  });
});

describe('live paths (OAuth2 bearer)', () => {
  it('/v2/providers/list shows only stage/prod methods, remitter_type arrays and AIS methods', async () => {
    const res = await liveCall('v2', 'list', allMethods);
    expect(res.status).toBe(200);
    const providers = res.body.providers as ProviderView[];
    expect(providers.map((p) => p.provider_id)).toEqual(
      expect.arrayContaining(['rzb_ro', 'bt_ro', 'bcr_ro', 'ing_ro']),
    );
    const methods = providers.flatMap((p) => p.payment_methods!);
    expect(new Set(methods.map((m) => m.env))).toEqual(new Set(['stage', 'prod']));
    expect(methods.every((m) => Array.isArray(m.remitter_type))).toBe(true);
    const ais = providers.flatMap((p) => p.ais_methods!);
    expect(ais.length).toBeGreaterThan(0);
    expect(ais.every((m) => m.interface_env !== 'sandbox')).toBe(true);
  });

  it('/v1/providers/list has string remitter_type and no AIS methods', async () => {
    const res = await liveCall('v1', 'list', allMethods);
    expect(res.status).toBe(200);
    const providers = res.body.providers as ProviderView[];
    expect(providers.every((p) => p.ais_methods === undefined)).toBe(true);
    const sepa = providers
      .find((p) => p.provider_id === 'rzb_ro')!
      .payment_methods!.find((m) => m.method_id === 'rzb_ro_sepa_prod')!;
    expect(sepa.remitter_type).toBe('corporate');
    const methods = providers.flatMap((p) => p.payment_methods!);
    expect(methods.every((m) => typeof m.remitter_type === 'string')).toBe(true);
  });

  it('/v2/providers/get returns a live provider and 404 for unknown ids', async () => {
    const ok = await liveCall('v2', 'get', {
      provider_id: 'libra_ro',
      options: { show_payment_methods: true },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.provider.payment_methods.map((m: Method) => m.env)).toEqual(['prod', 'prod']);
    const missing = await liveCall('v2', 'get', { provider_id: 'nope_ro' });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not_found');
  });

  it('/v1/providers/get does not exist (v2 and /test only)', async () => {
    const res = await liveCall('v1', 'get', { provider_id: 'bt_ro' });
    expect(res.status).toBe(404);
  });

  it('live paths need a bearer token', async () => {
    const res = await post('/v2/providers/list', { client_id: live.clientId });
    expect(res.status).toBe(401);
  });
});
