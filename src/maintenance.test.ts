import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/support/test-app.js';
import { CLEANUP_QUEUE } from './maintenance.js';
import { ManualClock } from './shared/clock.js';

describe('maintenance cleanup job', () => {
  let t: TestApp;
  const clock = new ManualClock(new Date());
  beforeAll(async () => {
    t = await createTestApp({ clock });
  });
  afterAll(() => t.close());

  it('is scheduled every ten minutes and removes expired idempotency keys, counters and replay records', async () => {
    const { worker } = t.services;
    expect(worker.schedules).toContainEqual(
      expect.objectContaining({ queue: CLEANUP_QUEUE, cron: '*/10 * * * *' }),
    );
    const queue = worker.queues.find((q) => q.name === CLEANUP_QUEUE)!;

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

    const outcome = await queue.handle!({
      id: 'job-1',
      data: {} as never,
      retryCount: 0,
      signal: new AbortController().signal,
    });
    expect(outcome.status).toBe('completed');
    expect(JSON.parse((outcome as { detail: string }).detail)).toMatchObject({
      idempotency: 1,
      rateLimits: 1,
    });
    expect(await t.store.db.selectFrom('idempotency_keys').selectAll().execute()).toEqual([]);
    expect(await t.store.db.selectFrom('rate_limit_counters').selectAll().execute()).toEqual([]);
    expect(await t.store.db.selectFrom('oauth_replay').selectAll().where('jti', '=', 'j1').execute()).toEqual(
      [],
    );
  });
});
