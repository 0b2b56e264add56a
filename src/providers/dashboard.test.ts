import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ferry-dashboard-'));
const hostileName = '<img src=x onerror=alert(1)> & "Co"';
let t: TestApp;

beforeAll(async () => {
  const file = path.join(dir, 'providers.yaml');
  writeFileSync(
    file,
    `providers:
  - provider_id: bt_ro
    name: ${JSON.stringify(hostileName)}
`,
  );
  t = await createTestApp({ env: { FERRY_PROVIDERS_FILE: file } });
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const page = async (query = '') => {
  const res = await t.app.inject({ method: 'GET', url: `/dashboard/providers${query}` });
  expect(res.statusCode).toBe(200);
  return { res, body: res.body };
};
const cards = (body: string) =>
  [...body.matchAll(/<section class="provider" id="p-([a-z0-9_]+)"/g)].map((m) => m[1]);
const methodIds = (body: string) =>
  [...body.matchAll(/<code>([a-z0-9_]+_(?:sandbox|stage|prod))<\/code>/g)].map((m) => m[1]!);

describe('GET /dashboard/providers', () => {
  it('renders every provider with a strict CSP, no script and no external URL', async () => {
    const { res, body } = await page();
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("img-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    const style = /<style>([\s\S]*?)<\/style>/.exec(body)![1]!;
    expect(csp).toContain(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(body).not.toMatch(/<script/i);
    expect(body).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(cards(body)).toEqual(t.services.catalogue.providers.map((p) => p.providerId));
    expect(body).toContain('<img src="/providers/logos/rzb_ro.svg"');
  });

  it('escapes catalogue text and the echoed search', async () => {
    const { body } = await page();
    expect(body).not.toContain('<img src=x');
    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Co&quot;');
    const search = await page(`?q=${encodeURIComponent('"><script>alert(1)</script>')}`);
    expect(search.body).not.toContain('<script>alert(1)');
    expect(search.body).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(search.body).toContain('No provider matches these filters.');
  });

  it('filters by env', async () => {
    const { body } = await page('?env=sandbox');
    expect(cards(body)).toEqual(['rzb_ro', 'bt_ro', 'cec_ro']);
    expect(methodIds(body).every((id) => id.endsWith('_sandbox'))).toBe(true);
    expect(body).toContain('<option value="sandbox" selected>');
    const stage = await page('?env=stage');
    expect(methodIds(stage.body).every((id) => id.endsWith('_stage'))).toBe(true);
    expect(cards(stage.body)).not.toContain('cec_ro');
  });

  it('filters by remitter type, scheme and AIS', async () => {
    const corporate = await page('?env=sandbox&remitter=corporate');
    expect(methodIds(corporate.body).sort()).toEqual([
      'bt_ro_other_currency_sandbox',
      'rzb_ro_ais_sandbox',
      'rzb_ro_domestic_sandbox',
      'rzb_ro_fx_sandbox',
      'rzb_ro_sepa_sandbox',
    ]);
    const instant = await page('?scheme=instant');
    const ids = methodIds(instant.body);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => id.includes('_instant_'))).toBe(true);
    expect(instant.body).not.toContain('Account information (AIS)');
    const ais = await page('?show=ais&env=prod');
    expect(methodIds(ais.body).every((id) => id.includes('_ais_'))).toBe(true);
    expect(ais.body).not.toContain('<h3>Payment methods</h3>');
    const pay = await page('?show=pay');
    expect(methodIds(pay.body).some((id) => id.includes('_ais_'))).toBe(false);
    const search = await page('?q=LIBRA');
    expect(cards(search.body)).toEqual(['libra_ro']);
    const byBic = await page('?q=btrlro22');
    expect(cards(byBic.body)).toEqual(['bt_ro']);
  });

  it('ignores unknown filter values instead of failing', async () => {
    const { body } = await page('?env=live&remitter=x&scheme[]=1&show=everything');
    expect(cards(body)).toHaveLength(t.services.catalogue.providers.length);
    expect(body).not.toContain(' selected>Live');
  });

  it('is hidden from the OpenAPI document, unlike the providers API', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toContain('/test/providers/list');
    expect(Object.keys(doc.paths)).toContain('/v2/providers/get');
    expect(Object.keys(doc.paths).some((p) => p.includes('dashboard') || p.includes('logos'))).toBe(false);
  });
});

describe('GET /providers/logos/<id>.svg', () => {
  it('serves a drawn SVG tile with the brand colour and initials', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/providers/logos/rzb_ro.svg' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(res.headers['cache-control']).toContain('max-age');
    expect(res.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(res.body).toContain('fill="#FFE600"');
    expect(res.body).toContain('>R</text>');
    expect(res.body).not.toMatch(/<script|href=/i);
    const hostile = await t.app.inject({ method: 'GET', url: '/providers/logos/bt_ro.svg' });
    expect(hostile.body).toContain('aria-label="&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Co&quot;"');
  });

  it('answers 404 not_found for unknown providers and malformed names', async () => {
    for (const url of [
      '/providers/logos/nope_ro.svg',
      '/providers/logos/bt_ro.png',
      '/providers/logos/..%2Fx.svg',
    ]) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().code).toBe('not_found');
    }
  });
});
