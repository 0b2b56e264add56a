import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, tokenRequest } from '../support/oauth-helpers.js';
import { type AisStack, startAisStack } from './ais-harness.js';

/**
 * Tenant isolation: every endpoint that takes an id (link, consent, job, event) answers 404 for another client's
 * id and for ids of the other mode (test vs live). Also: 100 concurrent links/create with one Idempotency-Key.
 */
describe('isolation between clients and modes', () => {
  let s: AisStack;
  let other: { client_id: string; client_secret: string };
  let live: { clientId: string; token: string };
  const owned = { link: '', consent: '', job: '', event: '' };
  const liveOwned = { link: '', consent: '' };

  const single = {
    amount: '12.30',
    currency: 'RON',
    creditor_name: 'Shop',
    creditor_iban: 'RO10RZBR0000069999999970',
  };

  const testCall = (
    creds: { client_id: string; client_secret: string },
    path: string,
    body: Record<string, unknown>,
  ) =>
    s.app
      .inject({ method: 'POST', url: `/test${path}`, payload: { ...creds, ...body } })
      .then((r) => ({ status: r.statusCode, body: r.json() as Record<string, unknown> }));
  const liveCall = (path: string, body: Record<string, unknown>) =>
    s.app
      .inject({
        method: 'POST',
        url: `/v2${path}`,
        headers: { authorization: `Bearer ${live.token}` },
        payload: { client_id: live.clientId, ...body },
      })
      .then((r) => ({ status: r.statusCode, body: r.json() as Record<string, unknown> }));

  beforeAll(async () => {
    s = await startAisStack({ clientName: 'Owner' });
    const b = await s.services.clients.create({ name: 'Other', mode: 'test' });
    other = { client_id: b.client.clientId, client_secret: b.clientSecret };
    const l = await s.services.clients.create({ name: 'Live shop', mode: 'live' });
    const token = await tokenRequest(
      s.app,
      { grant_type: 'client_credentials', scope: 'pay_by_link ais' },
      { authorization: basic(l.client.clientId, l.clientSecret) },
    );
    live = { clientId: l.client.clientId, token: String(token.body.access_token) };

    const link = await s.api('/links/create', { single_transfer: single });
    owned.link = link.body.link_id as string;
    const consent = await s.api('/ais/consents/create', { ais_method: { provider_id: 'bt_ro' } });
    owned.consent = consent.body.consent_id as string;
    await s.authorizeOverHttp(consent.body.web_url as string, 'bt_ro_ais_sandbox', 'bt_ro');
    await s.waitForConsent(owned.consent, 'active');
    const job = await s.api('/ais/jobs/create', { consent_id: owned.consent });
    expect(job.status, JSON.stringify(job.body)).toBe(200);
    owned.job = job.body.job_id as string;
    const events = await s.api('/webhooks/events/list', {});
    owned.event = (events.body.events as { event_id: string }[])[0]!.event_id;

    const liveLink = await liveCall('/links/create', { single_transfer: single });
    expect(liveLink.status, JSON.stringify(liveLink.body)).toBe(200);
    liveOwned.link = liveLink.body.link_id as string;
    const liveConsent = await liveCall('/ais/consents/create', {});
    expect(liveConsent.status, JSON.stringify(liveConsent.body)).toBe(200);
    liveOwned.consent = liveConsent.body.consent_id as string;
  }, 180_000);
  afterAll(() => s?.close());

  const calls = (ids: { link: string; consent: string; job?: string; event?: string }) =>
    [
      ['/links/get', { link_id: ids.link }],
      ['/links/cancel', { link_id: ids.link }],
      ['/ais/consents/get', { consent_id: ids.consent }],
      ['/ais/consents/revoke', { consent_id: ids.consent }],
      ['/ais/consents/redirect', { consent_id: ids.consent, query: { code: 'x' } }],
      ['/ais/accounts/list', { consent_id: ids.consent }],
      ['/ais/balances/list', { consent_id: ids.consent }],
      ['/ais/transactions/list', { consent_id: ids.consent }],
      ['/ais/jobs/create', { consent_id: ids.consent }],
      ...(ids.job ? [['/ais/jobs/get', { consent_id: ids.consent, job_id: ids.job }]] : []),
      ...(ids.event
        ? [
            ['/webhooks/events/get', { event_id: ids.event }],
            ['/webhooks/events/redeliver', { event_id: ids.event }],
          ]
        : []),
    ] as [string, Record<string, unknown>][];

  it('the owner can read its own objects (the ids are real)', async () => {
    expect((await s.api('/links/get', { link_id: owned.link })).status).toBe(200);
    expect((await s.api('/ais/consents/get', { consent_id: owned.consent })).status).toBe(200);
    expect((await s.api('/ais/jobs/get', { consent_id: owned.consent, job_id: owned.job })).status).toBe(200);
    expect((await s.api('/webhooks/events/get', { event_id: owned.event })).status).toBe(200);
    expect((await liveCall('/links/get', { link_id: liveOwned.link })).status).toBe(200);
    expect((await liveCall('/ais/consents/get', { consent_id: liveOwned.consent })).status).toBe(200);
  });

  it("another test client gets 404 for every id-taking endpoint on the owner's ids", async () => {
    for (const [path, body] of calls(owned)) {
      const res = await testCall(other, path, body);
      expect(res.status, `${path} → ${JSON.stringify(res.body)}`).toBe(404);
      expect(['not_found', 'consent_not_found', 'job_not_found']).toContain(res.body.code);
    }
  });

  it('a live client gets 404 for test-mode ids on /v2', async () => {
    for (const [path, body] of calls(owned)) {
      const res = await liveCall(path, body);
      expect(res.status, `${path} → ${JSON.stringify(res.body)}`).toBe(404);
    }
  });

  it('a test client gets 404 for live-mode ids on /test', async () => {
    for (const [path, body] of calls(liveOwned)) {
      const res = await s.api(path, body);
      expect(res.status, `${path} → ${JSON.stringify(res.body)}`).toBe(404);
    }
  });

  it('100 concurrent links/create with one Idempotency-Key create exactly one link', async () => {
    const before = await s.store.db
      .selectFrom('pay_links')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const replies = await Promise.all(
      Array.from({ length: 100 }, () =>
        s.app.inject({
          method: 'POST',
          url: '/test/links/create',
          headers: { 'idempotency-key': 'order-1001' },
          payload: { ...s.creds, single_transfer: single },
        }),
      ),
    );
    const ok = replies.filter((r) => r.statusCode === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of replies.filter((r) => r.statusCode !== 200)) {
      expect(r.statusCode).toBe(409);
      expect(r.json().code).toBe('idempotency_key_in_use');
    }
    expect(new Set(ok.map((r) => r.json().link_id)).size).toBe(1);
    const after = await s.store.db
      .selectFrom('pay_links')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n) - Number(before.n)).toBe(1);
    const replay = await s.app.inject({
      method: 'POST',
      url: '/test/links/create',
      headers: { 'idempotency-key': 'order-1001' },
      payload: { ...s.creds, single_transfer: single },
    });
    expect(replay.json().link_id).toBe(ok[0]!.json().link_id);
    const reused = await s.app.inject({
      method: 'POST',
      url: '/test/links/create',
      headers: { 'idempotency-key': 'order-1001' },
      payload: { ...s.creds, single_transfer: { ...single, amount: '99.00' } },
    });
    expect(reused.statusCode).toBe(422);
    expect(reused.json().code).toBe('idempotency_key_reused');
  });
});
