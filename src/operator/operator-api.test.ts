import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperatorTestApp } from '../../test/support/operator-app.js';
import { parseMetrics, seriesValue } from '../../test/support/prometheus.js';
import type { TestApp } from '../../test/support/test-app.js';
import { startReceiver } from '../../test/support/webhook-receiver.js';
import { recordEvent } from '../webhooks/index.js';
import { OPERATOR_BASE } from './index.js';

const token = `fat_${'x'.repeat(40)}`;

/** The operator API: token-only, every change audit-logged without secrets, the clients service's rules. */
describe('operator API', () => {
  let t: TestApp;
  let ops: FastifyInstance;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ t, ops, close } = await createOperatorTestApp(token));
  });
  afterAll(() => close());

  const call = async (
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    body?: unknown,
    auth = `Bearer ${token}`,
  ) => {
    const res = await ops.inject({
      method,
      url: `${OPERATOR_BASE}${path}`,
      headers: { ...(auth ? { authorization: auth } : {}), 'x-ferry-actor': 'cli:ana' },
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });
    return { status: res.statusCode, body: res.json(), headers: res.headers };
  };

  it('refuses a missing or wrong token on every route, with WWW-Authenticate, and records the refusal', async () => {
    for (const [auth, message] of [
      ['', 'An operator token is required.'],
      [`Bearer ${token}x`, 'The operator token is wrong.'],
      [`Basic ${Buffer.from(`a:${token}`).toString('base64')}`, 'An operator token is required.'],
    ] as const) {
      for (const [method, path] of [
        ['GET', '/clients'],
        ['POST', '/clients'],
        ['PATCH', '/clients/test_x'],
        ['POST', '/keys/rotate'],
        ['GET', '/audit'],
        ['GET', '/nowhere'],
      ] as const) {
        const res = await call(method, path, method === 'GET' ? undefined : { name: 'X' }, auth);
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(res.body).toEqual({ error: { code: 'unauthorized', message } });
        expect(res.headers['www-authenticate']).toBe('Bearer realm="ferry-operator"');
      }
    }
    expect((await call('GET', '/clients')).body.clients).toEqual([]);
    const audit = (await call('GET', '/audit?limit=1')).body.entries;
    expect(audit[0]).toMatchObject({ actor: 'unauthenticated from 127.0.0.1', outcome: 'unauthorized' });
  });

  it('creates, shows, updates, disables and rotates a client; the audit names fields, never values', async () => {
    const created = await call('POST', '/clients', {
      name: 'Shop',
      webhook_url: 'https://hooks.example/ferry',
      redirect_uris: ['https://shop.example/back'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Shop',
      mode: 'test',
      enabled: true,
      redirect_uris: ['https://shop.example/back'],
      frame_ancestors: [],
    });
    const { client_id: id, client_secret: secret, client_app_key: appKey } = created.body;
    expect(secret).toMatch(/^fsk_/);
    expect(appKey).toMatch(/^fak_/);
    const providers = (s: string) => t.call('/test/providers/list', {}, { client_id: id, client_secret: s });
    expect((await providers(secret)).status).toBe(200);

    const shown = await call('GET', `/clients/${id}`);
    expect(shown.body).not.toHaveProperty('client_secret');
    expect(JSON.stringify(shown.body)).not.toContain(secret);

    const updated = await call('PATCH', `/clients/${id}`, {
      frame_ancestors: ['https://shop.example'],
      v1s_identity: 'ops@shop.example',
      enabled: false,
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ enabled: false, frame_ancestors: ['https://shop.example'] });
    expect((await providers(secret)).status).toBe(401);
    await call('PATCH', `/clients/${id}`, { enabled: true });
    expect((await providers(secret)).status).toBe(200);

    const rotated = await call('POST', `/clients/${id}/rotate-secret`);
    expect((await providers(rotated.body.client_secret)).status).toBe(200);
    expect((await providers(secret)).status).toBe(401);
    const appKeyRotated = await call('POST', `/clients/${id}/rotate-app-key`);
    expect(appKeyRotated.body.client_app_key).not.toBe(appKey);

    const entries = (await call('GET', '/audit?limit=6')).body.entries as Record<string, unknown>[];
    expect(entries.map((e) => [e.action, e.target, e.outcome])).toEqual([
      ['clients.rotate-app-key', id, 'ok'],
      ['clients.rotate-secret', id, 'ok'],
      ['clients.update', id, 'ok'],
      ['clients.update', id, 'ok'],
      ['clients.create', null, 'ok'],
      expect.anything(),
    ]);
    expect(entries[0]!.actor).toBe('operator-token (cli:ana) from 127.0.0.1');
    expect(entries[3]!.detail).toEqual({ fields: ['enabled', 'frame_ancestors', 'v1s_identity'] });
    const dump = JSON.stringify(entries);
    for (const value of [
      secret,
      rotated.body.client_secret,
      appKeyRotated.body.client_app_key,
      'hooks.example',
    ]) {
      expect(dump).not.toContain(value);
    }
  });

  it('answers bad input with a stable code, and records the failed change', async () => {
    const cases: [string, 'POST' | 'PATCH', string, unknown, number, string][] = [
      ['no name', 'POST', '/clients', {}, 400, 'validation_error'],
      ['unknown field', 'POST', '/clients', { name: 'A', colour: 'red' }, 400, 'validation_error'],
      [
        'bad redirect',
        'POST',
        '/clients',
        { name: 'A', redirect_uris: ['http://a.example/cb'] },
        400,
        'validation_error',
      ],
      ['a new client disabled', 'POST', '/clients', { name: 'A', enabled: false }, 400, 'validation_error'],
      ['mode change', 'PATCH', '/clients/test_nope', { mode: 'live' }, 400, 'validation_error'],
      ['unknown client', 'PATCH', '/clients/test_nope', { name: 'B' }, 404, 'not_found'],
      ['unknown client rotation', 'POST', '/clients/test_nope/rotate-secret', undefined, 404, 'not_found'],
      ['not JSON', 'POST', '/clients', 'name=A', 415, 'unsupported_media_type'],
    ];
    for (const [what, method, path, body, status, code] of cases) {
      const res =
        typeof body === 'string'
          ? await ops.inject({
              method,
              url: `${OPERATOR_BASE}${path}`,
              headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
              payload: body,
            })
          : undefined;
      const answer = res ? { status: res.statusCode, body: res.json() } : await call(method, path, body);
      expect(answer.status, what).toBe(status);
      expect(answer.body.error.code, what).toBe(code);
    }
    expect((await call('GET', '/clients/test_nope')).status).toBe(404);
    expect((await call('GET', '/audit?limit=0')).status).toBe(400);
    const last = (await call('GET', '/audit?limit=1')).body.entries[0];
    expect(last).toMatchObject({
      action: 'clients.rotate-secret',
      target: 'test_nope',
      outcome: 'not_found',
    });
  });

  it('rotates the webhook signing keys and lists the published ones', async () => {
    const before = (await call('GET', '/keys')).body.keys as { kid: string }[];
    const rotation = await call('POST', '/keys/rotate');
    expect(rotation.body.previous).toBe(before[0]!.kid);
    const after = (await call('GET', '/keys')).body.keys as { kid: string }[];
    expect(after.map((k) => k.kid)).toEqual([rotation.body.current, rotation.body.previous]);
  });

  const scrape = async () => {
    const res = await ops.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    return parseMetrics(res.body);
  };

  it('needs the operator token', async () => {
    expect((await ops.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
  });

  it('parses as Prometheus text and changes as requests, links and webhooks happen', async () => {
    t.services.metrics.collectProcessMetrics();
    const before = await scrape();
    const route = { method: 'POST', route: '/test/links/create', status: '200' };
    const linksBefore = seriesValue(before, 'ferry_http_request_duration_seconds', route);
    const created = await t.call('/test/links/create', {
      single_transfer: {
        amount: '1.00',
        currency: 'RON',
        creditor_name: 'A',
        creditor_iban: 'RO10RZBR0000069999999970',
      },
    });
    expect(created.status).toBe(200);
    expect((await t.call('/test/links/create', { single_transfer: {} })).status).toBe(400);

    const after = await scrape();
    expect(seriesValue(after, 'ferry_http_request_duration_seconds', route)).toBe(linksBefore + 1);
    expect(
      seriesValue(after, 'ferry_http_request_duration_seconds', { ...route, status: '400' }),
    ).toBeGreaterThanOrEqual(1);
    expect(seriesValue(after, 'ferry_payment_links', { status: 'created' })).toBe(
      seriesValue(before, 'ferry_payment_links', { status: 'created' }) + 1,
    );
    expect(after.find((f) => f.name === 'ferry_db_pool_connections')).toBeDefined();
    expect(after.find((f) => f.name === 'ferry_nodejs_eventloop_lag_seconds')).toBeDefined();
    for (const name of ['ferry_ais_consents', 'ferry_ais_jobs', 'ferry_webhook_queue_depth']) {
      expect(
        after.find((f) => f.name === name),
        name,
      ).toBeDefined();
    }
  });

  it('counts the webhook queue and every delivery attempt', async () => {
    const receiver = await startReceiver(() => 200);
    try {
      const { clientId } = await t.client({ webhookUrl: `${receiver.url}/hook` });
      const client = (await t.services.clients.find(clientId))!;
      await recordEvent(t.store.db, {
        type: 'consent_status_update',
        clientId: client.id,
        objectId: 'consent-1',
        payload: { consent_id: 'consent-1', status: 'active' },
        at: t.services.clock.now(),
      });
      expect(seriesValue(await scrape(), 'ferry_webhook_queue_depth')).toBe(1);
      await t.worker.drain();
      const after = await scrape();
      expect(seriesValue(after, 'ferry_webhook_queue_depth')).toBe(0);
      expect(seriesValue(after, 'ferry_webhook_attempt_duration_seconds', { outcome: 'delivered' })).toBe(1);
    } finally {
      await receiver.close();
    }
  });

  it("redelivers one event, or a filtered set of every client's, and audits both", async () => {
    const receiver = await startReceiver(() => 200);
    try {
      const a = await t.client({ webhookUrl: `${receiver.url}/a` });
      const b = await t.client({ webhookUrl: `${receiver.url}/b` });
      const silent = await t.client();
      const ids: Record<string, string> = {};
      for (const [name, c] of [
        ['a1', a],
        ['a2', a],
        ['b1', b],
        ['s1', silent],
      ] as const) {
        const client = (await t.services.clients.find(c.clientId))!;
        await recordEvent(t.store.db, {
          type: 'consent_status_update',
          clientId: client.id,
          objectId: name,
          payload: { consent_id: name, status: 'active' },
          at: t.services.clock.now(),
        });
      }
      await t.worker.drain();
      expect(receiver.received.map((r) => r.path).sort()).toEqual(['/a', '/a', '/b']);
      for (const e of await t.services.webhooks.search({ limit: 10 })) ids[e.object_id] = e.event_id;

      // One client's delivered events go again; the other client's do not.
      const set = await call('POST', '/webhooks/redeliver', { client_id: a.clientId, states: ['delivered'] });
      expect(set).toMatchObject({ status: 200, body: { redelivered: 2, skipped: 0, more: false } });
      await t.worker.drain();
      expect(receiver.received.map((r) => r.path).sort()).toEqual(['/a', '/a', '/a', '/a', '/b']);
      // An event with no URL anywhere cannot go again: counted, not an error.
      const none = await call('POST', '/webhooks/redeliver', { states: ['no_target'] });
      expect(none.body).toEqual({ redelivered: 0, skipped: 1, more: false });

      const one = await call('POST', `/webhooks/${ids.b1}/redeliver`);
      expect(one).toMatchObject({ status: 200, body: { event_id: ids.b1, status: 'pending' } });
      await t.worker.drain();
      expect(receiver.received.filter((r) => r.path === '/b')).toHaveLength(2);
      const refused = await call('POST', `/webhooks/${ids.s1}/redeliver`);
      expect(refused).toMatchObject({ status: 400, body: { error: { code: 'unprocessable_entity' } } });

      for (const [path, body] of [
        ['/webhooks/redeliver', {}],
        ['/webhooks/redeliver', { states: [] }],
        ['/webhooks/redeliver', { states: ['paid'] }],
        ['/webhooks/redeliver', { states: ['failed'], extra: 1 }],
      ] as const) {
        expect((await call('POST', path, body)).body.error.code, JSON.stringify(body)).toBe(
          'validation_error',
        );
      }
      expect(
        (await call('POST', '/webhooks/redeliver', { client_id: 'test_nope', states: ['failed'] })).status,
      ).toBe(404);
      for (const id of ['not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
        expect((await call('POST', `/webhooks/${id}/redeliver`)).body.error.code).toBe('not_found');
      }
      const audit = (await call('GET', '/audit?limit=8')).body.entries as {
        action: string;
        outcome: string;
      }[];
      expect(audit.slice(0, 6).map((e) => `${e.action} ${e.outcome}`)).toEqual([
        'webhooks.redeliver not_found',
        'webhooks.redeliver not_found',
        'webhooks.redeliver-set not_found',
        'webhooks.redeliver unprocessable_entity',
        'webhooks.redeliver ok',
        'webhooks.redeliver-set ok',
      ]);
    } finally {
      await receiver.close();
    }
  });
});
