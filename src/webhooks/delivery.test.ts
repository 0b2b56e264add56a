import { compactVerify, createLocalJWKSet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { startReceiver, waitFor } from '../../test/support/webhook-receiver.js';
import { type RunningWorker, startWorker } from '../worker/index.js';
import { recordEvent } from './index.js';

let t: TestApp;
let worker: RunningWorker;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  t = await createTestApp({
    env: {
      WEBHOOK_RETRY_SCHEDULE: '100ms,200ms',
      WEBHOOK_TEST_RETRY_SCHEDULE: '100ms,200ms',
      WEBHOOK_RETRY_JITTER_PERCENT: '0',
    },
  });
  worker = await startWorker(t.services);
  receiver = await startReceiver((_req, n) => (n === 1 ? 500 : 200));
});
afterAll(async () => {
  await worker?.stop();
  await receiver?.close();
  await t?.close();
});

describe('delivery through the worker', () => {
  it('delivers a signed webhook, retrying after a failure', async () => {
    const { clientId } = await t.client({ webhookUrl: `${receiver.url}/hook` });
    const client = (await t.services.clients.find(clientId))!;
    const id = await recordEvent(t.store.db, {
      type: 'link_status_update',
      clientId: client.id,
      objectId: 'link-1',
      payload: { link_id: 'link-1', web_id: 'w1', status: 'paid' },
    });
    await waitFor(() => receiver.received.length >= 2);
    const hook = receiver.received[1]!;
    expect(hook.headers['x-webhook-id']).toBe(id);
    expect(hook.headers['content-type']).toBe('application/json');
    const jwks = (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    expect(jwks.keys).toHaveLength(2);
    const { payload, protectedHeader } = await compactVerify(
      hook.headers['x-signature'] as string,
      createLocalJWKSet(jwks),
    );
    expect(protectedHeader.kid).toBe(hook.headers['x-signature-kid']);
    expect(Buffer.compare(Buffer.from(payload), hook.body)).toBe(0);
    const row = await waitFor(async () => {
      const r = await t.store.db
        .selectFrom('webhook_events')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return r?.state === 'delivered' ? r : undefined;
    });
    expect(row.attempts).toBe(2);
  });

  it('replays an event through the API: same id and body, a new round of attempts', async () => {
    const { clientId, clientSecret } = await t.client({ webhookUrl: `${receiver.url}/replay` });
    const client = (await t.services.clients.find(clientId))!;
    const id = await recordEvent(t.store.db, {
      type: 'job_status_update',
      clientId: client.id,
      objectId: 'job-9',
      payload: { consent_id: 'c9', job_id: 'job-9', status: 'job_completed' },
    });
    const isDelivered = async (attempts: number) => {
      const r = await t.store.db
        .selectFrom('webhook_events')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return r?.state === 'delivered' && r.attempts === attempts;
    };
    await waitFor(() => isDelivered(1));
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/webhooks/events/redeliver',
      payload: { client_id: clientId, client_secret: clientSecret, event_id: id },
    });
    expect(res.statusCode).toBe(200);
    await waitFor(() => isDelivered(2));
    const copies = receiver.received.filter((r) => r.headers['x-webhook-id'] === id);
    expect(copies).toHaveLength(2);
    expect(copies[0]!.body.equals(copies[1]!.body)).toBe(true);
    const got = await t.app.inject({
      method: 'POST',
      url: '/test/webhooks/events/get',
      payload: { client_id: clientId, client_secret: clientSecret, event_id: id },
    });
    const attempts = got.json().attempts as { attempt: number; status_code: number; outcome: string }[];
    expect(attempts.map((a) => [a.attempt, a.status_code, a.outcome])).toEqual([
      [1, 200, 'delivered'],
      [2, 200, 'delivered'],
    ]);
  });

  it('records an event with no URL anywhere as no_target and never queues it', async () => {
    const { clientId } = await t.client({ webhookUrl: null });
    const client = (await t.services.clients.find(clientId))!;
    const id = await recordEvent(t.store.db, {
      type: 'consent_status_update',
      clientId: client.id,
      objectId: 'c-none',
      payload: { consent_id: 'c-none', status: 'active' },
    });
    // No sleep: an event recorded after it is delivered, so the worker has run its rounds over both.
    const { clientId: otherId } = await t.client({ webhookUrl: `${receiver.url}/after-none` });
    const after = await recordEvent(t.store.db, {
      type: 'consent_status_update',
      clientId: (await t.services.clients.find(otherId))!.id,
      objectId: 'c-after',
      payload: { consent_id: 'c-after', status: 'active' },
    });
    await waitFor(() => receiver.received.some((r) => r.headers['x-webhook-id'] === after));
    const row = await t.store.db
      .selectFrom('webhook_events')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'no_target', attempts: 0 });
  });
});
