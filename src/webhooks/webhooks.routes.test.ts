import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, tokenRequest } from '../../test/support/oauth-helpers.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { ManualClock } from '../shared/clock.js';
import { recordEvent } from './index.js';

const clock = new ManualClock('2026-02-01T00:00:00Z');
let t: TestApp;
let alice: { clientId: string; clientSecret: string; id: string };
let bob: { clientId: string; clientSecret: string; id: string };
const aliceEvents: string[] = [];
let bobEvent: string;

async function client(webhookUrl: string | null) {
  const c = await t.client({ webhookUrl });
  return { ...c, id: (await t.services.clients.find(c.clientId))!.id };
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are loose JSON read field by field
type Json = Record<string, any>;
const call = (
  path: string,
  who: { clientId: string; clientSecret: string },
  body: Record<string, unknown> = {},
) =>
  t.call<Json>(`/test/webhooks/events/${path}`, body, {
    client_id: who.clientId,
    client_secret: who.clientSecret,
  });

beforeAll(async () => {
  t = await createTestApp({ clock });
  alice = await client('http://127.0.0.1:9/alice');
  bob = await client(null);
  // 7 events a minute apart: links and consents, two of them about the same link.
  const specs = [
    ['link_status_update', 'link-a', { link_id: 'link-a', web_id: 'wa', status: 'created' }],
    ['consent_status_update', 'consent-1', { consent_id: 'consent-1', status: 'started' }],
    ['link_status_update', 'link-b', { link_id: 'link-b', web_id: 'wb', status: 'created' }],
    ['link_status_update', 'link-a', { link_id: 'link-a', web_id: 'wa', status: 'funds_received' }],
    ['consent_status_update', 'consent-1', { consent_id: 'consent-1', status: 'active' }],
    ['job_status_update', 'job-1', { consent_id: 'consent-1', job_id: 'job-1', status: 'job_completed' }],
    ['link_status_update', 'link-c', { link_id: 'link-c', web_id: 'wc', status: 'created' }],
  ] as const;
  for (const [type, objectId, payload] of specs) {
    clock.advance(60_000);
    aliceEvents.push(
      await recordEvent(t.store.db, { type, clientId: alice.id, objectId, payload, at: clock.now() }),
    );
  }
  bobEvent = await recordEvent(t.store.db, {
    type: 'link_status_update',
    clientId: bob.id,
    objectId: 'link-z',
    payload: { link_id: 'link-z', web_id: 'wz', status: 'created' },
    at: clock.now(),
  });
});
afterAll(async () => t?.close());

describe('POST /test/webhooks/events/list', () => {
  it('lists only the caller’s events, newest first, with payload and status', async () => {
    const res = await call('list', alice);
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body.events.map((e: { event_id: string }) => e.event_id)).toEqual([...aliceEvents].reverse());
    expect(body.pagination).toEqual({ count: 7, 'more?': false, after: null, limit: 50 });
    expect(body.events[0]).toMatchObject({
      type: 'link_status_update',
      object_id: 'link-c',
      status: 'pending',
      attempts: 0,
      payload: { type: 'link_status_update', link_id: 'link-c', web_id: 'wc', status: 'created' },
    });
    expect(body.request_id).toBeTypeOf('string');
    const bobs = (await call('list', bob)).body;
    expect(bobs.events.map((e: { event_id: string }) => e.event_id)).toEqual([bobEvent]);
    expect(bobs.events[0].status).toBe('no_target');
  });

  it('filters by type, object id, status and time range', async () => {
    const ids = async (filter: Record<string, unknown>) =>
      (await call('list', alice, { filter })).body.events.map((e: { event_id: string }) => e.event_id);
    expect(await ids({ type: 'consent_status_update' })).toEqual([aliceEvents[4], aliceEvents[1]]);
    expect(await ids({ type: ['job_status_update', 'consent_status_update'] })).toHaveLength(3);
    expect(await ids({ object_id: 'link-a' })).toEqual([aliceEvents[3], aliceEvents[0]]);
    expect(await ids({ object_id: 'link-a', type: 'consent_status_update' })).toEqual([]);
    expect(await ids({ status: 'pending' })).toHaveLength(7);
    expect(await ids({ status: ['delivered', 'failed'] })).toEqual([]);
    // Events were recorded at +1..+7 minutes: [from, to) keeps +3, +4, +5.
    expect(
      await ids({ created_at_from: '2026-02-01T00:03:00Z', created_at_to: '2026-02-01T00:06:00.000Z' }),
    ).toEqual([aliceEvents[4], aliceEvents[3], aliceEvents[2]]);
  });

  it('pages with keysets until there is no more', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await call('list', alice, { pagination: { limit: 3, ...(after ? { after } : {}) } });
      const body = res.body;
      seen.push(...body.events.map((e: { event_id: string }) => e.event_id));
      if (!body.pagination['more?']) break;
      after = body.events.at(-1).keyset;
      expect(body.pagination.limit).toBe(3);
    }
    expect(seen).toEqual([...aliceEvents].reverse());
  });

  it('walks every page by following pagination.after: each event once, then after is null', async () => {
    for (const limit of [1, 2, 3, 6, 7, 8, 250]) {
      const seen: string[] = [];
      let after: string | undefined;
      for (let page = 1; ; page++) {
        expect(page, `limit ${limit}: the walk does not end`).toBeLessThanOrEqual(aliceEvents.length + 1);
        const res = await call('list', alice, { pagination: { limit, ...(after ? { after } : {}) } });
        expect(res.status).toBe(200);
        const { events, pagination } = res.body as {
          events: { event_id: string; keyset: string }[];
          pagination: { count: number; 'more?': boolean; after: string | null; limit: number };
        };
        seen.push(...events.map((e) => e.event_id));
        expect(Object.keys(pagination).sort()).toEqual(['after', 'count', 'limit', 'more?']);
        expect(pagination.count).toBe(events.length);
        expect(pagination.limit).toBe(limit);
        if (!pagination['more?']) {
          expect(pagination.after).toBeNull();
          break;
        }
        expect(events).toHaveLength(limit);
        // The next page starts after this page's last event, never where this page started.
        expect(pagination.after).toBe(events.at(-1)!.keyset);
        expect(pagination.after).not.toBe(after);
        after = pagination.after!;
      }
      expect(seen, `limit ${limit}`).toEqual([...aliceEvents].reverse());
    }
  });

  it('refuses a tampered, truncated, unsigned or other list’s cursor as validation_error on pagination.after', async () => {
    const first = (await call('list', alice, { pagination: { limit: 2 } })).body;
    const cursor = first.pagination.after as string;
    const flipped = `${cursor.slice(0, 5)}${cursor[5] === 'A' ? 'B' : 'A'}${cursor.slice(6)}`;
    const oldStyle = Buffer.from(`2026-02-01T00:05:00.000000Z|${aliceEvents[4]}`).toString('base64url');
    const foreign = t.services.ais.transactionsCursor({ sortDate: '2026-02-01', id: aliceEvents[4]! });
    for (const after of [flipped, oldStyle, foreign, cursor.slice(0, -2)]) {
      const res = await call('list', alice, { pagination: { after } });
      expect(res.status, after).toBe(400);
      expect(res.body).toMatchObject({ code: 'validation_error', field: 'pagination.after' });
    }
  });

  it('rejects bad input with validation_error', async () => {
    for (const body of [
      { pagination: { limit: 0 } },
      { pagination: { limit: 251 } },
      { pagination: { after: 'not-a-keyset' } },
      { filter: { created_at_from: 'yesterday!' } },
      { filter: { status: 'sent' } },
      { filter: { unknown: 1 } },
      { filter: { type: [] } },
    ]) {
      const res = await call('list', alice, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('validation_error');
    }
  });

  it('needs valid credentials', async () => {
    const res = await call('list', { clientId: alice.clientId, clientSecret: 'wrong' });
    expect(res.status).toBe(401);
  });
});

describe('POST /test/webhooks/events/get and /redeliver', () => {
  it('returns an event with its attempts, and 404 for another client’s event or an unknown id', async () => {
    const res = await call('get', alice, { event_id: aliceEvents[0] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      event: { event_id: aliceEvents[0], status: 'pending' },
      attempts: [],
    });
    for (const id of [bobEvent, '00000000-0000-4000-8000-000000000000', 'nope']) {
      const other = await call('get', alice, { event_id: id });
      expect(other.status).toBe(404);
      expect(other.body.code).toBe('not_found');
    }
    expect((await call('redeliver', alice, { event_id: bobEvent })).status).toBe(404);
    expect((await call('get', alice, {})).body.code).toBe('validation_error');
  });

  it('queues a replay of a delivered event: pending again, same id and body', async () => {
    const id = aliceEvents[2]!;
    await t.store.db
      .updateTable('webhook_events')
      .set({ state: 'delivered', attempts: 1, round_attempts: 1, dispatched: true })
      .where('id', '=', id)
      .execute();
    const res = await call('redeliver', alice, { event_id: id });
    expect(res.status).toBe(200);
    expect(res.body.event).toMatchObject({ event_id: id, status: 'pending', attempts: 1 });
    const row = await t.store.db
      .selectFrom('webhook_events')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'pending', round_attempts: 0, dispatched: false });
  });

  it('refuses to replay an event with nowhere to go', async () => {
    const res = await call('redeliver', bob, { event_id: bobEvent });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('unprocessable_entity');
  });
});

describe('GET /.well-known/jwks.json', () => {
  it('always lists exactly two keys, newest first', async () => {
    const first = (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    expect(first.keys).toHaveLength(2);
    await t.services.webhooks.keys.rotate();
    const res = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const second = res.json();
    expect(second.keys).toHaveLength(2);
    expect(second.keys[1].kid).toBe(first.keys[0].kid);
    expect(second.keys[0].kid).not.toBe(first.keys[1].kid);
  });
});

describe('POST /v2/webhooks/events/* (live clients, OAuth2)', () => {
  it('lists a live client’s own events with a bearer token; test credentials do not work on /v2', async () => {
    const live = await t.client({
      name: 'Live shop',
      mode: 'live',
      webhookUrl: 'https://hooks.example.com/x',
    });
    const liveId = (await t.services.clients.find(live.clientId))!.id;
    const own = await recordEvent(t.store.db, {
      type: 'link_status_update',
      clientId: liveId,
      objectId: 'link-live',
      payload: { link_id: 'link-live', web_id: 'wl', status: 'created' },
      at: clock.now(),
    });
    const token = await tokenRequest(
      t.app,
      { grant_type: 'client_credentials', scope: 'pay_by_link' },
      { authorization: basic(live.clientId, live.clientSecret) },
    );
    expect(token.status).toBe(200);
    const auth = { authorization: `Bearer ${token.body.access_token as string}` };
    const list = await t.app.inject({
      method: 'POST',
      url: '/v2/webhooks/events/list',
      headers: auth,
      payload: { client_id: live.clientId },
    });
    expect(list.statusCode).toBe(200);
    expect(list.json().events.map((e: { event_id: string }) => e.event_id)).toEqual([own]);
    const get = await t.app.inject({
      method: 'POST',
      url: '/v2/webhooks/events/get',
      headers: auth,
      payload: { client_id: live.clientId, event_id: aliceEvents[0] },
    });
    expect(get.statusCode).toBe(404);
    const noToken = await t.app.inject({
      method: 'POST',
      url: '/v2/webhooks/events/list',
      payload: { client_id: alice.clientId, client_secret: alice.clientSecret },
    });
    expect(noToken.statusCode).toBe(401);
  });
});
