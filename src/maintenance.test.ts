import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/support/test-app.js';
import { CLEANUP_EVERY_MS, CLEANUP_TASK } from './maintenance.js';
import { ManualClock } from './shared/clock.js';

describe('maintenance cleanup job', () => {
  let t: TestApp;
  const clock = new ManualClock(new Date());
  beforeAll(async () => {
    t = await createTestApp({ clock });
  });
  afterAll(() => t.close());

  it('is scheduled every ten minutes and removes expired idempotency keys, counters and replay records', async () => {
    const task = t.services.worker.tasks.find((q) => q.name === CLEANUP_TASK)!;
    expect(task.everyMs).toBe(CLEANUP_EVERY_MS);
    expect(CLEANUP_EVERY_MS).toBe(600_000);

    const client = await t.services.clients.create({ name: 'Cleanup' });
    const old = new Date(clock.now().getTime() - 25 * 3600_000);
    await t.store.db
      .insertInto('idempotency_keys')
      .values({
        client_id: client.client.id,
        key: 'old',
        request_hash: 'h',
        state: 'done',
        locked_at: old,
        created_at: old,
      })
      .execute();
    await t.store.db
      .insertInto('rate_limit_counters')
      .values({ client_id: client.client.id, bucket: 'pay', window_start: old, hits: 3 })
      .execute();
    await t.store.db
      .insertInto('oauth_replay')
      .values({ client_id: client.client.clientId, jti: 'j1', expires_at: old })
      .execute();

    await t.worker.drain();
    expect(await t.store.db.selectFrom('idempotency_keys').selectAll().execute()).toEqual([]);
    expect(await t.store.db.selectFrom('rate_limit_counters').selectAll().execute()).toEqual([]);
    expect(await t.store.db.selectFrom('oauth_replay').selectAll().where('jti', '=', 'j1').execute()).toEqual(
      [],
    );
  });
});
