import { errors } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, liveClient, tokenRequest } from '../../test/support/oauth-helpers.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { ManualClock } from '../shared/clock.js';
import { createAdapterFactory } from './oauth/adapter.js';
import { createOAuthServer } from './oauth/index.js';
import { recordAssertionJti } from './oauth/oauth.repository.js';
import { ensureOAuthSigningKeys } from './oauth/signing-keys.repository.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const oauthKeys = () =>
  t.store.db.selectFrom('signing_keys').selectAll().where('purpose', '=', 'oauth').execute();

describe("Ferry's token signing keys", () => {
  it('an ES256 pair is created on first start, the private half sealed with the master key', async () => {
    const rows = await oauthKeys();
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row!.alg).toBe('ES256');
    expect(row!.public_jwk).toMatchObject({
      kty: 'EC',
      crv: 'P-256',
      kid: row!.kid,
      alg: 'ES256',
      use: 'sig',
    });
    expect(row!.public_jwk).not.toHaveProperty('d');
    expect(row!.private_enc).toMatch(/^v1\./);
    const privateJwk = JSON.parse(t.services.secretBox.open(row!.private_enc));
    expect(privateJwk.d).toEqual(expect.any(String));
    expect(row!.private_enc).not.toContain(privateJwk.d);
    const jwks = (await t.app.inject({ method: 'GET', url: '/oauth2/jwks' })).json();
    expect(jwks).toEqual({ keys: [row!.public_jwk] });
  });

  it('processes starting together end up with one key', async () => {
    await t.store.db.deleteFrom('signing_keys').where('purpose', '=', 'oauth').execute();
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        ensureOAuthSigningKeys(t.store.db, t.services.secretBox, t.services.clock),
      ),
    );
    const kids = new Set(results.map((keys) => keys.map((k) => k.kid).join()));
    expect(kids.size).toBe(1);
    expect(await oauthKeys()).toHaveLength(1);
  });

  it('a token from one process verifies in another sharing the database (no I/O per verification)', async () => {
    const deps = {
      config: t.config,
      db: t.store.db,
      clock: t.services.clock,
      ids: t.services.ids,
      secretBox: t.services.secretBox,
    };
    const a = await createOAuthServer(deps);
    let dbUse = 0;
    let counting = false;
    const countingDb = new Proxy(t.store.db, {
      get(target, prop) {
        if (counting) dbUse += 1;
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const b = await createOAuthServer({ ...deps, db: countingDb });
    expect(await oauthKeys()).toHaveLength(1);
    // A fresh app over the same database, so its provider uses the key the previous test re-created.
    const { buildApp } = await import('../app.js');
    const { app } = await buildApp(t.config, { services: { ...t.services, oauth: a }, logger: false });
    await app.ready();
    try {
      const c = await liveClient(t);
      const res = await tokenRequest(
        app,
        { grant_type: 'client_credentials' },
        { authorization: basic(c.clientId, c.clientSecret) },
      );
      expect(res.status).toBe(200);
      counting = true;
      const claims = await b.verifyAccessToken(res.body.access_token as string);
      counting = false;
      expect(dbUse).toBe(0);
      expect(claims.clientId).toBe(c.clientId);
      expect(claims.scopes).toEqual(['pay_by_link', 'ais']);
    } finally {
      await app.close();
    }
  });
});

describe('replay records and artifacts', () => {
  const at = (iso: string) => new Date(iso);

  it('a jti is recorded once per client, and may be used again once its record has expired', async () => {
    const now = at('2026-01-01T00:00:00Z');
    const db = t.store.db;
    expect(await recordAssertionJti(db, 'c1', 'j', at('2026-01-01T00:05:00Z'), now)).toBe(true);
    expect(await recordAssertionJti(db, 'c1', 'j', at('2026-01-01T00:05:00Z'), now)).toBe(false);
    expect(await recordAssertionJti(db, 'c2', 'j', at('2026-01-01T00:05:00Z'), now)).toBe(true);
    const later = at('2026-01-01T00:06:00Z');
    expect(await recordAssertionJti(db, 'c1', 'j', at('2026-01-01T00:10:00Z'), later)).toBe(true);
    expect(await recordAssertionJti(db, 'c1', 'j', at('2026-01-01T00:10:00Z'), later)).toBe(false);
  });

  it('10 concurrent recordings of one jti: exactly one wins', async () => {
    const now = at('2026-01-01T00:00:00Z');
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        recordAssertionJti(t.store.db, 'c3', 'race', at('2026-01-01T00:05:00Z'), now),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('artifacts: stored, found by id/uid/user code, consumed once even under concurrency, expired, revoked', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const adapter = createAdapterFactory(t.store.db, clock, false)('AuthorizationCode');
    await adapter.upsert(
      'code-1',
      { grantId: 'g1', uid: 'u1', userCode: 'UC-1', kind: 'AuthorizationCode' },
      60,
    );
    expect(await adapter.find('code-1')).toMatchObject({ grantId: 'g1', kind: 'AuthorizationCode' });
    expect(await adapter.findByUid('u1')).toMatchObject({ grantId: 'g1' });
    expect(await adapter.findByUserCode('UC-1')).toMatchObject({ grantId: 'g1' });
    expect((await adapter.find('code-1'))?.consumed).toBeUndefined();

    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => adapter.consume('code-1')));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) {
      if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(errors.InvalidGrant);
    }
    expect((await adapter.find('code-1'))?.consumed).toBe(Math.floor(clock.now().getTime() / 1000));

    clock.advance(61_000);
    expect(await adapter.find('code-1')).toBeUndefined();

    await adapter.upsert('code-2', { grantId: 'g2' }, 60);
    await adapter.upsert('code-3', { grantId: 'g2' }, 60);
    await adapter.revokeByGrantId('g2');
    expect(await adapter.find('code-2')).toBeUndefined();
    await adapter.upsert('code-4', { grantId: 'g4' }, 60);
    await adapter.destroy('code-4');
    expect(await adapter.find('code-4')).toBeUndefined();
  });

  it('cleanup() deletes expired replay records and artifacts only', async () => {
    const db = t.store.db;
    await db.deleteFrom('oauth_replay').execute();
    await db.deleteFrom('oauth_artifacts').execute();
    const past = new Date(Date.now() - 60_000);
    const future = new Date(Date.now() + 600_000);
    await db
      .insertInto('oauth_replay')
      .values([
        { client_id: 'c', jti: 'old-1', expires_at: past },
        { client_id: 'c', jti: 'old-2', expires_at: past },
        { client_id: 'c', jti: 'new', expires_at: future },
      ])
      .execute();
    await db
      .insertInto('oauth_artifacts')
      .values([
        { model: 'M', id: 'old', payload: '{}', expires_at: past },
        { model: 'M', id: 'new', payload: '{}', expires_at: future },
      ])
      .execute();
    expect(await t.services.oauth.cleanup()).toBe(3);
    expect((await db.selectFrom('oauth_replay').select('jti').execute()).map((r) => r.jti)).toEqual(['new']);
    expect((await db.selectFrom('oauth_artifacts').select('id').execute()).map((r) => r.id)).toEqual(['new']);
    expect(await t.services.oauth.cleanup()).toBe(0);
  });
});

describe('the Client model reads api_clients', () => {
  it('enabled clients only, with the stored hash (never a plaintext secret)', async () => {
    const adapter = createAdapterFactory(t.store.db, t.services.clock, false)('Client');
    const c = await liveClient(t, { scopes: ['ais'] });
    const metadata = await adapter.find(c.clientId);
    expect(metadata).toMatchObject({
      client_id: c.clientId,
      scope: 'ais',
      grant_types: ['client_credentials'],
    });
    expect(metadata?.client_secret).toMatch(/^scrypt\$/);
    expect(JSON.stringify(metadata)).not.toContain(c.clientSecret);
    await t.store.db
      .updateTable('api_clients')
      .set({ disabled: true })
      .where('client_id', '=', c.clientId)
      .execute();
    expect(await adapter.find(c.clientId)).toBeUndefined();
    expect(await adapter.find('live_unknown')).toBeUndefined();
    expect(await adapter.find('x'.repeat(200))).toBeUndefined();
    await expect(adapter.upsert(c.clientId, {}, 0)).rejects.toThrow(/managed by Ferry/);
  });
});
