import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOAuthTestApp } from '../../test/support/oauth-app.js';
import {
  assertion,
  basic,
  callLive,
  clientKey,
  liveClient,
  tokenRequest,
} from '../../test/support/oauth-helpers.js';
import { registerRpc } from '../api/index.js';
import { ManualClock } from '../shared/clock.js';

// Starts at the real time: oidc-provider stamps tokens with the system clock, Ferry verifies with this one.
const clock = new ManualClock(new Date());
let t: Awaited<ReturnType<typeof createOAuthTestApp>>;

beforeAll(async () => {
  t = await createOAuthTestApp({
    clock,
    env: { OAUTH_ACCESS_TOKEN_TTL: '120' },
    beforeReady(app, services) {
      for (const scope of ['ais', 'pay'] as const) {
        registerRpc(app, services, {
          path: `/oauth-test/${scope}-only`,
          versions: ['v1', 'v2'],
          scope,
          summary: `A route that needs the ${scope} scope`,
          tag: 'Test',
          body: Type.Object({}),
          response: Type.Object({ client_id: Type.String() }),
          handler: async ({ client }) => ({ client_id: client.clientId }),
        });
      }
    },
  });
});
afterAll(async () => t?.close());

async function token(c: { clientId: string; clientSecret: string }, scope?: string): Promise<string> {
  const res = await tokenRequest(
    t.app,
    { grant_type: 'client_credentials', ...(scope ? { scope } : {}) },
    { authorization: basic(c.clientId, c.clientSecret) },
  );
  expect(res.status).toBe(200);
  return res.body.access_token as string;
}

const expect401 = (res: { status: number; body: Record<string, unknown> }, message?: RegExp) => {
  expect(res.status).toBe(401);
  expect(res.body.code).toBe('unauthorized');
  expect(res.body.request_id).toBeDefined();
  if (message) expect(res.body.message).toMatch(message);
};

describe('live paths accept Ferry access tokens', () => {
  it('on /v1 and /v2, with the configured lifetime', async () => {
    const c = await liveClient(t);
    const res = await tokenRequest(
      t.app,
      { grant_type: 'client_credentials' },
      { authorization: basic(c.clientId, c.clientSecret) },
    );
    expect(res.body.expires_in).toBe(120);
    const jwt = res.body.access_token as string;
    for (const url of ['/v1/providers/list', '/v2/providers/list']) {
      const api = await callLive(t.app, jwt, { client_id: c.clientId }, url);
      expect(api.status).toBe(200);
      expect(api.body.api_client_app).toBeDefined();
    }
  });

  it('a private_key_jwt token too', async () => {
    const key = await clientKey('ES256');
    const c = await liveClient(t, { jwks: { keys: [key.publicJwk] } });
    const jwt = await assertion({
      clientId: c.clientId,
      key,
      aud: `${t.config.publicUrl}/oauth2/token`,
      nowSeconds: Math.floor(clock.now().getTime() / 1000),
    });
    const res = await tokenRequest(t.app, {
      grant_type: 'client_credentials',
      client_id: c.clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: jwt,
    });
    expect((await callLive(t.app, res.body.access_token as string, { client_id: c.clientId })).status).toBe(
      200,
    );
  });
});

describe('live paths refuse', () => {
  it('a request without a token', async () => {
    const c = await liveClient(t);
    expect401(await callLive(t.app, undefined, { client_id: c.clientId }), /Bearer/);
  });

  it.each(['Token abc', 'Bearer', 'Bearer ', 'Bearer a b', 'Basic Zm9vOmJhcg==', 'bearer\tabc'])(
    'a malformed Authorization header: %j',
    async (value) => {
      const res = await callLive(t.app, undefined, { client_id: 'live_x' }, '/v2/providers/list', {
        authorization: value,
      });
      expect401(res, /Bearer/);
    },
  );

  it('a token that is not a JWT', async () => {
    expect401(await callLive(t.app, 'abc.def', { client_id: 'live_x' }), /invalid or expired/);
  });

  it('an expired token', async () => {
    const c = await liveClient(t);
    const jwt = await token(c);
    const exp = decodeJwt(jwt).exp! * 1000;
    try {
      clock.set(new Date(exp));
      expect((await callLive(t.app, jwt, { client_id: c.clientId })).status).toBe(200);
      clock.set(new Date(exp + 6_000));
      expect401(await callLive(t.app, jwt, { client_id: c.clientId }), /invalid or expired/);
    } finally {
      clock.set(new Date());
    }
  });

  it('a token signed by a foreign key, with or without Ferry’s kid', async () => {
    const c = await liveClient(t);
    const real = await token(c);
    const { privateKey } = await generateKeyPair('ES256');
    const { kid } = decodeProtectedHeader(real);
    for (const header of [
      { alg: 'ES256', typ: 'at+jwt', kid },
      { alg: 'ES256', typ: 'at+jwt' },
    ]) {
      const forged = await new SignJWT(decodeJwt(real)).setProtectedHeader(header).sign(privateKey);
      expect401(await callLive(t.app, forged, { client_id: c.clientId }), /invalid or expired/);
    }
  });

  it('a tampered token (scope widened, client swapped, alg none)', async () => {
    const pay = await liveClient(t, { scopes: ['pay'] });
    const other = await liveClient(t);
    const real = await token(pay);
    const [h, p, s] = real.split('.');
    const claims = decodeJwt(real);
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const widened = `${h}.${enc({ ...claims, scope: 'pay_by_link ais' })}.${s}`;
    expect401(await callLive(t.app, widened, { client_id: pay.clientId }, '/v2/oauth-test/ais-only'));
    const swapped = `${h}.${enc({ ...claims, sub: other.clientId, client_id: other.clientId })}.${s}`;
    expect401(await callLive(t.app, swapped, { client_id: other.clientId }));
    const none = `${enc({ alg: 'none', typ: 'at+jwt' })}.${p}.`;
    expect401(await callLive(t.app, none, { client_id: pay.clientId }));
  });

  it("a client's own client assertion used as a bearer token", async () => {
    const key = await clientKey('ES256');
    const c = await liveClient(t, { jwks: { keys: [key.publicJwk] } });
    const jwt = await assertion({ clientId: c.clientId, key, aud: t.config.publicUrl });
    expect401(await callLive(t.app, jwt, { client_id: c.clientId }), /invalid or expired/);
  });

  it('a body client_id other than the token’s client', async () => {
    const a = await liveClient(t);
    const b = await liveClient(t);
    expect401(await callLive(t.app, await token(a), { client_id: b.clientId }), /does not match/);
  });

  it("a test client's token on a live path", async () => {
    const c = await t.client();
    expect401(await callLive(t.app, await token(c), { client_id: c.clientId }), /Test clients/);
  });

  it('a live client on /test, even with its secret in the body', async () => {
    const c = await liveClient(t);
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/providers/list',
      payload: { client_id: c.clientId, client_secret: c.clientSecret },
    });
    expect401({ status: res.statusCode, body: res.json() }, /Live clients/);
    const bearer = await t.app.inject({
      method: 'POST',
      url: '/test/providers/list',
      headers: { authorization: `Bearer ${await token(c)}` },
      payload: { client_id: c.clientId },
    });
    expect(bearer.statusCode).toBe(401);
  });

  it("a token without the route's scope", async () => {
    const c = await liveClient(t);
    const payToken = await token(c, 'pay_by_link');
    expect401(await callLive(t.app, payToken, { client_id: c.clientId }, '/v2/oauth-test/ais-only'), /ais/);
    expect(
      (await callLive(t.app, payToken, { client_id: c.clientId }, '/v2/oauth-test/pay-only')).status,
    ).toBe(200);
    const aisToken = await token(c, 'ais');
    expect(
      (await callLive(t.app, aisToken, { client_id: c.clientId }, '/v1/oauth-test/ais-only')).status,
    ).toBe(200);
    expect401(
      await callLive(t.app, aisToken, { client_id: c.clientId }, '/v1/oauth-test/pay-only'),
      /pay_by_link/,
    );
    // A route open to either scope takes either token.
    expect((await callLive(t.app, aisToken, { client_id: c.clientId })).status).toBe(200);
  });

  it('a token of a client that was disabled or lost the scope after it was issued', async () => {
    const c = await liveClient(t);
    const jwt = await token(c);
    const aisOnly = () => callLive(t.app, jwt, { client_id: c.clientId }, '/v2/oauth-test/ais-only');
    expect((await aisOnly()).status).toBe(200);
    await t.store.db
      .updateTable('api_clients')
      .set({ scopes: ['pay'] })
      .where('client_id', '=', c.clientId)
      .execute();
    // Another process's change is seen once this process's short client-row cache (CLIENT_CACHE_MS) lapses.
    expect((await aisOnly()).status).toBe(200);
    clock.set(new Date(clock.now().getTime() + 5001));
    expect401(await aisOnly());
    await t.store.db
      .updateTable('api_clients')
      .set({ disabled: true })
      .where('client_id', '=', c.clientId)
      .execute();
    clock.set(new Date(clock.now().getTime() + 5001));
    expect401(await callLive(t.app, jwt, { client_id: c.clientId }), /disabled/);
    clock.set(new Date());
  });
});
