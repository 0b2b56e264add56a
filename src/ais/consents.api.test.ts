import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, tokenRequest } from '../../test/support/oauth-helpers.js';
import { type AisTestApp, createAisTestApp, eventsOf } from './test-support/ais-test-app.js';

let t: AisTestApp;
beforeAll(async () => {
  t = await createAisTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('consents/create', () => {
  it('creates a link consent with the documented response fields', async () => {
    const res = await t.call('/test/ais/consents/create', {
      ais_method: { provider_id: 'bt_ro' },
      consent: { scope: ['accounts', 'balances'], consent_validity_days: 30 },
      options: {
        expires_in: 3600,
        redirect_url: 'https://app.test/back',
        ux_template: 'glass',
        language: 'en',
      },
    });
    expect(res.status).toBe(200);
    const b = res.body;
    for (const key of [
      'request_id',
      'created_at',
      'expires_at',
      'consent_validity_days',
      'api_client_app',
      'consent_id',
      'web_id',
      'web_url',
    ]) {
      expect(b, key).toHaveProperty(key);
    }
    expect(b.api_client_app).toBe('Acme Data');
    expect(b.consent_validity_days).toBe(30);
    expect(b.scope).toEqual(['accounts', 'balances']);
    expect(b.web_url).toBe(`http://ferry.test/consent/${b.web_id}`);
    expect(new Date(b.expires_at as string).getTime() - new Date(b.created_at as string).getTime()).toBe(
      3600_000,
    );
  });

  it('defaults: full scope, 90 days, link flow, 7-day link', async () => {
    const res = await t.call('/test/ais/consents/create', {});
    expect(res.status).toBe(200);
    expect(res.body.scope).toEqual(['accounts', 'balances', 'transactions']);
    expect(res.body.consent_validity_days).toBe(90);
    const got = await t.call('/test/ais/consents/get', { consent_id: res.body.consent_id });
    expect(got.body.flow_type).toBe('link');
    expect(got.body.status).toBe('created');
    expect(got.body.authorized_until).toBeNull();
  });

  it('accepts the quick-start path /test/consents/create', async () => {
    const res = await t.call('/test/consents/create', { ais_method: { provider_id: 'cec_ro' } });
    expect(res.status).toBe(200);
    expect(res.body.consent_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('scope: the two allowed sets in any order; anything else is validation_error', async () => {
    const ok = await t.call('/test/ais/consents/create', {
      consent: { scope: ['balances', 'transactions', 'accounts'] },
    });
    expect(ok.status).toBe(200);
    for (const scope of [
      ['accounts'],
      ['transactions'],
      ['accounts', 'transactions'],
      ['accounts', 'balances', 'balances'],
      ['accounts', 'balances', 'transactions', 'payments'],
      [],
      'accounts',
    ]) {
      const res = await t.call('/test/ais/consents/create', { consent: { scope } });
      expect(res.status, JSON.stringify(scope)).toBe(400);
      expect(res.body.code).toBe('validation_error');
      expect(res.body.field).toMatch(/consent\.scope|consent/);
    }
  });

  it.each([
    [{ consent: { consent_validity_days: 0 } }, 'consent.consent_validity_days'],
    [{ consent: { consent_validity_days: 181 } }, 'consent.consent_validity_days'],
    [{ consent: { consent_validity_days: 9.5 } }, 'consent.consent_validity_days'],
    [{ options: { expires_in: 45 * 86400 + 1 } }, 'options.expires_in'],
    [{ options: { expires_in: 10 } }, 'options.expires_in'],
    [{ options: { type: 'popup' } }, 'options.type'],
    [{ options: { ux_template: 'neon' } }, 'options.ux_template'],
    [{ options: { language: 'fr' } }, 'options.language'],
    [{ options: { redirect_url: 'not a url' } }, 'options.redirect_url'],
    [{ options: { webhook_url: 'ftp://x.test/h' } }, 'options.webhook_url'],
    [{ ais_method: { interface_env: 'moon' } }, 'ais_method.interface_env'],
    [{ ais_method: { account_owner_type: ['household'] } }, 'ais_method.account_owner_type'],
    [{ ais_method: { colour: 'red' } }, 'ais_method.colour'],
    [{ psu: { iban: 'not-an-iban' } }, 'psu.iban'],
    [{ tracking: { order_ref: 'UPPER' } }, 'tracking.order_ref'],
    [{ options: { type: 'direct_sca' }, ais_method: { provider_id: 'bt_ro' } }, 'options.redirect_url'],
  ])('bad input %j → validation_error on %s', async (body, field) => {
    const res = await t.call('/test/ais/consents/create', body);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.code).toBe('validation_error');
    expect(String(res.body.field)).toContain(field.split('.')[0]);
  });

  it('method_selection_error when no AIS method matches, or a direct flow matches several banks', async () => {
    const none = await t.call('/test/ais/consents/create', { ais_method: { provider_id: 'ing_ro' } });
    expect(none.status).toBe(400);
    expect(none.body.code).toBe('method_selection_error');
    const prodInTest = await t.call('/test/ais/consents/create', { ais_method: { interface_env: 'prod' } });
    expect(prodInTest.body.code).toBe('method_selection_error');
    const several = await t.call('/test/ais/consents/create', { options: { type: 'wrapped_sca' } });
    expect(several.body.code).toBe('method_selection_error');
  });

  it('AIS is not served on /v1 (404), and needs the ais scope', async () => {
    const v1 = await t.app.inject({ method: 'POST', url: '/v1/ais/consents/create', payload: t.creds });
    expect(v1.statusCode).toBe(404);
    expect(v1.json().code).toBe('not_found');
    const payOnly = await t.client({ name: 'Pay only', scopes: ['pay'] });
    const res = await t.call(
      '/test/ais/consents/create',
      {},
      { client_id: payOnly.clientId, client_secret: payOnly.clientSecret },
    );
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('unauthorized');
  });

  it('tracking required by the client → 401 without tracking ids', async () => {
    const strict = await t.client({ name: 'Strict', trackingRequired: true });
    const as = { client_id: strict.clientId, client_secret: strict.clientSecret };
    const missing = await t.call('/test/ais/consents/create', {}, as);
    expect(missing.status).toBe(401);
    const ok = await t.call('/test/ais/consents/create', { tracking: { order_ref: 'ord-1' } }, as);
    expect(ok.status).toBe(200);
  });
});

describe('consents/get and revoke', () => {
  it('get works in any status; another client gets consent_not_found', async () => {
    const { consentId } = await t.createConsent();
    const mine = await t.call('/test/ais/consents/get', { consent_id: consentId });
    expect(mine.status).toBe(200);
    expect(mine.body.consent_id).toBe(consentId);
    expect(mine.body.service_provider).toMatchObject({ provider_id: 'bt_ro' });
    const other = await t.client({ name: 'Other' });
    const theirs = await t.call(
      '/test/ais/consents/get',
      { consent_id: consentId },
      { client_id: other.clientId, client_secret: other.clientSecret },
    );
    expect(theirs.status).toBe(404);
    expect(theirs.body.code).toBe('consent_not_found');
    const unknown = await t.call('/test/ais/consents/get', { consent_id: 'no-such-consent' });
    expect(unknown.body.code).toBe('consent_not_found');
  });

  it('revoke: revoked, idempotent; events written', async () => {
    const { consentId } = await t.createConsent();
    const first = await t.call('/test/ais/consents/revoke', { consent_id: consentId });
    expect(first.body).toMatchObject({ consent_id: consentId, status: 'revoked' });
    const again = await t.call('/test/ais/consents/revoke', { consent_id: consentId });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('revoked');
    const events = await eventsOf(t, consentId);
    expect(events.map((e) => e.status)).toEqual(['revoked']);
    expect(events[0]).toMatchObject({
      type: 'consent_status_update',
      consent_id: consentId,
      _url: 'https://app.test/hooks',
    });
  });

  it('revoke: consent_not_active on expired; consent_not_found on unknown', async () => {
    const { consentId } = await t.createConsent({ options: { expires_in: 60 } });
    t.clock.advance(61_000);
    const res = await t.call('/test/ais/consents/revoke', { consent_id: consentId });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('consent_not_active');
    const got = await t.call('/test/ais/consents/get', { consent_id: consentId });
    expect(got.body.status).toBe('expired');
    const unknown = await t.call('/test/ais/consents/revoke', {
      consent_id: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('consent_not_found');
  });
});

describe('live /v2 paths with OAuth2', () => {
  async function liveToken(scope: string) {
    const { client, clientSecret } = await t.services.clients.create({
      name: 'Live Data',
      mode: 'live',
      scopes: ['pay', 'ais'],
    });
    const res = await tokenRequest(
      t.app,
      { grant_type: 'client_credentials', scope },
      { authorization: basic(client.clientId, clientSecret) },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return { clientId: client.clientId, token: res.body.access_token as string };
  }
  const callLive = (url: string, token: string, body: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload: body });

  it('a token with the ais scope creates a consent among the live (prod/stage) banks', async () => {
    const { clientId, token } = await liveToken('ais');
    const res = await callLive('/v2/ais/consents/create', token, {
      client_id: clientId,
      ais_method: { provider_id: 'ing_ro' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const sandboxOnly = await callLive('/v2/ais/consents/create', token, {
      client_id: clientId,
      ais_method: { interface_env: 'sandbox' },
    });
    expect(sandboxOnly.json().code).toBe('method_selection_error');
    const v1 = await callLive('/v1/ais/consents/create', token, { client_id: clientId });
    expect(v1.statusCode).toBe(404);
  });

  it('a token without the ais scope is refused', async () => {
    const { clientId, token } = await liveToken('pay_by_link');
    const res = await callLive('/v2/ais/consents/create', token, { client_id: clientId });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('unauthorized');
  });

  it('live webhook URLs must be https', async () => {
    const { clientId, token } = await liveToken('ais');
    const res = await callLive('/v2/ais/consents/create', token, {
      client_id: clientId,
      ais_method: { provider_id: 'ing_ro' },
      options: { webhook_url: 'http://hooks.example.com/x' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation_error', field: 'options.webhook_url' });
  });
});
