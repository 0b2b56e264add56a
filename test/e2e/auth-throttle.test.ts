import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthThrottle } from '../../src/auth/index.js';
import { ManualClock } from '../../src/shared/clock.js';
import { basic, tokenRequest } from '../support/oauth-helpers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * Failed authentication is throttled per client id and per source address, across processes (the counts are in
 * the database), on the FinqLink test API and at the token endpoint; a client that authenticated recently is not
 * affected, and a burst never costs more than the limit's worth of secret hashes.
 */
const clock = new ManualClock('2026-05-01T10:00:10Z');
let t: TestApp;
let victim: { clientId: string; clientSecret: string };
let bystander: { clientId: string; clientSecret: string };

beforeAll(async () => {
  t = await createTestApp({ clock, env: { AUTH_FAILURE_LIMITS: 'client=10,address=1000' } });
  victim = await t.client({ name: 'Victim' });
  bystander = await t.client({ name: 'Bystander' });
});
afterAll(() => t?.close());

const list = (clientId: string, secret: string, ip = '127.0.0.1') =>
  t.app.inject({
    method: 'POST',
    url: '/test/links/list',
    remoteAddress: ip,
    payload: { client_id: clientId, client_secret: secret },
  });

describe('the FinqLink test API', () => {
  it('admits 9 wrong secrets for a client id per minute, answers the 10th and the rest 429 with Retry-After', async () => {
    expect((await list(victim.clientId, victim.clientSecret)).statusCode).toBe(200); // verified, cached
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) codes.push((await list(victim.clientId, `wrong-${i}`)).statusCode);
    expect(codes).toEqual([...Array(9).fill(401), 429, 429, 429]);
    const refused = await list(victim.clientId, 'wrong-again');
    expect(refused.json()).toMatchObject({ code: 'rate_limited', retry_after: 50 });
    expect(refused.headers['retry-after']).toBe('50');
    // The client itself, verified a moment ago, and other clients are unaffected.
    expect((await list(victim.clientId, victim.clientSecret)).statusCode).toBe(200);
    expect((await list(bystander.clientId, bystander.clientSecret)).statusCode).toBe(200);
    // The next minute starts afresh.
    clock.advance(60_000);
    expect((await list(victim.clientId, 'wrong-next-minute')).statusCode).toBe(401);
  });

  it('the counts are shared: another process (a fresh throttle on the same database) refuses the spent id', async () => {
    clock.advance(60_000);
    for (let i = 0; i < 10; i++) await list(bystander.clientId, `wrong-${i}`);
    // A throttle with no memory of its own, as in a second Ferry process, reads the counts from the database.
    const elsewhere = createAuthThrottle({ db: t.store.db, clock, limits: { client: 10, address: 1000 } });
    await expect(elsewhere.check({ clientId: bystander.clientId })).rejects.toMatchObject({
      code: 'rate_limited',
    });
    await expect(elsewhere.check({ clientId: victim.clientId })).resolves.toBeUndefined();
  });
});

describe('per source address', () => {
  let strict: TestApp;
  beforeAll(async () => {
    strict = await createTestApp({ clock, env: { AUTH_FAILURE_LIMITS: 'client=0,address=5' } });
  });
  afterAll(() => strict?.close());

  it('an address guessing many client ids is refused after its failures; other addresses are not', async () => {
    const from = (ip: string, id: string) =>
      strict.app.inject({
        method: 'POST',
        url: '/test/links/list',
        remoteAddress: ip,
        payload: { client_id: id, client_secret: 'guess' },
      });
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await from('203.0.113.7', `test_unknown${i}`)).statusCode);
    expect(codes).toEqual([401, 401, 401, 401, 429, 429, 429]);
    expect((await from('198.51.100.1', 'test_unknown0')).statusCode).toBe(401);
  });
});

describe('the token endpoint', () => {
  it('counts invalid_client failures and answers 429 in the OAuth error model', async () => {
    clock.advance(60_000);
    const live = await t.client({ name: 'Live', mode: 'live' });
    const codes: number[] = [];
    let last: Awaited<ReturnType<typeof tokenRequest>> | undefined;
    for (let i = 0; i < 11; i++) {
      last = await tokenRequest(
        t.app,
        { grant_type: 'client_credentials' },
        { authorization: basic(live.clientId, `bad-${i}`) },
      );
      codes.push(last.status);
    }
    expect(codes).toEqual([...Array(9).fill(401), 429, 429]);
    expect(last!.body).toMatchObject({ error: 'rate_limited' });
    expect(last!.headers['retry-after']).toBeDefined();
    // client_secret_post counts against the same client id.
    const post = await tokenRequest(t.app, {
      grant_type: 'client_credentials',
      client_id: live.clientId,
      client_secret: 'bad-post',
    });
    expect(post.status).toBe(429);
  });
});

describe('a burst of 500 wrong secrets', () => {
  it('spends at most the limit in hashes: the rest is refused before any hash', async () => {
    clock.advance(60_000);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) => list(victim.clientId, `burst-${i}`)),
    );
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const codes = results.map((r) => r.statusCode);
    const admitted = codes.filter((c) => c === 401).length;
    const refused = codes.filter((c) => c === 429).length;
    expect(admitted + refused).toBe(500);
    // The in-flight checks that passed before the 10th failure landed may each spend one hash; never more
    // than the gate's queue beyond the limit.
    expect(admitted).toBeLessThanOrEqual(9 + 2 + 64);
    expect(refused).toBeGreaterThan(400);
    console.info(
      `auth burst: ${admitted} admitted (401), ${refused} refused (429) in ${wallMs.toFixed(0)} ms; ` +
        `CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms in all, ` +
        `${((cpu.user + cpu.system) / 1000 / 500).toFixed(2)} ms per attempt`,
    );
  });
});

describe('a legitimate first burst', () => {
  it('100 concurrent first calls of one client share one secret check and all succeed', async () => {
    clock.advance(60_000);
    const fresh = await t.client({ name: 'Fresh' });
    const results = await Promise.all(
      Array.from({ length: 100 }, () => list(fresh.clientId, fresh.clientSecret)),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(100).fill(200));
  });
});
