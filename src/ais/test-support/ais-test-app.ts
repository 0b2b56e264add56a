import { expect } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/test-app.js';
import { ManualClock } from '../../shared/clock.js';
import type { AisSettings } from '../ais.context.js';
import { createFakeBank, type FakeAccount, type FakeBank } from './fake-bank.js';

export interface AisTestApp extends TestApp {
  clock: ManualClock;
  bank: FakeBank;
  /** Every wait the AIS module asked for between bank retries, in order (none is waited for). */
  sleeps: number[];
  creds: { client_id: string; client_secret: string };
  /** POST a FinqLink call with the default client's test credentials. */
  call(
    path: string,
    body?: Record<string, unknown>,
    creds?: { client_id: string; client_secret: string },
  ): Promise<{
    status: number;
    body: Record<string, unknown> & { code?: string; message?: string };
  }>;
  /** Creates a link consent (bt_ro unless told otherwise) and returns its id and web_id. */
  createConsent(body?: Record<string, unknown>): Promise<{ consentId: string; webId: string }>;
  /** Drives the hosted page to the bank and back with the bank saying `valid`; returns the page after it. */
  authorize(webId: string, methodId?: string): Promise<void>;
  /** Runs the background work (sweeps, jobs) until nothing is due. */
  drain(): Promise<void>;
  /** createConsent + authorize + drain: an active consent. */
  activeConsent(body?: Record<string, unknown>): Promise<string>;
  page(
    path: string,
    init?: { method?: 'GET' | 'POST'; form?: Record<string, string> },
  ): Promise<{
    status: number;
    body: string;
    headers: Record<string, unknown>;
  }>;
}

/** A manual clock that also moves 1 ms per reading, so events written in one flow keep their order. */
export class TickingClock extends ManualClock {
  override now(): Date {
    const d = super.now();
    this.advance(1);
    return d;
  }
}

export async function createAisTestApp(
  options: { accounts?: FakeAccount[]; env?: Record<string, string>; settings?: Partial<AisSettings> } = {},
): Promise<AisTestApp> {
  const clock = new TickingClock('2026-01-02T10:00:00Z');
  const bank = createFakeBank(options.accounts);
  const sleeps: number[] = [];
  const t = await createTestApp({
    clock,
    connector: bank,
    ...(options.env ? { env: options.env } : {}),
    ais: {
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...(options.settings ? { settings: options.settings } : {}),
    },
  });
  const { clientId, clientSecret } = await t.client({ name: 'Acme Data' });
  const creds = { client_id: clientId, client_secret: clientSecret };
  let cookie = '';

  const app: AisTestApp = {
    ...t,
    clock,
    bank,
    sleeps,
    creds,
    async call(path, body = {}, as = creds) {
      const res = await t.app.inject({ method: 'POST', url: path, payload: { ...as, ...body } });
      return { status: res.statusCode, body: res.json() };
    },
    async page(path, init = {}) {
      const res = await t.app.inject({
        method: init.method ?? 'GET',
        url: path,
        headers: {
          ...(cookie ? { cookie } : {}),
          ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(init.form ? { payload: new URLSearchParams(init.form).toString() } : {}),
      });
      const set = res.headers['set-cookie'];
      if (typeof set === 'string') cookie = set.split(';')[0]!;
      return { status: res.statusCode, body: res.body, headers: res.headers };
    },
    async createConsent(body = {}) {
      const res = await app.call('/test/ais/consents/create', {
        ais_method: { provider_id: 'bt_ro' },
        options: { redirect_url: 'https://app.test/done', webhook_url: 'https://app.test/hooks' },
        ...body,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return { consentId: res.body.consent_id as string, webId: res.body.web_id as string };
    },
    async authorize(webId, methodId = 'bt_ro_ais_sandbox') {
      const open = await app.page(`/consent/${webId}`);
      expect(open.status).toBe(200);
      const csrf = /name="csrf" value="([^"]+)"/.exec(open.body)?.[1] ?? '';
      const sent = await app.page(`/consent/${webId}/select`, {
        method: 'POST',
        form: { csrf, method_id: methodId },
      });
      expect(sent.status, sent.body).toBe(200);
      expect(sent.body).toContain('https://bank.test/sca/');
      bank.setStatus(bank.lastConsentId(), 'valid');
      const back = await app.page(`/consent/${webId}/callback`);
      expect(back.status).toBe(303);
    },
    drain: () => t.services.ais.worker.drain(),
    async activeConsent(body = {}) {
      const { consentId, webId } = await app.createConsent(body);
      await app.authorize(webId);
      await app.drain();
      const got = await app.call('/test/ais/consents/get', { consent_id: consentId });
      expect(got.body.status).toBe('active');
      return consentId;
    },
  };
  return app;
}

/** The webhook events recorded for an object, oldest first (the outbox, not deliveries). */
export async function eventsOf(app: TestApp, objectId: string): Promise<Record<string, unknown>[]> {
  const rows = await app.store.db
    .selectFrom('webhook_events')
    .select(['body', 'type', 'url'])
    .where('object_id', '=', objectId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...(JSON.parse(r.body) as Record<string, unknown>), _url: r.url }));
}
