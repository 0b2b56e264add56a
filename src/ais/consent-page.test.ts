import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfOf } from '../../test/support/csrf.js';
import { templates, translator } from '../webui/index.js';
import { type AisTestApp, createAisTestApp, eventsOf } from './test-support/ais-test-app.js';

let t: AisTestApp;
beforeAll(async () => {
  t = await createAisTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('the hosted consent page', () => {
  it('shows who asks, for what and how long, and the banks the filter allows; strict CSP', async () => {
    const { webId } = await t.createConsent({
      ais_method: { account_owner_type: 'retail' },
      consent: { scope: ['accounts', 'balances'], consent_validity_days: 30 },
      options: { language: 'en' },
    });
    const page = await t.page(`/consent/${webId}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Acme Data asks to see your bank account data.');
    expect(page.body).toContain('Balances');
    expect(page.body).not.toContain('Transaction history');
    expect(page.body).toContain('30 days after you confirm');
    for (const bank of ['rzb_ro_ais_sandbox', 'bt_ro_ais_sandbox', 'cec_ro_ais_sandbox'])
      expect(page.body).toContain(bank);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'nonce-[^']+'/);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.body).toMatch(/<html lang="en">/);
  });

  it('filters banks by ais_method (corporate → no cec_ro, bt_ro)', async () => {
    const { webId } = await t.createConsent({ ais_method: { account_owner_type: ['corporate'] } });
    const page = await t.page(`/consent/${webId}`);
    expect(page.body).toContain('rzb_ro_ais_sandbox');
    expect(page.body).not.toContain('bt_ro_ais_sandbox');
    expect(page.body).not.toContain('cec_ro_ais_sandbox');
  });

  it.each(templates)('renders in the %s template, in Romanian by default', async (template) => {
    const { webId } = await t.createConsent({ options: { ux_template: template } });
    const page = await t.page(`/consent/${webId}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`class="t-${template}"`);
    expect(page.body).toContain('<html lang="ro">');
    expect(page.body).toContain('cere acces la datele contului');
    const en = await t.page(`/consent/${webId}?lang=en`);
    expect(en.body).toContain('Share your account data');
  });

  it('unknown web_id → 404 page; a POST without the CSRF token → 403 and nothing changes', async () => {
    const missing = await t.page('/consent/AAAAAAAAAAAAAAAAAAAAAA');
    expect(missing.status).toBe(404);
    const { consentId, webId } = await t.createConsent();
    await t.page(`/consent/${webId}`);
    const forged = await t.page(`/consent/${webId}/select`, {
      method: 'POST',
      form: { csrf: 'x', method_id: 'bt_ro_ais_sandbox' },
    });
    expect(forged.status).toBe(403);
    expect((await t.call('/test/ais/consents/get', { consent_id: consentId })).body.status).toBe('started');
    const page = await t.page(`/consent/${webId}`);
    const wrongBank = await t.page(`/consent/${webId}/select`, {
      method: 'POST',
      form: { csrf: csrfOf(page.body), method_id: 'ing_ro_ais_prod' },
    });
    expect(wrongBank.status).toBe(400);
    expect(wrongBank.body).toContain('role="alert"');
    // The page's language, not the API's English message.
    expect(wrongBank.body).toContain(translator('ro')('error.code.method_selection_error'));
    expect(wrongBank.body).not.toContain('Choose one of the banks listed.');
  });

  it('a bank refusing at the choice: the page says so in its language, never the API message', async () => {
    const { consentId, webId } = await t.createConsent({ ais_method: {} });
    const page = await t.page(`/consent/${webId}`);
    t.bank.fail('createConsent', {
      kind: 'rejected',
      httpStatus: 400,
      tppMessages: [{ category: 'ERROR', code: 'FORMAT_ERROR', text: 'bad psu' }],
    });
    const refused = await t.page(`/consent/${webId}/select?lang=en`, {
      method: 'POST',
      form: { csrf: csrfOf(page.body), method_id: 'bt_ro_ais_sandbox' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain(translator('en')('error.code.unprocessable_entity'));
    expect(refused.body).not.toContain('did not accept');
    expect(refused.body).not.toContain('bad psu');
    // Back to choosing: the page offers the banks again.
    expect(refused.body).toContain(`action="/consent/${webId}/select"`);
    expect((await t.call('/test/ais/consents/get', { consent_id: consentId })).body.status).toBe('started');
  });

  it('the user can go back and pick another bank: the first bank consent is deleted', async () => {
    const { consentId, webId } = await t.createConsent({ ais_method: {} });
    let page = await t.page(`/consent/${webId}`);
    await t.page(`/consent/${webId}/select`, {
      method: 'POST',
      form: { csrf: csrfOf(page.body), method_id: 'bt_ro_ais_sandbox' },
    });
    const firstBank = t.bank.lastConsentId();
    page = await t.page(`/consent/${webId}`);
    expect(page.body).toContain(`/consent/${webId}/reset`);
    await t.page(`/consent/${webId}/reset`, { method: 'POST', form: { csrf: csrfOf(page.body) } });
    expect(t.bank.consents.get(firstBank)!.status).toBe('terminatedByTpp');
    page = await t.page(`/consent/${webId}`);
    await t.page(`/consent/${webId}/select`, {
      method: 'POST',
      form: { csrf: csrfOf(page.body), method_id: 'cec_ro_ais_sandbox' },
    });
    t.bank.setConsentStatus(t.bank.lastConsentId(), 'valid');
    await t.page(`/consent/${webId}/callback`);
    await t.drain();
    const got = await t.call('/test/ais/consents/get', { consent_id: consentId });
    expect(got.body).toMatchObject({ status: 'active', service_provider: { provider_id: 'cec_ro' } });
    expect((await eventsOf(t, consentId)).map((e) => e.status)).toEqual([
      'started',
      'requested',
      'sca_url_retrieved',
      'awaiting_authz',
      'started',
      'requested',
      'sca_url_retrieved',
      'awaiting_authz',
      'authorized',
      'active',
    ]);
  });

  it('live status: JSON and SSE carry the state; the end returns to redirect_url with consent_id and status', async () => {
    const { consentId, webId } = await t.createConsent();
    await t.authorize(webId);
    const progress = await t.app.inject({ method: 'GET', url: `/consent/${webId}/status?lang=en` });
    expect(progress.json()).toMatchObject({ status: 'authorized', final: false, step: 2, redirect: null });
    await t.drain();
    const done = await t.app.inject({ method: 'GET', url: `/consent/${webId}/status?lang=en` });
    expect(done.json()).toMatchObject({
      status: 'active',
      final: true,
      ok: true,
      redirect: `https://app.test/done?consent_id=${consentId}&status=active`,
    });
    const sse = await t.app.inject({ method: 'GET', url: `/consent/${webId}/events` });
    expect(sse.headers['content-type']).toContain('text/event-stream');
    expect(sse.body).toContain('event: status');
    expect(sse.body).toContain('"status":"active"');
    const page = await t.page(`/consent/${webId}`);
    expect(page.body).toContain('data-final="1"');
    expect(page.body).toContain(`consent_id=${consentId}`);
  });
});

describe('the other flow types', () => {
  it('wrapped_sca: the bank consent is made at creation, the page sends the user to the SCA', async () => {
    const res = await t.call('/test/ais/consents/create', {
      ais_method: { provider_id: 'rzb_ro' },
      options: { type: 'wrapped_sca' },
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('sca_url_retrieved');
    expect(res.body.web_url).toBe(`http://ferry.test/consent/${res.body.web_id}`);
    const page = await t.page(`/consent/${res.body.web_id}`);
    expect(page.body).toContain(`/consent/${res.body.web_id}/authorize`);
    const go = await t.page(`/consent/${res.body.web_id}/authorize`, {
      method: 'POST',
      form: { csrf: csrfOf(page.body) },
    });
    expect(go.body).toContain('https://bank.test/sca/');
    const got = await t.call('/test/ais/consents/get', { consent_id: res.body.consent_id });
    expect(got.body.status).toBe('awaiting_authz');
  });

  it('direct_sca: web_url is the bank SCA URL; consents/redirect completes the authorisation', async () => {
    const res = await t.call('/test/ais/consents/create', {
      ais_method: { provider_id: 'bt_ro' },
      options: { type: 'direct_sca', redirect_url: 'https://app.test/bank-return' },
      psu: { iban: 'RO49AAAA1B31007593840001' },
    });
    expect(res.status).toBe(200);
    expect(String(res.body.web_url)).toMatch(/^https:\/\/bank\.test\/sca\//);
    const request = t.bank.calls.filter((c) => c.op === 'createConsent').at(-1)!.args[0] as Record<
      string,
      unknown
    >;
    expect(request.redirectUri).toBe(`https://app.test/bank-return?consent_id=${res.body.consent_id}`);
    expect(request.access).toMatchObject({ kind: 'accounts', ibans: ['RO49AAAA1B31007593840001'] });
    const early = await t.call('/test/ais/consents/redirect', {
      consent_id: res.body.consent_id,
      query: 'code=abc',
    });
    expect(early.body.status).toBe('sca_url_retrieved');
    t.bank.setConsentStatus(t.bank.lastConsentId(), 'valid');
    const done = await t.call('/test/ais/consents/redirect', {
      consent_id: res.body.consent_id,
      query: { code: 'abc' },
    });
    expect(done.body).toMatchObject({ status: 'authorized', web_url: null });
    await t.drain();
    const accounts = await t.call('/test/ais/accounts/list', { consent_id: res.body.consent_id });
    expect((accounts.body.accounts as { iban: string }[]).map((a) => a.iban)).toEqual([
      'RO49AAAA1B31007593840001',
    ]);
    const again = await t.call('/test/ais/consents/redirect', { consent_id: res.body.consent_id });
    expect(again.body.status).toBe('active');
  });

  it('direct_sca: the nok redirect fails the consent; redirect on a link consent that is not at the bank → consent_not_active', async () => {
    const res = await t.call('/test/ais/consents/create', {
      ais_method: { provider_id: 'bt_ro' },
      options: { type: 'direct_sca', redirect_url: 'https://app.test/bank-return' },
    });
    const nok = await t.call('/test/ais/consents/redirect', {
      consent_id: res.body.consent_id,
      query: '?result=nok',
    });
    expect(nok.body.status).toBe('failed');
    const { consentId } = await t.createConsent();
    const wrong = await t.call('/test/ais/consents/redirect', { consent_id: consentId });
    expect(wrong.body.code).toBe('consent_not_active');
  });

  it('redirect_sca: web_url is the SCA URL and the bank returns to the Ferry page', async () => {
    const res = await t.call('/test/ais/consents/create', {
      ais_method: { provider_id: 'cec_ro' },
      options: { type: 'redirect_sca' },
    });
    expect(String(res.body.web_url)).toMatch(/^https:\/\/bank\.test\/sca\//);
    const request = t.bank.calls.filter((c) => c.op === 'createConsent').at(-1)!.args[0] as Record<
      string,
      unknown
    >;
    expect(request.redirectUri).toBe(`http://ferry.test/consent/${res.body.web_id}/callback`);
  });

  it('a bank refusing the consent at creation → unprocessable_entity and the consent fails', async () => {
    t.bank.fail('createConsent', {
      kind: 'rejected',
      httpStatus: 400,
      tppMessages: [{ category: 'ERROR', code: 'FORMAT_ERROR', text: 'bad psu' }],
    });
    const res = await t.call('/test/ais/consents/create', {
      ais_method: { provider_id: 'bt_ro' },
      options: { type: 'wrapped_sca' },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('unprocessable_entity');
    expect(res.body.message).toContain('FORMAT_ERROR');
    const got = await t.call('/test/ais/consents/get', { consent_id: res.body.consent_id });
    expect(got.body.status).toBe('failed');
  });
});
