import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore } from '../../test/support/test-store.js';
import { waitFor } from '../../test/support/webhook-receiver.js';
import type { Store } from '../store/index.js';
import { createNotificationHub, type NotificationHub } from './notification-hub.js';

describe('notification hub', () => {
  let store: Store;
  let hub: NotificationHub;
  beforeAll(async () => {
    store = await createTestStore();
    hub = createNotificationHub(store);
  });
  afterAll(async () => {
    await hub?.close();
    await store?.close();
  });

  it('calls a new subscriber once its LISTEN is in effect, so a change made before that is read, not missed', async () => {
    let calls = 0;
    const off = hub.subscribe('hub_test', 'a', () => {
      calls += 1;
    });
    // No NOTIFY yet: the one call says "listening now, read the state again".
    await waitFor(() => calls === 1);
    await sql`SELECT pg_notify('hub_test', 'b')`.execute(store.db);
    await sql`SELECT pg_notify('hub_test', 'a')`.execute(store.db);
    await waitFor(() => calls === 2);
    off();
    await sql`SELECT pg_notify('hub_test', 'a')`.execute(store.db);
    const later = hub.subscribe('hub_test', 'c', () => {});
    await new Promise((r) => setTimeout(r, 200));
    later();
    expect(calls).toBe(2);
  });
});
