import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { createFakeBank } from '../connectors/test-support/fake-bank.js';
import { templates } from '../webui/index.js';

/** What makes each template a layout of its own (not a colour swap): its frame's landmarks and its selector. */
const markers: Record<string, string[]> = {
  default: ['class="top"', 'class="wrap"', 'class="panel hero"', 'type="radio"'],
  classic: ['class="bar"', 'class="doc"', '<select id="method"'],
  compact: ['class="card"', '<details><summary>', 'class="line"'],
  cards: ['class="banner"', 'class="strip"', 'class="tiles"'],
  glass: ['class="stage"', 'class="pane"', 'class="methods-chips"'],
  sheet: ['class="cover"', 'class="sheet"', 'class="pay-bar"'],
  receipt: ['class="paper"', 'class="total"', '<hr>'],
};

describe('the pay page in the hosted page templates', () => {
  let t: TestApp;
  let creds: Record<string, string>;
  beforeAll(async () => {
    t = await createTestApp({ connector: createFakeBank() });
    const c = await t.client({ uxTemplate: 'cards' });
    creds = { client_id: c.clientId, client_secret: c.clientSecret };
  });
  afterAll(() => t.close());

  const link = async (options: Record<string, unknown> = {}, st: Record<string, unknown> = {}) =>
    (
      await t.app.inject({
        method: 'POST',
        url: '/test/links/create',
        payload: {
          ...creds,
          single_transfer: {
            amount: '1234.50',
            currency: 'RON',
            creditor_name: 'Magazinul Ferry',
            creditor_iban: 'RO10RZBR0000069999999970',
            remittance_info: 'Factura 77',
            ...st,
          },
          options,
        },
      })
    ).json() as { web_id: string; link_id: string };
  const page = async (webId: string, query = '') =>
    t.app.inject({ method: 'GET', url: `/pay/${webId}${query}` });

  it.each(templates)('%s has its own frame and selector', async (template) => {
    const l = await link({ ux_template: template });
    const res = await page(l.web_id);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`<body class="t-${template}">`);
    expect(res.body).toMatch(new RegExp(`href="/webui/assets/${template}\\.[A-Za-z0-9_-]{10}\\.css"`));
    for (const m of markers[template]!) expect(res.body, `${template}: ${m}`).toContain(m);
    for (const [other, ms] of Object.entries(markers)) {
      if (other === template) continue;
      expect(
        ms.every((m) => res.body.includes(m)),
        `${template} looks like ${other}`,
      ).toBe(false);
    }
  });

  it('the page structure differs between every pair of templates', async () => {
    const shapes = new Map<string, string>();
    for (const template of templates) {
      const l = await link({ ux_template: template });
      const body = (await page(l.web_id)).body;
      const shape = [...body.matchAll(/<([a-z0-9]+)(?: [^>]*?class="([^"]*)")?/g)]
        .map((m) => `${m[1]}.${m[2] ?? ''}`)
        .join('>');
      shapes.set(template, shape);
    }
    expect(new Set(shapes.values()).size).toBe(templates.length);
  });

  it('the client’s default template applies unless the link overrides it', async () => {
    expect((await page((await link()).web_id)).body).toContain('<body class="t-cards">');
    expect((await page((await link({ ux_template: 'sheet' })).web_id)).body).toContain(
      '<body class="t-sheet">',
    );
  });

  it('escapes what the API client sent', async () => {
    const l = await link(
      {},
      { creditor_name: '<img src=x onerror=alert(1)>', remittance_info: '"><script>alert(2)</script>' },
    );
    const body = (await page(l.web_id)).body;
    expect(body).not.toContain('<img src=x');
    expect(body).not.toContain('<script>alert');
    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it.each(templates)('%s stays within the weight budget (page < 60 KB, JS < 10 KB)', async (template) => {
    const l = await link({ ux_template: template });
    const res = await page(l.web_id);
    const assets = [
      ...res.body.matchAll(/(?:href|src)="(\/(?:webui\/assets|providers\/logos|pay)\/[^"]+)"/g),
    ].map((m) => m[1]!);
    const uniq = [...new Set(assets.filter((a) => !a.endsWith('/pay') && !a.includes('?lang=')))];
    let total = Buffer.byteLength(res.body);
    let js = 0;
    for (const a of uniq) {
      const r = await t.app.inject({ method: 'GET', url: a });
      expect(r.statusCode, a).toBe(200);
      total += r.rawPayload.length;
      if (a.endsWith('.js')) js += r.rawPayload.length;
    }
    expect(js).toBeGreaterThan(0);
    expect(js).toBeLessThan(10 * 1024);
    expect(total).toBeLessThan(60 * 1024);
  });

  it('serves assets with immutable caching, ETags and 404 for unknown names', async () => {
    const body = (await page((await link()).web_id)).body;
    const css = /href="(\/webui\/assets\/[^"]+\.css)"/.exec(body)![1]!;
    const res = await t.app.inject({ method: 'GET', url: css });
    expect(res.headers['cache-control']).toContain('immutable');
    expect(res.headers['content-type']).toMatch(/^text\/css/);
    const again = await t.app.inject({
      method: 'GET',
      url: css,
      headers: { 'if-none-match': String(res.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    expect((await t.app.inject({ method: 'GET', url: '/webui/assets/nope.css' })).statusCode).toBe(404);
  });
});
