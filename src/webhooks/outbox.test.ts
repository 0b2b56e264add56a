import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { recordEvent } from './index.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

async function clientUuid(webhookUrl: string | null): Promise<string> {
  const { clientId } = await t.client({ webhookUrl });
  return (await t.services.clients.find(clientId))!.id;
}

describe('recordEvent', () => {
  it('stores the exact body, pending when the client has a default URL', async () => {
    const clientId = await clientUuid('http://127.0.0.1:9/hook');
    const id = await recordEvent(t.store.db, {
      type: 'link_status_update',
      clientId,
      objectId: 'l1',
      payload: { link_id: 'l1', web_id: 'w1', status: 'paid' },
    });
    const row = await t.store.db
      .selectFrom('webhook_events')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.body).toBe('{"type":"link_status_update","link_id":"l1","web_id":"w1","status":"paid"}');
    expect(row).toMatchObject({ state: 'pending', dispatched: false, url: null, client_id: clientId });
  });

  it('records no_target when neither the event nor the client has a URL', async () => {
    const clientId = await clientUuid(null);
    const id = await recordEvent(t.store.db, {
      type: 'consent_status_update',
      clientId,
      objectId: 'c1',
      payload: { type: 'consent_status_update', consent_id: 'c1', status: 'active' },
    });
    const row = await t.store.db
      .selectFrom('webhook_events')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'no_target', dispatched: true });
  });

  it('writes inside the caller transaction and disappears with its rollback', async () => {
    const clientId = await clientUuid(null);
    let id = '';
    await expect(
      t.store.db.transaction().execute(async (tx) => {
        id = await recordEvent(tx, {
          type: 'job_status_update',
          clientId,
          objectId: 'j1',
          payload: { consent_id: 'c1', job_id: 'j1', status: 'done' },
          url: 'http://127.0.0.1:9/cb',
        });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const row = await t.store.db
      .selectFrom('webhook_events')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    expect(row).toBeUndefined();
  });

  it('refuses an unknown client and a mismatched payload type', async () => {
    const base = { type: 'x', objectId: 'o', payload: {} };
    await expect(recordEvent(t.store.db, { ...base, clientId: 'nope' })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(
      recordEvent(t.store.db, { ...base, clientId: '00000000-0000-4000-8000-000000000000' }),
    ).rejects.toMatchObject({ code: 'not_found' });
    const clientId = await clientUuid(null);
    await expect(
      recordEvent(t.store.db, { ...base, clientId, payload: { type: 'other' } }),
    ).rejects.toMatchObject({ code: 'validation_error' });
  });
});
