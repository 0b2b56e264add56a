import { expect } from 'vitest';
import { createTestApp, csrfOf, type TestApp } from '../../../test/support/test-app.js';
import { waitFor } from '../../../test/support/webhook-receiver.js';
import { createFakeBank, type FakeAccount, type FakeBank } from '../../connectors/test-support/fake-bank.js';
import { ManualClock } from '../../shared/clock.js';
import { createWorker, createWorkerRegistry } from '../../worker/index.js';
import type { AisSettings } from '../ais.context.js';
import { aisTaskNames } from '../ais.tasks.js';

export interface AisTestApp extends TestApp {
  clock: ManualClock;
  bank: FakeBank;
  creds: { client_id: string; client_secret: string };
  /** Creates a link consent (bt_ro unless told otherwise) and returns its id and web_id. */
  createConsent(body?: Record<string, unknown>): Promise<{ consentId: string; webId: string }>;
  /** Drives the hosted page to the bank and back with the bank saying `valid`; returns the page after it. */
  authorize(webId: string, methodId?: string): Promise<void>;
  /** Runs the AIS worker tasks (jobs, sweeps) until nothing is due (webhooks are not sent: see the outbox). */
  drain(): Promise<void>;
  /** createConsent + authorize + drain: an active consent. */
  activeConsent(body?: Record<string, unknown>): Promise<string>;
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
  const t = await createTestApp({
    clock,
    connector: bank,
    ...(options.env ? { env: options.env } : {}),
    ...(options.settings ? { ais: { settings: options.settings } } : {}),
  });
  // The worker model over the AIS tasks alone, not started: drain() runs what is due by the clock.
  const registry = createWorkerRegistry();
  for (const task of t.services.worker.tasks) {
    if ((aisTaskNames as readonly string[]).includes(task.name)) registry.add(task);
  }
  const aisWorker = createWorker({ ...t.services, worker: registry });
  const { clientId, clientSecret } = await t.client({ name: 'Acme Data' });
  const creds = { client_id: clientId, client_secret: clientSecret };

  const app: AisTestApp = {
    ...t,
    clock,
    bank,
    creds,
    // The TestApp call with this app's client (Acme Data) as the default caller.
    call: (path, body = {}, as = creds, headers = {}) => t.call(path, body, as, headers),
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
      const csrf = csrfOf(open.body);
      const sent = await app.page(`/consent/${webId}/select`, {
        method: 'POST',
        form: { csrf, method_id: methodId },
      });
      expect(sent.status, sent.body).toBe(200);
      expect(sent.body).toContain('https://bank.test/sca/');
      bank.setConsentStatus(bank.lastConsentId(), 'valid');
      const back = await app.page(`/consent/${webId}/callback`);
      expect(back.status).toBe(303);
    },
    drain: () => aisWorker.drain(),
    async activeConsent(body = {}) {
      const { consentId, webId } = await app.createConsent(body);
      await app.authorize(webId);
      // A test that also runs a started worker may see it claim the first job: drain() then returns while that
      // worker still runs it, so drain and look until the job has stored its data.
      const status = await waitFor(async () => {
        await app.drain();
        const got = await app.call('/test/ais/consents/get', { consent_id: consentId });
        return got.body.status !== 'authorized' && (got.body.status as string);
      });
      expect(status).toBe('active');
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
