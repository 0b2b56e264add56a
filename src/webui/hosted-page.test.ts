import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfOf } from '../../test/support/csrf.js';
import { readEvents } from '../../test/support/sse.js';
import { createTestStore } from '../../test/support/test-store.js';
import { ApiError } from '../shared/errors.js';
import type { Store } from '../store/index.js';
import { faviconPath, type HostedPage, html, registerWebui, translator } from './index.js';

/** A flow with no domain behind it: what a new hosted page (a widget, a return page) writes, and no more. */
interface Demo {
  webId: string;
  status: 'waiting' | 'done';
  language: string | null;
}

const CSRF_KEY = Buffer.alloc(32, 7);
const strings = {
  en: { 'error.notfound': 'No such demo.', 'redirect.body': 'Off to {bank}.' },
  ro: { 'error.notfound': 'Nu există acest demo.', 'redirect.body': 'Spre {bank}.' },
};

function demoPage(
  prefix: string,
  channel: string,
  demos: Map<string, Demo>,
  returns: string[],
): HostedPage<Demo> {
  return {
    prefix,
    channel,
    strings,
    find: async (webId) => {
      const d = demos.get(webId);
      return d ? { ...d } : undefined;
    },
    webId: (d) => d.webId,
    frame: (d) => ({ template: 'receipt', language: d.language, brand: 'Demo Co', bank: 'Banca Demo' }),
    view: (d, i) => ({
      title: 'Demo',
      heading: 'Demo',
      progress: d.status === 'waiting',
      regions: {
        hero: html`<p>${i.lang}</p>`,
        main: html`${i.alert}<form method="post" action="${`${prefix}/${d.webId}/go`}"><input type="hidden" name="csrf" value="${i.csrf}"><input name="note" value="${i.typed.note ?? ''}"></form>`,
      },
    }),
    live: (d, { t }) => ({
      status: d.status,
      title: t('error.title'),
      message: '',
      final: d.status === 'done',
      ok: true,
      step: d.status === 'done' ? 4 : 1,
      resume: false,
      redirect: null,
      auto: null,
    }),
    actions: {
      go: async () => 'https://bank.test/sca/1',
      stay: async () => undefined,
      refuse: async () => {
        throw new ApiError('validation_error', 'note: an English message for developers');
      },
      crash: async () => {
        throw new Error('boom');
      },
    },
    bankReturn: {
      path: 'back',
      run: async (_d, query) => {
        returns.push(query.outcome ?? '');
        if (query.outcome === 'fail') throw new Error('bank down');
      },
    },
  };
}

describe('the hosted-page kit', () => {
  let store: Store;
  let app: FastifyInstance;
  let base: string;
  const demos = new Map<string, Demo>();
  const returns: string[] = [];
  const add = (webId: string, language: string | null = null) =>
    demos.set(webId, { webId, status: 'waiting', language }).get(webId)!;

  beforeAll(async () => {
    store = await createTestStore();
    app = Fastify({ logger: false });
    const pages = registerWebui(app, {
      store,
      publicUrl: 'http://ferry.test',
      deriveKey: (purpose) => (purpose === 'ferry webui: csrf' ? CSRF_KEY : Buffer.alloc(32)),
      // Only a NOTIFY can move a stream on within a test.
      heartbeatSeconds: 600,
    });
    await pages.register(demoPage('/demo', 'ferry_demo_status', demos, returns));
    await pages.register(demoPage('/other', 'ferry_other_status', demos, returns));
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  const open = async (path: string) => {
    const res = await app.inject({ method: 'GET', url: path });
    const cookie = String(res.headers['set-cookie'] ?? '').split(';')[0] ?? '';
    const token = csrfOf(res.body);
    return { res, cookie, token };
  };
  const post = (url: string, cookie: string, form: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      payload: new URLSearchParams(form).toString(),
    });
  const alertOf = (res: LightMyRequestResponse) => /role="alert">([^<]*)</.exec(res.body)?.[1];

  it('serves the page in its template and language with the strict CSP, an icon and a CSRF token', async () => {
    add('page-a', 'en');
    const { res, cookie, token } = await open('/demo/page-a');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<body class="t-receipt">');
    expect(res.body).toContain('<html lang="en">');
    expect(String(res.headers['content-security-policy'])).toMatch(/script-src 'nonce-[^']+'/);
    expect(res.body).toContain(`<link rel="icon" href="${faviconPath}" type="image/svg+xml">`);
    // Waiting for something: without the script, the page reloads itself.
    expect(res.body).toContain('<noscript><meta http-equiv="refresh" content="5"></noscript>');
    expect(cookie).toMatch(/^ferry_csrf=/);
    // One key for every page and process: the token is the HMAC of (page path, cookie) under the derived key.
    const value = cookie.split('=')[1]!;
    expect(token).toBe(createHmac('sha256', CSRF_KEY).update(`/demo/page-a\n${value}`).digest('base64url'));
  });

  it('an unknown web_id is a 404 page in the page’s own words, with the icon declared', async () => {
    const res = await app.inject({ method: 'GET', url: '/other/nope?lang=ro' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(alertOf(res)).toBe('Nu există acest demo.');
    expect(res.body).toContain(`rel="icon" href="${faviconPath}"`);
    const action = await post('/other/nope/go', '', {});
    expect(action.statusCode).toBe(404);
  });

  it('a POST without a valid CSRF token is refused in the page’s language', async () => {
    add('page-b');
    const { cookie, token } = await open('/demo/page-b');
    const none = await post('/demo/page-b/go', cookie, {});
    expect(none.statusCode).toBe(403);
    expect(alertOf(none)).toBe(translator('ro')('error.csrf'));
    // A token for one page does not open another.
    add('page-c');
    const other = await post('/demo/page-c/go', cookie, { csrf: token });
    expect(other.statusCode).toBe(403);
  });

  it('hands the user to the bank, or shows the page again, after an action', async () => {
    add('page-d');
    const { cookie, token } = await open('/demo/page-d');
    const go = await post('/demo/page-d/go?lang=en', cookie, { csrf: token });
    expect(go.statusCode).toBe(200);
    expect(go.body).toContain('<meta http-equiv="refresh" content="0;url=https://bank.test/sca/1">');
    expect(go.body).toContain('Off to Banca Demo.');
    expect(go.body).not.toContain('<script');
    const stay = await post('/demo/page-d/stay', cookie, { csrf: token });
    expect(stay.statusCode).toBe(303);
    expect(stay.headers.location).toBe('/demo/page-d');
  });

  it('a refused action shows the page with the translated reason and what was typed, never the API message', async () => {
    add('page-e');
    const { cookie, token } = await open('/demo/page-e');
    const ro = await post('/demo/page-e/refuse', cookie, { csrf: token, note: 'my <note>' });
    expect(ro.statusCode).toBe(400);
    expect(alertOf(ro)).toBe(translator('ro')('error.code.validation_error'));
    expect(ro.body).toContain('value="my &lt;note&gt;"');
    expect(ro.body).not.toContain('English message');
    const en = await post('/demo/page-e/refuse?lang=en', cookie, { csrf: token });
    expect(alertOf(en)).toBe(translator('en')('error.code.validation_error'));
  });

  it('a failure is a page, not the API’s JSON, and says nothing of what broke', async () => {
    add('page-f');
    const { cookie, token } = await open('/demo/page-f');
    const res = await post('/demo/page-f/crash', cookie, { csrf: token });
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(alertOf(res)).toBe(translator('ro')('error.generic'));
    expect(res.body).not.toContain('boom');
  });

  it('the bank return refreshes, then shows the page; a failed refresh is not the user’s problem', async () => {
    add('page-g');
    for (const outcome of ['ok', 'fail']) {
      const res = await app.inject({ method: 'GET', url: `/demo/page-g/back?outcome=${outcome}` });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/demo/page-g');
    }
    expect(returns.slice(-2)).toEqual(['ok', 'fail']);
  });

  it('serves the live state as JSON, uncached', async () => {
    add('page-h');
    const res = await app.inject({ method: 'GET', url: '/demo/page-h/status?lang=en' });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toMatchObject({ status: 'waiting', final: false, title: 'Something went wrong' });
  });

  it('streams both pages’ changes over one LISTEN connection, each page on its own channel', async () => {
    for (const [prefix, channel] of [
      ['/demo', 'ferry_demo_status'],
      ['/other', 'ferry_other_status'],
    ] as const) {
      const webId = `live${prefix.slice(1)}`;
      add(webId);
      let timer: NodeJS.Timeout | undefined;
      const { events, ended } = await readEvents(
        `${base}${prefix}/${webId}/events`,
        () => false,
        async () => {
          demos.get(webId)!.status = 'done';
          // Until the LISTEN is in place a NOTIFY may go unheard: send it until the stream moves.
          const notify = () => void sql`SELECT pg_notify(${channel}, ${webId})`.execute(store.db);
          notify();
          timer = setInterval(notify, 100);
        },
      );
      clearInterval(timer);
      expect(events.map((e) => e.status)).toEqual(['waiting', 'done']);
      expect(ended).toBe(true);
    }
    if (store.pool) {
      const { rows } = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE application_name = 'ferry-live-status' AND datname = current_database()`.execute(store.db);
      expect(rows[0]!.n).toBe(1);
    }
  });

  it('serves a tiny icon: the declared SVG and /favicon.ico', async () => {
    const svg = await app.inject({ method: 'GET', url: faviconPath });
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    expect(svg.headers['cache-control']).toContain('immutable');
    expect(svg.rawPayload.length).toBeLessThan(512);
    expect(svg.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const ico = await app.inject({ method: 'GET', url: '/favicon.ico' });
    expect(ico.statusCode).toBe(200);
    expect(ico.headers['content-type']).toBe('image/x-icon');
    const bytes = ico.rawPayload;
    expect(bytes.length).toBe(6 + 16 + 40 + 16 * 16 * 4 + 16 * 4);
    // ICONDIR (icon, one image), then a 16×16 32-bit entry whose image starts right after it.
    expect([...bytes.subarray(0, 6)]).toEqual([0, 0, 1, 0, 1, 0]);
    expect([bytes[6], bytes[7], bytes.readUInt16LE(12), bytes.readUInt32LE(18)]).toEqual([16, 16, 32, 22]);
    expect(bytes.readUInt32LE(14)).toBe(bytes.length - 22);
    // Opaque pixels in the accent blue and in white, transparent corners.
    const alpha = (x: number, y: number) => bytes[62 + ((15 - y) * 16 + x) * 4 + 3];
    expect(alpha(0, 0)).toBe(0);
    expect(alpha(8, 8)).toBe(255);
  });
});
