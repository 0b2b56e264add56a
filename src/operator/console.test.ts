import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, watchedPage } from '../../test/support/browser.js';
import { needs } from '../../test/support/needs.js';
import { createOperatorTestApp, listenOperatorApp } from '../../test/support/operator-app.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { startReceiver } from '../../test/support/webhook-receiver.js';
import { recordEvent } from '../webhooks/index.js';

const executablePath = await needs('chromium');
const token = `fat_${'c'.repeat(40)}`;

/** The operator console on the operator listener: sessions, CSRF, and the clients pages. */
describe('operator console', () => {
  let t: TestApp;
  let ops: FastifyInstance;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ t, ops, close } = await createOperatorTestApp(token));
  });
  afterAll(() => close());

  const cookiesOf = (res: { headers: Record<string, unknown> }) =>
    ([] as string[])
      .concat((res.headers['set-cookie'] as string | string[] | undefined) ?? [])
      .map((c) => c.split(';')[0]!)
      .join('; ');
  const csrfIn = (body: string) => /name="csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';
  const signIn = async () => {
    const form = await ops.inject({ method: 'GET', url: '/console/sign-in' });
    const csrfCookie = cookiesOf(form);
    const res = await ops.inject({
      method: 'POST',
      url: '/console/sign-in',
      headers: { cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ csrf: csrfIn(form.body), token }).toString(),
    });
    expect(res.statusCode).toBe(303);
    const session = cookiesOf(res);
    expect(String(res.headers['set-cookie'])).toMatch(
      /ferry_console=\d+\.[\w-]{43}; Max-Age=1800; Path=\/console; HttpOnly; SameSite=Strict/,
    );
    return `${csrfCookie}; ${session}`;
  };

  it('sends every page to sign-in without a session, and refuses a wrong token', async () => {
    for (const url of [
      '/console',
      '/console/clients/test_x',
      '/console?lang=ro',
      '/console/links',
      '/console/links/x',
      '/console/webhooks',
      '/console/webhooks/x',
      '/console/keys',
    ]) {
      const res = await ops.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location).toMatch(/^\/console\/sign-in\?lang=(en|ro)$/);
    }
    for (const url of [
      '/console/clients',
      '/console/clients/test_x/rotate-secret',
      '/console/clients/test_x/disable',
      '/console/webhooks/redeliver',
      '/console/webhooks/x/redeliver',
      '/console/keys/rotate',
    ]) {
      const res = await ops.inject({ method: 'POST', url, payload: {} });
      expect(res.statusCode, url).toBe(303);
    }
    const forged = await ops.inject({
      method: 'GET',
      url: '/console',
      headers: { cookie: 'ferry_console=99999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    });
    expect(forged.statusCode).toBe(303);
    const form = await ops.inject({ method: 'GET', url: '/console/sign-in?lang=ro' });
    expect(form.statusCode).toBe(200);
    expect(form.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(form.body).toContain('Token de operator');
    const wrong = await ops.inject({
      method: 'POST',
      url: '/console/sign-in',
      headers: { cookie: cookiesOf(form), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ csrf: csrfIn(form.body), token: 'nope' }).toString(),
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['set-cookie'] ?? '').not.toContain('ferry_console=');
  });

  it('refuses every POST without the CSRF token of its form, even with a session', async () => {
    const cookie = await signIn();
    const { client } = await t.services.clients.create({ name: 'Target' });
    for (const path of [
      '/console/clients',
      `/console/clients/${client.clientId}/rotate-secret`,
      `/console/clients/${client.clientId}/disable`,
      `/console/clients/${client.clientId}/settings`,
      '/console/webhooks/redeliver',
      '/console/keys/rotate',
      '/console/sign-out',
    ]) {
      const res = await ops.inject({
        method: 'POST',
        url: path,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'name=Evil&csrf=forged',
      });
      expect(res.statusCode, path).toBe(403);
    }
    expect((await t.services.clients.find(client.clientId))?.disabled).toBe(false);
    expect((await t.services.operator({ who: 'test' }).audit(1))[0]?.action).not.toBe('keys.rotate');
    // Searches with bad input say why; an unknown link is 404.
    for (const query of ['status=paid', 'from=yesterday', 'client=test_nobody']) {
      const res = await ops.inject({ method: 'GET', url: `/console/links?${query}`, headers: { cookie } });
      expect(res.statusCode, query).toBe(400);
      expect(res.body).toContain('class="alert"');
    }
    const found = await ops.inject({
      method: 'GET',
      url: '/console/links?status=created',
      headers: { cookie },
    });
    expect(found.statusCode).toBe(200);
    for (const query of ['state=paid', 'client=test_nobody']) {
      const res = await ops.inject({ method: 'GET', url: `/console/webhooks?${query}`, headers: { cookie } });
      expect(res.statusCode, query).toBe(400);
      expect(res.body).toContain('class="alert"');
    }
    for (const url of [
      `/console/links/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}`,
      `/console/webhooks/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}`,
      '/console/webhooks/not-an-id',
    ]) {
      expect((await ops.inject({ method: 'GET', url, headers: { cookie } })).statusCode, url).toBe(404);
    }
    // Consents: searched by web_id and status; a consent's page shows its refresh jobs' phases and errors.
    const created = await t.call('/test/ais/consents/create', { ais_method: { provider_id: 'bt_ro' } });
    expect(created.status).toBe(200);
    const { consent_id: consentId, web_id: consentWebId } = created.body as {
      consent_id: string;
      web_id: string;
    };
    const now = t.services.clock.now();
    await t.store.db
      .insertInto('ais_jobs')
      .values({
        id: '018f0000-0000-7000-8000-000000000001',
        consent_id: consentId,
        status: 'job_failed',
        kind: 'refresh',
        callback_url: null,
        results: JSON.stringify({
          accounts: { fetched: 2, inserted: 2, updated: 0 },
          balances: { inserted: 2 },
          transactions: { inserted: 17, updated: 1, pending_replaced: 0, pending_removed: 0 },
          durations_ms: { accounts: 40, balances: 30, transactions: 900 },
          errors: [
            {
              stage: 'transactions',
              account_id: 'acc-2',
              code: 'bank_unavailable',
              message: 'bank said 503',
            },
          ],
        }),
        error: 'bank_unavailable',
        created_at: now,
        updated_at: now,
      })
      .execute();
    const consents = await ops.inject({
      method: 'GET',
      url: `/console/consents?q=${consentWebId}&status=created`,
      headers: { cookie },
    });
    expect(consents.statusCode).toBe(200);
    expect(consents.body).toContain(`/console/consents/${consentId}`);
    const none = await ops.inject({
      method: 'GET',
      url: '/console/consents?status=active&lang=en',
      headers: { cookie },
    });
    expect(none.body).toContain('No consent matches.');
    for (const query of ['status=paid', 'to=tomorrow', 'client=test_nobody']) {
      const res = await ops.inject({ method: 'GET', url: `/console/consents?${query}`, headers: { cookie } });
      expect(res.statusCode, query).toBe(400);
    }
    for (const [operation, outcome, httpStatus] of [
      ['listAccounts', 'ok', undefined],
      ['listTransactions', 'unavailable', 503],
    ] as const) {
      t.services.bankCalls.record({
        provider: 'bt_ro',
        operation,
        outcome,
        httpStatus,
        seconds: 0.25,
        subject: { kind: 'consent', id: consentId },
      });
    }
    await t.services.bankCalls.flush();
    const consentPage = await ops.inject({
      method: 'GET',
      url: `/console/consents/${consentId}?lang=en`,
      headers: { cookie },
    });
    expect(consentPage.statusCode).toBe(200);
    expect(consentPage.body).toContain(
      'transactions: 17 new, 1 updated, 0 pending replaced, 0 pending removed, 900 ms',
    );
    expect(consentPage.body).toContain('transactions acc-2: bank_unavailable bank said 503');
    expect(consentPage.body).toContain('No webhook for this consent.');
    expect(consentPage.body).toContain('bt_ro listAccounts: ok, 250 ms');
    expect(consentPage.body).toContain('bt_ro listTransactions: unavailable (HTTP 503), 250 ms');
    // The banks page: the catalogue with each bank's last 24 hours.
    const banks = await ops.inject({ method: 'GET', url: '/console/providers?lang=en', headers: { cookie } });
    expect(banks.statusCode).toBe(200);
    expect(banks.body).toContain('Last 24 h: 2 calls, 50.0% ok, p50 250 ms, p95 250 ms');
    expect(banks.body).toContain('<code>rzb_ro_domestic_sandbox</code>');
    expect(banks.body).toContain('Last 24 h: no call');
    const filtered = await ops.inject({
      method: 'GET',
      url: '/console/providers?q=cec',
      headers: { cookie },
    });
    expect(filtered.body).toContain('cec_ro');
    expect(filtered.body).not.toContain('<code>bt_ro</code>');
    expect((await ops.inject({ method: 'GET', url: '/console/providers' })).statusCode).toBe(303);
    for (const url of [
      '/console/consents/nope',
      `/console/consents/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}`,
    ]) {
      expect((await ops.inject({ method: 'GET', url, headers: { cookie } })).statusCode, url).toBe(404);
    }
    expect((await ops.inject({ method: 'GET', url: '/console/consents' })).statusCode).toBe(303);

    // The operator API's token does not open the console, and a console session does not open the API.
    expect(
      (await ops.inject({ method: 'GET', url: '/operator/v1/clients', headers: { cookie } })).statusCode,
    ).toBe(401);
  });
});

describe.skipIf(!executablePath)('operator console in Chromium', () => {
  let t: TestApp;
  let ops: FastifyInstance;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp();
    ({ ops, base } = await listenOperatorApp(t.services.operatorDeps, token));
    browser = await launchBrowser(executablePath!);
  });
  afterAll(async () => {
    await browser?.close();
    await ops?.close();
    await t?.close();
  });

  it('signs in, creates a client (secret once), edits it, rotates its secret and disables it, at 360 px', async () => {
    const { page, problems, close } = await watchedPage(browser, {
      origins: [base],
      width: 360,
      height: 740,
      locale: 'en-GB',
    });
    try {
      await page.goto(`${base}/console`);
      expect(page.url()).toBe(`${base}/console/sign-in?lang=en`);
      await page.fill('input[name="token"]', token);
      await Promise.all([page.waitForURL(`${base}/console?lang=en`), page.click('button[type="submit"]')]);
      await page.fill('input[name="name"]', 'Browser shop');
      await Promise.all([
        page.waitForLoadState('load'),
        page.click('form[action^="/console/clients"] button[type="submit"]'),
      ]);
      const secret = (await page.textContent('#secret'))!;
      expect(secret).toMatch(/^fsk_/);
      const clientId = /client_id<\/dt><dd><code>(test_[\w-]+)/.exec(await page.content())![1]!;
      expect(
        (await t.call('/test/providers/list', {}, { client_id: clientId, client_secret: secret })).status,
      ).toBe(200);

      await page.fill(
        'textarea[name="redirect_uris"]',
        'https://shop.example/back\nhttps://shop.example/again',
      );
      await page.click('form[action*="/settings"] button[type="submit"]');
      await page.waitForSelector('text=Saved.');
      expect((await t.services.clients.find(clientId))?.redirectUris).toEqual([
        'https://shop.example/back',
        'https://shop.example/again',
      ]);

      await page.fill('textarea[name="frame_ancestors"]', 'https://shop.example/not-an-origin');
      await page.click('form[action*="/settings"] button[type="submit"]');
      await page.waitForSelector('.alert >> text=frame_ancestors');

      await page.click('form[action*="/rotate-secret"] button');
      await page.waitForSelector('text=New secret');
      const next = (await page.textContent('#secret'))!;
      expect(next).not.toBe(secret);
      expect(
        (await t.call('/test/providers/list', {}, { client_id: clientId, client_secret: secret })).status,
      ).toBe(401);

      await page.click('form[action*="/disable"] button');
      await page.waitForSelector('form[action*="/enable"]');
      expect((await t.services.clients.find(clientId))?.disabled).toBe(true);

      // A link with a delivered webhook: found by web_id, its attempts shown, one redelivered.
      const receiver = await startReceiver(() => 200);
      try {
        await t.services.clients.update(clientId, { disabled: false, webhookUrl: `${receiver.url}/hook` });
        const link = await t.call(
          '/test/links/create',
          {
            single_transfer: {
              amount: '5.00',
              currency: 'RON',
              creditor_name: 'A',
              creditor_iban: 'RO10RZBR0000069999999970',
            },
          },
          { client_id: clientId, client_secret: next },
        );
        expect(link.status).toBe(200);
        const { link_id: linkId, web_id: webId } = link.body as { link_id: string; web_id: string };
        await recordEvent(t.store.db, {
          type: 'link_status_update',
          clientId: (await t.services.clients.find(clientId))!.id,
          objectId: linkId,
          payload: { link_id: linkId, status: 'completed' },
          at: t.services.clock.now(),
        });
        await t.worker.drain();
        await page.goto(`${base}/console/links?lang=en`);
        await page.fill('input[name="q"]', webId);
        await Promise.all([page.waitForURL(/q=/), page.click('form[action="/console/links"] button')]);
        await Promise.all([page.waitForLoadState('load'), page.click(`a:has-text("${webId}")`)]);
        expect(await page.textContent('ul.events')).toContain('delivered 200');
        expect(await page.textContent('main')).toContain('No bank call for this object.');
        await page.click('ul.events form button');
        await page.waitForSelector('text=Queued for delivery again.');
        await t.worker.drain();
        expect(receiver.received.length).toBe(2);
        // (Not a reload: that would post the redelivery again.)
        await page.goto(`${base}/console/links/${linkId}?lang=en`);
        expect(await page.locator('ul.events ol li').count()).toBe(2);

        // The banks page at 360 px: every bank of the catalogue, each with its last 24 hours.
        await page.goto(`${base}/console/providers?lang=en`);
        expect(await page.locator('ul.providers > li').count()).toBe(t.services.catalogue.providers.length);
        expect(await page.locator('ul.providers p.health').first().textContent()).toContain('Last 24 h');

        // Webhook deliveries: filtered by state and client, one event's attempt log, redeliver it, then the set.
        await page.goto(`${base}/console/webhooks?lang=en`);
        await page.selectOption('select[name="state"]', 'delivered');
        await page.fill('input[name="client"]', clientId);
        await Promise.all([
          page.waitForURL(/state=delivered/),
          page.click('form[action="/console/webhooks"] button'),
        ]);
        expect(await page.locator('ul.events > li').count()).toBe(1);
        await Promise.all([page.waitForLoadState('load'), page.click('ul.events a')]);
        expect(await page.locator('ol.attempts li').count()).toBe(2);
        expect(await page.textContent('pre.payload')).toContain(linkId);
        await page.click('form[action*="/redeliver"] button');
        await page.waitForSelector('text=Queued for delivery again.');
        await t.worker.drain();
        expect(receiver.received.length).toBe(3);
        await page.goto(`${base}/console/webhooks?lang=en&state=delivered&client=${clientId}`);
        await page.click('form[action^="/console/webhooks/redeliver"] button');
        await page.waitForSelector('text=Queued again: 1; could not go again: 0.');
        await t.worker.drain();
        expect(receiver.received.length).toBe(4);
      } finally {
        await receiver.close();
      }
      // Signing keys: the current and the previous; rotating makes a new current one.
      await page.goto(`${base}/console/keys?lang=en`);
      const kids = await page.locator('ul.keys code').allTextContents();
      expect(kids).toHaveLength(2);
      await page.click('form[action^="/console/keys/rotate"] button');
      await page.waitForSelector('text=is the current key');
      const rotated = await page.locator('ul.keys code').allTextContents();
      expect(rotated[1]).toBe(kids[0]);
      expect(rotated[0]).not.toBe(kids[0]);

      await t.services.clients.update(clientId, { disabled: true });
      await page.goto(`${base}/console/clients/${clientId}?lang=en`);

      const layout = (await page.evaluate(
        '({ w: document.documentElement.scrollWidth, c: document.documentElement.clientWidth })',
      )) as { w: number; c: number };
      expect(layout.w).toBeLessThanOrEqual(layout.c);
      await page.goto(`${base}/console?lang=ro`);
      expect(await page.textContent('h1')).toBe('Clienți API');
      const audit = await t.services.operator({ who: 'test' }).audit(9);
      expect(audit.map((e) => e.action)).toEqual([
        'keys.rotate',
        'webhooks.redeliver-set',
        'webhooks.redeliver',
        'webhooks.redeliver',
        'clients.update',
        'clients.rotate-secret',
        'clients.update',
        'clients.update',
        'clients.create',
      ]);
      expect(audit[0]!.actor).toBe('console from 127.0.0.1');
      // The refused setting's page is answered 400, which Chromium reports; nothing else went wrong.
      expect(problems).toEqual([
        'Failed to load resource: the server responded with a status of 400 (Bad Request)',
      ]);
    } finally {
      await close();
    }
  });
});
