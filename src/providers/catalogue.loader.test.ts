import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinCatalogueFile, CatalogueError, loadCatalogue } from './catalogue.loader.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ferry-catalogue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(ext: 'json' | 'yaml' | 'yml', content: unknown): string {
  n += 1;
  const name = path.join(dir, `providers-${n}.${ext}`);
  writeFileSync(name, typeof content === 'string' ? content : JSON.stringify(content));
  return name;
}

const newBank = {
  provider_id: 'vista_ro',
  name: 'Vista Bank',
  country: 'RO',
  bic: 'EGNAROBX',
  logo: { text: 'V', background: '#003366', foreground: '#FFFFFF' },
  connectors: {
    prod: {
      base_url: 'https://psd2.vista.example/api',
      payment_products: { domestic: 'domestic-credit-transfers' },
    },
  },
  payment_methods: [
    {
      method_id: 'vista_ro_domestic_prod',
      name: 'Domestic transfer in RON',
      env: 'prod',
      remitter_type: ['retail'],
      payment_scheme: 'domestic',
      currencies: ['RON'],
    },
  ],
  ais_methods: [
    {
      method_id: 'vista_ro_ais_prod',
      name: 'Account information',
      account_owner_type: ['retail'],
      interface_type: 'berlingroup',
      interface_env: 'prod',
    },
  ],
};

async function loadError(fileName: string): Promise<CatalogueError> {
  const err = await loadCatalogue(fileName).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CatalogueError);
  return err as CatalogueError;
}

describe('loadCatalogue', () => {
  it('loads the built-in data file when no operator file is set', async () => {
    const c = await loadCatalogue();
    expect(builtinCatalogueFile).toMatch(/catalogue[/\\]providers\.json$/);
    expect(c.providers.length).toBeGreaterThanOrEqual(10);
    expect(c.aisMethod('bt_ro_ais_sandbox')).toMatchObject({
      maxConsentValidityDays: 180,
      frequencyPerDay: 4,
    });
  });

  it('the shipped file passes every schema (a start on it alone skips the check, as it does for code)', async () => {
    const verified = await loadCatalogue(undefined, { verify: true });
    const trusted = await loadCatalogue();
    expect(verified.providers.map((p) => p.providerId)).toEqual(trusted.providers.map((p) => p.providerId));
  });

  it('JSON: overrides a provider by id (connector per env, methods by id) and adds a bank', async () => {
    const c = await loadCatalogue(
      file('json', {
        providers: [
          {
            provider_id: 'bt_ro',
            name: 'BT (ours)',
            connectors: { prod: { base_url: 'https://bt.internal.example/psd2', timeout_ms: 5000 } },
            payment_methods: [
              { method_id: 'bt_ro_instant_prod', disabled: true },
              { method_id: 'bt_ro_ron_prod', remitter_type: ['retail'] },
            ],
          },
          newBank,
        ],
      }),
    );
    const bt = c.provider('bt_ro')!;
    expect(bt.name).toBe('BT (ours)');
    expect(bt.bic).toBe('BTRLRO22');
    const prod = c.bankEndpoint('bt_ro', 'prod', 'http://x');
    expect(prod.baseUrl).toBe('https://bt.internal.example/psd2');
    expect(prod.timeoutMs).toBe(5000);
    expect(prod.paymentProducts['domestic:RON']).toBe('ron-payment');
    expect(c.paymentMethod('bt_ro_instant_prod')).toBeUndefined();
    expect(c.paymentMethod('bt_ro_ron_prod')).toMatchObject({
      remitterType: ['retail'],
      currencies: ['RON'],
    });
    expect(c.paymentMethod('bt_ro_ron_sandbox')).toBeDefined();
    expect(c.providers.at(-1)!.providerId).toBe('vista_ro');
    expect(c.findPaymentMethods({ providerId: 'vista_ro' }, 'live').map((m) => m.methodId)).toEqual([
      'vista_ro_domestic_prod',
    ]);
    expect(c.findAisMethods({ providerId: 'vista_ro' }, 'live')).toHaveLength(1);
  });

  it('YAML: same format, plus removing a provider and mTLS files relative to the catalogue file', async () => {
    writeFileSync(
      path.join(dir, 'qwac.pem'),
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    );
    writeFileSync(
      path.join(dir, 'qwac.key'),
      '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n',
    );
    const c = await loadCatalogue(
      file(
        'yaml',
        `# operator overrides
providers:
  - provider_id: garanti_ro
    disabled: true
  - provider_id: ing_ro
    connectors:
      prod:
        tls: { cert_file: qwac.pem, key_file: qwac.key }
  - provider_id: libra_ro
    ais_methods:
      - method_id: libra_ro_ais_prod
        interface_type: custom_api
        frequency_per_day: 10
`,
      ),
    );
    expect(c.provider('garanti_ro')).toBeUndefined();
    const ing = c.bankEndpoint('ing_ro', 'prod', 'http://x');
    expect(ing.tls?.cert).toContain('BEGIN CERTIFICATE');
    expect(ing.tls?.key).toContain('PRIVATE KEY');
    expect(c.aisMethod('libra_ro_ais_prod')).toMatchObject({
      interfaceType: 'custom_api',
      frequencyPerDay: 10,
    });
    expect(c.findAisMethods({ interfaceType: 'custom_api' }, 'live').map((m) => m.methodId)).toEqual([
      'libra_ro_ais_prod',
    ]);
  });

  it('replace_builtin: true keeps only the file providers', async () => {
    const c = await loadCatalogue(
      file('yml', `replace_builtin: true\nproviders:\n  - ${JSON.stringify(newBank)}\n`),
    );
    expect(c.providers.map((p) => p.providerId)).toEqual(['vista_ro']);
  });

  it('names the bad entry: wrong enum value', async () => {
    const err = await loadError(
      file('json', {
        providers: [
          { provider_id: 'bt_ro', payment_methods: [{ method_id: 'bt_ro_ron_prod', env: 'live' }] },
        ],
      }),
    );
    expect(err.message).toContain('providers[0] (provider_id "bt_ro")');
    expect(err.message).toContain(
      'payment_methods[0] (method_id "bt_ro_ron_prod").env: must be one of sandbox, stage, prod',
    );
  });

  it('names the bad entry: a new provider missing fields, an unknown field', async () => {
    const { name: _n, ...noName } = newBank;
    const missing = await loadError(file('json', { providers: [noName] }));
    expect(missing.message).toContain('provider "vista_ro": missing required field "name"');
    const unknown = await loadError(file('json', { providers: [{ ...newBank, website: 'https://x' }] }));
    expect(unknown.message).toContain('providers[0] (provider_id "vista_ro"): unknown field "website"');
    const badColour = await loadError(
      file('json', { providers: [{ provider_id: 'bt_ro', logo: { background: 'red' } }] }),
    );
    expect(badColour.message).toContain('logo.background: must match pattern');
  });

  it('checks cross-entry rules: duplicate ids, missing connector, missing product, bad base_url', async () => {
    const dup = await loadError(
      file('json', {
        providers: [
          { ...newBank, payment_methods: [{ ...newBank.payment_methods[0], method_id: 'bt_ro_ron_prod' }] },
        ],
      }),
    );
    expect(dup.message).toContain('method_id "bt_ro_ron_prod" is already used by provider "bt_ro"');

    const twice = await loadError(file('json', { providers: [newBank, newBank] }));
    expect(twice.message).toContain('provider_id "vista_ro" appears twice');

    const noConnector = await loadError(
      file('json', {
        providers: [{ ...newBank, payment_methods: [{ ...newBank.payment_methods[0], env: 'stage' }] }],
      }),
    );
    expect(noConnector.message).toContain(
      'provider "vista_ro" method "vista_ro_domestic_prod": env "stage" has no entry in connectors',
    );

    const noProduct = await loadError(
      file('json', {
        providers: [
          { ...newBank, payment_methods: [{ ...newBank.payment_methods[0], payment_scheme: 'sepa' }] },
        ],
      }),
    );
    expect(noProduct.message).toContain('has no product for "sepa:RON" or "sepa"');

    const badUrl = await loadError(
      file('json', {
        providers: [{ provider_id: 'bt_ro', connectors: { prod: { base_url: '{bank_url}/psd2' } } }],
      }),
    );
    expect(badUrl.message).toContain('connectors.prod.base_url: must be an http(s) URL');
  });

  it('reports unreadable and unparseable files with the file name', async () => {
    const missing = await loadError(path.join(dir, 'nope.yaml'));
    expect(missing.message).toMatch(/nope\.yaml[\s\S]*cannot read the file \(ENOENT\)/);
    const badJson = await loadError(file('json', '{"providers": ['));
    expect(badJson.message).toContain('not valid JSON');
    const badYaml = await loadError(file('yaml', 'providers:\n  - provider_id: [unclosed\n'));
    expect(badYaml.message).toContain('not valid YAML');
    const notList = await loadError(file('yaml', 'providers: bt_ro\n'));
    expect(notList.message).toContain('providers: must be array');
    const tls = await loadError(
      file('json', {
        providers: [
          { provider_id: 'ing_ro', connectors: { prod: { tls: { cert_file: 'x.pem', key_file: 'x.key' } } } },
        ],
      }),
    );
    expect(tls.message).toContain('provider "ing_ro" connectors.prod.tls: cannot read "x.pem"');
  });

  it('fails at startup through parseConfig → createServices when FERRY_PROVIDERS_FILE is invalid', async () => {
    const { parseConfig } = await import('../config/index.js');
    const config = parseConfig({
      FERRY_PROVIDERS_FILE: file('json', { providers: [{ provider_id: 'BAD' }] }),
    });
    await expect(loadCatalogue(config.providersFile)).rejects.toThrow(/provider_id: must match pattern/);
  });
});
