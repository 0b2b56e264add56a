import { beforeAll, describe, expect, it } from 'vitest';
import type { Catalogue } from './catalogue.js';
import { loadCatalogue } from './catalogue.loader.js';
import { providerView } from './provider-view.js';
import { listProviders } from './providers.service.js';

let catalogue: Catalogue;
beforeAll(async () => {
  catalogue = await loadCatalogue();
});

const ids = (items: { methodId: string }[]) => items.map((m) => m.methodId).sort();

describe('built-in catalogue', () => {
  it('has the seed sandbox providers and a set of Romanian live banks, each once', () => {
    const providerIds = catalogue.providers.map((p) => p.providerId);
    expect(new Set(providerIds).size).toBe(providerIds.length);
    for (const id of ['rzb_ro', 'bt_ro', 'cec_ro', 'bcr_ro', 'ing_ro', 'brd_ro', 'libra_ro']) {
      expect(providerIds).toContain(id);
    }
    const sandboxProviders = new Set(catalogue.findPaymentMethods({}, 'test').map((m) => m.providerId));
    expect([...sandboxProviders].sort()).toEqual(['bt_ro', 'cec_ro', 'rzb_ro']);
  });

  it('maps the Romanian products: rzb_ro domestic, bt_ro ron-payment / other-currency-payment, SEPA', () => {
    const product = (methodId: string, currency: string) =>
      catalogue.paymentProduct(catalogue.paymentMethod(methodId)!, currency);
    expect(product('rzb_ro_domestic_sandbox', 'RON')).toBe('domestic');
    expect(product('rzb_ro_sepa_sandbox', 'EUR')).toBe('sepa-credit-transfers');
    expect(product('rzb_ro_fx_sandbox', 'USD')).toBe('cross-border-credit-transfers');
    expect(product('bt_ro_ron_sandbox', 'RON')).toBe('ron-payment');
    expect(product('bt_ro_other_currency_sandbox', 'eur')).toBe('other-currency-payment');
    expect(product('bt_ro_instant_prod', 'RON')).toBe('ron-payment');
  });
});

describe('findPaymentMethods', () => {
  it('test mode sees sandbox methods only; live mode sees stage and prod only', () => {
    const test = catalogue.findPaymentMethods({}, 'test');
    const live = catalogue.findPaymentMethods({}, 'live');
    expect(test.length).toBeGreaterThan(0);
    expect(new Set(test.map((m) => m.env))).toEqual(new Set(['sandbox']));
    expect(new Set(live.map((m) => m.env))).toEqual(new Set(['stage', 'prod']));
    expect(catalogue.findPaymentMethods({}, 'any')).toHaveLength(test.length + live.length);
  });

  it('filters by provider_id (string or array), remitter type, scheme, env and currency', () => {
    expect(ids(catalogue.findPaymentMethods({ providerId: 'bt_ro' }, 'test'))).toEqual([
      'bt_ro_instant_sandbox',
      'bt_ro_other_currency_sandbox',
      'bt_ro_ron_sandbox',
    ]);
    const two = catalogue.findPaymentMethods({ providerId: ['bt_ro', 'cec_ro'] }, 'test');
    expect(new Set(two.map((m) => m.providerId))).toEqual(new Set(['bt_ro', 'cec_ro']));
    const corporate = catalogue.findPaymentMethods({ remitterType: ['corporate'] }, 'test');
    expect(corporate.length).toBeGreaterThan(0);
    expect(corporate.every((m) => m.remitterType.includes('corporate'))).toBe(true);
    expect(ids(catalogue.findPaymentMethods({ paymentScheme: 'instant' }, 'test'))).toEqual([
      'bt_ro_instant_sandbox',
    ]);
    expect(ids(catalogue.findPaymentMethods({ paymentScheme: ['sepa', 'instant'] }, 'test'))).toEqual([
      'bt_ro_instant_sandbox',
      'rzb_ro_sepa_sandbox',
    ]);
    expect(catalogue.findPaymentMethods({ env: 'stage' }, 'live').every((m) => m.env === 'stage')).toBe(true);
    expect(catalogue.findPaymentMethods({ env: 'prod' }, 'test')).toEqual([]);
    expect(catalogue.findPaymentMethods({ env: 'sandbox' }, 'live')).toEqual([]);
    expect(ids(catalogue.findPaymentMethods({ currency: 'usd' }, 'test'))).toEqual([
      'bt_ro_other_currency_sandbox',
      'rzb_ro_fx_sandbox',
    ]);
    expect(catalogue.findPaymentMethods({ remitterType: [], paymentScheme: [] }, 'test')).toHaveLength(
      catalogue.findPaymentMethods({}, 'test').length,
    );
    expect(catalogue.findPaymentMethods({ providerId: 'nope_ro' }, 'any')).toEqual([]);
  });
});

describe('findAisMethods', () => {
  it('respects the mode and each filter key', () => {
    const test = catalogue.findAisMethods({}, 'test');
    expect(new Set(test.map((m) => m.interfaceEnv))).toEqual(new Set(['sandbox']));
    expect(new Set(catalogue.findAisMethods({}, 'live').map((m) => m.interfaceEnv))).toEqual(
      new Set(['stage', 'prod']),
    );
    expect(ids(catalogue.findAisMethods({ providerId: 'bt_ro' }, 'live'))).toEqual([
      'bt_ro_ais_prod',
      'bt_ro_ais_stage',
    ]);
    expect(ids(catalogue.findAisMethods({ accountOwnerType: ['corporate'] }, 'test'))).toEqual([
      'rzb_ro_ais_sandbox',
    ]);
    expect(catalogue.findAisMethods({ interfaceType: 'berlingroup' }, 'test')).toHaveLength(test.length);
    expect(catalogue.findAisMethods({ interfaceType: 'stet' }, 'test')).toEqual([]);
    expect(
      catalogue.findAisMethods({ interfaceEnv: 'stage' }, 'live').every((m) => m.interfaceEnv === 'stage'),
    ).toBe(true);
    expect(catalogue.findAisMethods({ interfaceEnv: 'prod' }, 'test')).toEqual([]);
  });
});

describe('bankEndpoint', () => {
  it('resolves {public_url} for the sandbox bank and keeps the products map and signature flag', () => {
    const bt = catalogue.bankEndpoint('bt_ro', 'sandbox', 'https://ferry.example.com/');
    expect(bt).toMatchObject({
      providerId: 'bt_ro',
      baseUrl: 'https://ferry.example.com/sandbox-bank/bt_ro',
      requiresSignature: false,
      timeoutMs: 10000,
    });
    expect(bt.paymentProducts['domestic:RON']).toBe('ron-payment');
    expect(catalogue.bankEndpoint('cec_ro', 'sandbox', 'http://localhost:3000').requiresSignature).toBe(true);
    expect(catalogue.bankEndpoint('rzb_ro', 'prod', 'http://x').baseUrl).toMatch(/^https:\/\//);
  });

  it('throws for an env the provider has no connector for', () => {
    expect(() => catalogue.bankEndpoint('cec_ro', 'stage', 'http://x')).toThrow(/no stage connector/);
    expect(() => catalogue.bankEndpoint('nope_ro', 'prod', 'http://x')).toThrow(/nope_ro/);
  });
});

describe('providers.service (mode filtering behind the endpoints) and the provider view', () => {
  const publicUrl = 'http://ferry.test';
  const all = { showPaymentMethods: true, showAisMethods: true };
  const live = { mode: 'live', withAis: true, ...all } as const;

  it('live mode lists only stage/prod methods, test mode only sandbox ones', () => {
    const rows = listProviders(catalogue, live);
    const envs = rows.flatMap((r) => r.paymentMethods!.map((m) => m.env));
    expect(new Set(envs)).toEqual(new Set(['stage', 'prod']));
    expect(rows.map((r) => r.provider.providerId)).toContain('libra_ro');
    const test = listProviders(catalogue, { ...live, mode: 'test' });
    expect(test.map((r) => r.provider.providerId)).toEqual(['rzb_ro', 'bt_ro', 'cec_ro']);
  });

  it('remitter_type is the primary string on v1 and an array on v2', () => {
    const rzb = listProviders(catalogue, live).find((r) => r.provider.providerId === 'rzb_ro')!;
    const sepa = (version: 'v1' | 'v2') =>
      providerView(rzb, { version, publicUrl, showValidationSchema: false }).payment_methods!.find(
        (m) => m.method_id === 'rzb_ro_sepa_prod',
      )!;
    expect(sepa('v1').remitter_type).toBe('corporate');
    expect(sepa('v2').remitter_type).toEqual(['corporate', 'retail']);
  });

  it('without AIS (v1) no AIS methods even when asked', () => {
    const rows = listProviders(catalogue, { ...live, withAis: false });
    expect(rows.every((r) => r.aisMethods === undefined)).toBe(true);
    expect(listProviders(catalogue, live).every((r) => Array.isArray(r.aisMethods))).toBe(true);
  });
});
