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
    env: { WEBHOOK_RETRY_SCHEDULE: '100ms,200ms', WEBHOOK_RETRY_JITTER_PERCENT: '0' },
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
});
