import { sql } from 'kysely';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { ManualClock } from '../shared/clock.js';
import { chunkOf, createRateLimiter, grantedOf } from './rate-limit.js';
import { registerRpc } from './rpc.js';

/** Idempotency keys and rate limits, on a probe route that counts its side effects in a table. */
describe('API guards', () => {
  let t: TestApp;
  let creds: { client_id: string; client_secret: string };
  const clock = new ManualClock('2026-06-01T12:00:30Z');
  beforeAll(async () => {
    t = await createTestApp({
      clock,
      env: { RATE_LIMITS: 'default=0,probe=5' },
      routes: (app, services) => {
        registerRpc(app, services, {
          path: '/probe/create',
          versions: ['v2', 'test'],
          scope: 'pay',
          summary: 'probe',
          tag: 'Probe',
          idempotent: true,
          body: Type.Object({ n: Type.Integer(), fail: Type.Optional(Type.String()) }),
          response: Type.Object({ effect_id: Type.Integer() }),
          handler: async ({ body }) => {
            await new Promise((r) => setTimeout(r, 20));
            if (body.fail === 'crash') throw new Error('boom');
            if (body.fail === 'reject')
              throw new (await import('../shared/errors.js')).ApiError('bad_request', 'no');
            const row = await sql<{
              id: number;
            }>`INSERT INTO probe_effects (n) VALUES (${body.n}) RETURNING id`.execute(services.store.db);
            return { effect_id: row.rows[0]!.id };
          },
        });
        registerRpc(app, services, {
          path: '/probe/limited',
          versions: ['test'],
          scope: 'any',
          rateGroup: 'probe',
          summary: 'probe',
          tag: 'Probe',
          body: Type.Object({}),
          response: Type.Object({ ok: Type.Boolean() }),
          handler: async () => ({ ok: true }),
        });
      },
    });
    await sql`CREATE TABLE probe_effects (id serial PRIMARY KEY, n int)`.execute(t.store.db);
    const c = await t.client();
    creds = { client_id: c.clientId, client_secret: c.clientSecret };
  });
  afterAll(() => t.close());

  const create = (key: string | undefined, body: Record<string, unknown>) =>
    t.app.inject({
      method: 'POST',
      url: '/test/probe/create',
      headers: key === undefined ? {} : { 'idempotency-key': key },
      payload: { ...creds, ...body },
    });
  const effects = async () =>
    Number(
      (await sql<{ n: string }>`SELECT count(*) AS n FROM probe_effects`.execute(t.store.db)).rows[0]!.n,
    );

  it('replays the stored response for the same key and body without a second side effect', async () => {
    const before = await effects();
    const first = await create('key-1', { n: 1 });
    expect(first.statusCode).toBe(200);
    const again = await create('key-1', { n: 1 });
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await effects()).toBe(before + 1);
  });

  it('ignores client_secret and key order when comparing bodies', async () => {
    const first = await create('key-order', { n: 2, fail: undefined });
    const again = await t.app.inject({
      method: 'POST',
      url: '/test/probe/create',
      headers: { 'idempotency-key': 'key-order' },
      payload: { n: 2, client_secret: creds.client_secret, client_id: creds.client_id },
    });
    expect(again.json()).toEqual(first.json());
  });

  it('refuses the same key with a different body: 422 idempotency_key_reused', async () => {
    await create('key-2', { n: 1 });
    const other = await create('key-2', { n: 2 });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('idempotency_key_reused');
  });

  it('100 concurrent requests with one key make exactly one side effect; the rest get 409 or the replay', async () => {
    const before = await effects();
    const replies = await Promise.all(Array.from({ length: 100 }, () => create('key-burst', { n: 7 })));
    const ok = replies.filter((r) => r.statusCode === 200);
    const busy = replies.filter((r) => r.statusCode === 409);
    expect(ok.length + busy.length).toBe(100);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of busy) expect(r.json().code).toBe('idempotency_key_in_use');
    expect(new Set(ok.map((r) => r.json().effect_id)).size).toBe(1);
    expect(await effects()).toBe(before + 1);
  });

  it('stores 4xx outcomes but releases the key after a 5xx so a retry runs again', async () => {
    const rejected = await create('key-4xx', { n: 1, fail: 'reject' });
    expect(rejected.statusCode).toBe(400);
    const replay = await create('key-4xx', { n: 1, fail: 'reject' });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json().error_id).toBe(rejected.json().error_id);

    const crashed = await create('key-5xx', { n: 1, fail: 'crash' });
    expect(crashed.statusCode).toBe(500);
    expect(crashed.json().message).not.toContain('boom');
    const retried = await create('key-5xx', { n: 1, fail: 'crash' });
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
  });

  it('keeps keys per client and for 24 hours', async () => {
    const other = await t.client();
    const mine = await create('key-shared', { n: 5 });
    const theirs = await t.app.inject({
      method: 'POST',
      url: '/test/probe/create',
      headers: { 'idempotency-key': 'key-shared' },
      payload: { client_id: other.clientId, client_secret: other.clientSecret, n: 6 },
    });
    expect(theirs.statusCode).toBe(200);
    expect(theirs.json().effect_id).not.toBe(mine.json().effect_id);

    clock.advance(24 * 3600_000 + 1000);
    const fresh = await create('key-shared', { n: 9 });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    expect(await t.services.guards.idempotency.cleanup()).toBeGreaterThan(0);
  });

  it('rejects a malformed key with validation_error', async () => {
    const res = await create('x'.repeat(256), { n: 1 });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation_error', field: 'Idempotency-Key' });
  });

  it('rate-limits per client and group with 429 rate_limited and Retry-After', async () => {
    clock.set('2026-06-03T08:00:10Z');
    const call = (c: { client_id: string; client_secret: string }) =>
      t.app.inject({ method: 'POST', url: '/test/probe/limited', payload: c });
    for (let i = 0; i < 5; i++) expect((await call(creds)).statusCode).toBe(200);
    const limited = await call(creds);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('rate_limited');
    expect(limited.headers['retry-after']).toBe('50');
    // Another client has its own budget; the next window starts afresh.
    const other = await t.client({ name: 'Other' });
    expect((await call({ client_id: other.clientId, client_secret: other.clientSecret })).statusCode).toBe(
      200,
    );
    clock.advance(60_000);
    expect((await call(creds)).statusCode).toBe(200);
    expect(await t.services.guards.rateLimiter.cleanup()).toBeGreaterThanOrEqual(0);
  });

  it('shares one budget between processes with one counter write per chunk, never above the limit', async () => {
    clock.set('2026-06-03T09:00:05Z');
    // Two API processes: two limiters on one database, limit 100 a minute (chunks of 2).
    const limits = { pay: 100 };
    const a = createRateLimiter({ db: t.store.db, clock, limits });
    const b = createRateLimiter({ db: t.store.db, clock, limits });
    const clientId = (await t.services.clients.find(creds.client_id))!.id;
    const counter = async () =>
      (
        await t.store.db
          .selectFrom('rate_limit_counters')
          .select('hits')
          .where('client_id', '=', clientId)
          .where('bucket', '=', 'pay')
          .where('window_start', '=', new Date('2026-06-03T09:00:00Z'))
          .executeTakeFirstOrThrow()
      ).hits;
    let admitted = 0;
    let refused = 0;
    let writesSeen = 0;
    let last = 0;
    for (let i = 0; i < 150; i++) {
      await (i % 3 === 0 ? b : a).hit(clientId, 'pay').then(
        () => admitted++,
        (e: { code: string; extra: { retry_after: number } }) => {
          expect(e.code).toBe('rate_limited');
          expect(e.extra.retry_after).toBe(55);
          refused++;
        },
      );
      const now = await counter();
      if (now !== last) writesSeen++;
      last = now;
    }
    expect(admitted).toBe(100);
    expect(refused).toBe(50);
    // 100 admitted in chunks of 2 is 50 reservations, plus one refused reservation per process at the end.
    expect(writesSeen).toBe(52);
    // Once spent, refusals cost no write: the counter stays put.
    await expect(a.hit(clientId, 'pay')).rejects.toMatchObject({ code: 'rate_limited' });
    expect(await counter()).toBe(last);
    // The next window starts afresh.
    clock.advance(60_000);
    await a.hit(clientId, 'pay');
  });

  it('grants what fits under the limit, in chunks of a fiftieth of it', () => {
    expect(chunkOf(5)).toBe(1);
    expect(chunkOf(600)).toBe(12);
    expect(grantedOf(600, 12, 12)).toBe(12);
    expect(grantedOf(600, 12, 600)).toBe(12);
    expect(grantedOf(600, 12, 605)).toBe(7);
    expect(grantedOf(600, 12, 612)).toBe(0);
    expect(grantedOf(600, 12, 700)).toBe(0);
  });
});
