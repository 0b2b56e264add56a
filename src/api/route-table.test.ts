import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRoute, type RouteCheckContext } from '../../test/support/route-checks.js';
import { createTestApp } from '../../test/support/test-app.js';
import { type AisTestApp, createAisTestApp } from '../ais/test-support/ais-test-app.js';
import { apiRoutesOf } from './index.js';

const single = {
  amount: '12.30',
  currency: 'RON',
  creditor_name: 'Shop',
  creditor_iban: 'RO10RZBR0000069999999970',
};

/**
 * The route table: every route registered under /v1, /v2 and /test, however declared, passes the same checks
 * (test/support/route-checks.ts): 401 without credentials and in the wrong mode, the 400 envelope naming the
 * field for a bad body, 404 for someone else's id, and the response envelope (or declared schema).
 */
describe('every API route', () => {
  let t: AisTestApp;
  let ctx: RouteCheckContext;

  beforeAll(async () => {
    t = await createAisTestApp();
    const live = await t.liveClient({ name: 'Live shop' });
    const other = await t.client({ name: 'Other' });
    const link = await t.call('/test/links/create', { single_transfer: single });
    expect(link.status, JSON.stringify(link.body)).toBe(200);
    const consentId = await t.activeConsent();
    t.clock.advance(61_000); // past the refresh cooldown of the job that activated the consent
    const job = await t.call('/test/ais/jobs/create', { consent_id: consentId });
    expect(job.status, JSON.stringify(job.body)).toBe(200);
    const events = await t.call('/test/webhooks/events/list', {});
    const event = (events.body.events as { event_id: string }[])[0];
    expect(event, JSON.stringify(events.body)).toBeDefined();
    const liveLink = await t.call('/v2/links/create', { single_transfer: single }, live);
    expect(liveLink.status, JSON.stringify(liveLink.body)).toBe(200);
    const liveConsent = await t.call('/v2/ais/consents/create', {}, live);
    expect(liveConsent.status, JSON.stringify(liveConsent.body)).toBe(200);
    ctx = {
      app: t,
      owner: { test: t.creds, live },
      otherTest: { client_id: other.clientId, client_secret: other.clientSecret },
      ids: {
        test: {
          link_id: link.body.link_id as string,
          consent_id: consentId,
          job_id: job.body.job_id as string,
          event_id: event!.event_id,
        },
        live: { link_id: liveLink.body.link_id as string, consent_id: liveConsent.body.consent_id as string },
      },
    };
  });
  afterAll(() => t?.close());

  it('the table holds every API route of the app', () => {
    const urls = apiRoutesOf(t.app).map((r) => r.url);
    expect(urls).toContain('/test/links/create');
    expect(urls).toContain('/v2/ais/jobs/get');
    expect(urls).toContain('/v1/providers/list');
    expect(new Set(urls).size).toBe(urls.length);
  });

  it('each route passes the checks', async () => {
    const routes = apiRoutesOf(t.app);
    const failures: string[] = [];
    for (const route of routes) {
      await checkRoute(ctx, route).catch((e: Error) =>
        failures.push(`${route.url}: ${e.message.split('\n')[0]}`),
      );
    }
    expect(failures).toEqual([]);
    expect(routes.length).toBeGreaterThan(30);
  });

  it('a route registered without auth handling or a schema fails the checks', async () => {
    const bare = await createTestApp({
      routes: (app) => {
        app.post('/test/unguarded/get', async () => ({ ok: true }));
        app.post(
          '/v2/unguarded/get',
          {
            schema: {
              body: { type: 'object', properties: { link_id: { type: 'string' } }, required: ['link_id'] },
            },
          },
          async () => ({ ok: true }),
        );
      },
    });
    try {
      const [test, live] = apiRoutesOf(bare.app).filter((r) => r.url.includes('/unguarded/'));
      expect(test?.url).toBe('/test/unguarded/get');
      await expect(checkRoute({ ...ctx, app: bare }, test!)).rejects.toThrow(/declares a body schema/);
      await expect(checkRoute({ ...ctx, app: bare }, live!)).rejects.toThrow(/without credentials/);
    } finally {
      await bare.close();
    }
  });
});
