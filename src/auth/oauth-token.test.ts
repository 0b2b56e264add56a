import { randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOAuthTestApp } from '../../test/support/oauth-app.js';
import {
  type AssertionAlg,
  assertion,
  assertionType,
  basic,
  type ClientKey,
  callLive,
  clientKey,
  liveClient,
  type OAuthTestClient,
  tokenRequest,
  unsafeJwt,
} from '../../test/support/oauth-helpers.js';

let t: Awaited<ReturnType<typeof createOAuthTestApp>>;
let tokenEndpoint: string;
let issuer: string;
let secretClient: OAuthTestClient;
const jwtClients = {} as Record<AssertionAlg, OAuthTestClient & { key: ClientKey }>;

const nowS = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  t = await createOAuthTestApp();
  issuer = t.config.publicUrl;
  tokenEndpoint = `${issuer}/oauth2/token`;
  secretClient = await liveClient(t);
  for (const alg of ['RS256', 'PS256', 'ES256'] as const) {
    const key = await clientKey(alg);
    jwtClients[alg] = { ...(await liveClient(t, { jwks: { keys: [key.publicJwk] } })), key };
  }
});
afterAll(async () => t?.close());

const secretBasic = (c: OAuthTestClient, fields: Record<string, string> = {}) =>
  tokenRequest(
    t.app,
    { grant_type: 'client_credentials', ...fields },
    { authorization: basic(c.clientId, c.clientSecret) },
  );

const withAssertion = (
  clientId: string | undefined,
  jwt: string,
  fields: Record<string, string | undefined> = {},
) =>
  tokenRequest(t.app, {
    grant_type: 'client_credentials',
    client_id: clientId,
    client_assertion_type: assertionType,
    client_assertion: jwt,
    ...fields,
  });

describe('obtaining a token', () => {
  it('client_secret_basic: a Bearer JWT for the client, with every allowed scope by default', async () => {
    const res = await secretBasic(secretClient);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'pay_by_link ais' });
    const token = res.body.access_token as string;
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      iss: issuer,
      aud: issuer,
      sub: secretClient.clientId,
      client_id: secretClient.clientId,
      scope: 'pay_by_link ais',
    });
    expect(claims.exp! - claims.iat!).toBe(t.config.oauth.accessTokenTtlSeconds);
    expect(claims.cnf).toBeUndefined();
    const api = await callLive(t.app, token, { client_id: secretClient.clientId });
    expect(api.status).toBe(200);
    expect(api.body.providers).toBeDefined();
  });

  it('the token is signed with a key published at /oauth2/jwks', async () => {
    const res = await secretBasic(secretClient);
    const jwks = (await t.app.inject({ method: 'GET', url: '/oauth2/jwks' })).json() as {
      keys: { kid: string; d?: string }[];
    };
    const { kid } = decodeProtectedHeader(res.body.access_token as string);
    expect(jwks.keys.map((k) => k.kid)).toContain(kid);
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
  });

  it('only POST /oauth2/token and GET /oauth2/jwks reach the authorization server; the rest is a JSON 404 or 405', async () => {
    for (const [method, url, allow] of [
      ['GET', '/oauth2/token', 'POST'],
      ['HEAD', '/oauth2/jwks', 'GET'],
    ] as const) {
      const res = await t.app.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(405);
      expect(res.headers.allow, `${method} ${url}`).toBe(allow);
    }
    for (const [method, url] of [
      ['GET', '/oauth2/auth'],
      ['POST', '/oauth2/token/introspection'],
      ['GET', '/oauth2/.well-known/openid-configuration'],
    ] as const) {
      const res = await t.app.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().code, `${method} ${url}`).toBe('not_found');
    }
  });

  it('client_secret_post works for a client registered with client_secret_basic', async () => {
    const res = await tokenRequest(t.app, {
      grant_type: 'client_credentials',
      client_id: secretClient.clientId,
      client_secret: secretClient.clientSecret,
      scope: 'pay_by_link',
    });
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('pay_by_link');
    expect(
      (await callLive(t.app, res.body.access_token as string, { client_id: secretClient.clientId })).status,
    ).toBe(200);
  });

  it('a client registered with client_secret_post may also use basic', async () => {
    const c = await liveClient(t, { tokenEndpointAuthMethod: 'client_secret_post' });
    const post = await tokenRequest(t.app, {
      grant_type: 'client_credentials',
      client_id: c.clientId,
      client_secret: c.clientSecret,
    });
    expect(post.status).toBe(200);
    expect((await secretBasic(c)).status).toBe(200);
  });

  it('a rotated secret replaces the old one at once', async () => {
    const c = await liveClient(t);
    const fresh = await t.services.clients.rotateSecret(c.clientId);
    expect((await secretBasic(c)).body.error).toBe('invalid_client');
    expect((await secretBasic({ ...c, clientSecret: fresh })).status).toBe(200);
  });

  it.each(['RS256', 'PS256', 'ES256'] as const)('private_key_jwt with %s', async (alg) => {
    const c = jwtClients[alg];
    const res = await withAssertion(
      c.clientId,
      await assertion({ clientId: c.clientId, key: c.key, aud: tokenEndpoint }),
    );
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('pay_by_link ais');
    const api = await callLive(t.app, res.body.access_token as string, { client_id: c.clientId });
    expect(api.status).toBe(200);
  });

  it('private_key_jwt: aud may be the issuer, or a list holding the token endpoint; client_id may be omitted', async () => {
    const c = jwtClients.ES256;
    const toIssuer = await withAssertion(
      c.clientId,
      await assertion({ clientId: c.clientId, key: c.key, aud: issuer }),
    );
    expect(toIssuer.status).toBe(200);
    const list = await assertion({
      clientId: c.clientId,
      key: c.key,
      aud: ['https://other.example', tokenEndpoint],
    });
    expect((await withAssertion(c.clientId, list)).status).toBe(200);
    const noId = await withAssertion(
      undefined,
      await assertion({ clientId: c.clientId, key: c.key, aud: tokenEndpoint }),
    );
    expect(noId.status).toBe(200);
  });

  it('the seed example: exp exactly one hour after iat', async () => {
    const c = jwtClients.RS256;
    const now = nowS();
    const jwt = await assertion({
      clientId: c.clientId,
      key: c.key,
      aud: tokenEndpoint,
      claims: { iat: now, exp: now + 3600 },
    });
    expect((await withAssertion(c.clientId, jwt, { scope: 'pay_by_link' })).status).toBe(200);
  });

  it('a client gets only the scopes it is allowed', async () => {
    const ais = await liveClient(t, { scopes: ['ais'] });
    const res = await secretBasic(ais);
    expect(res.body.scope).toBe('ais');
    const pay = await liveClient(t, { scopes: ['pay'] });
    expect((await secretBasic(pay)).body.scope).toBe('pay_by_link');
    expect((await secretBasic(pay, { scope: 'pay_by_link' })).body.scope).toBe('pay_by_link');
  });

  it('a test-mode client may obtain a token (the API refuses it on live paths)', async () => {
    const c = await t.client();
    const res = await secretBasic(c);
    expect(res.status).toBe(200);
    const api = await callLive(t.app, res.body.access_token as string, { client_id: c.clientId });
    expect(api.status).toBe(401);
  });
});

describe('rejected token requests', () => {
  const ok = () => jwtClients.RS256;
  const sign = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key = ok().key) =>
    assertion({ clientId: ok().clientId, key, aud: tokenEndpoint, claims, header });
  /**
   * Asserts the RFC 6749 error and, when given, the reason: the error_description, or for invalid_client
   * (whose description is always "client authentication failed") the detail Ferry logs.
   */
  const expectError = (
    res: { status: number; body: Record<string, unknown> },
    error: string,
    reason?: RegExp,
    status = error === 'invalid_client' ? 401 : 400,
  ) => {
    expect(res.body.error).toBe(error);
    expect(res.status).toBe(status);
    if (error === 'invalid_client') expect(res.body.error_description).toBe('client authentication failed');
    if (reason) {
      const logged = [...t.logs].reverse().find((l) => l.msg === 'token request rejected');
      expect(`${res.body.error_description} | ${logged?.detail}`).toMatch(reason);
    }
  };

  it('alg none', async () => {
    const c = ok();
    const now = nowS();
    const jwt = unsafeJwt(
      { alg: 'none', kid: c.key.kid },
      { iss: c.clientId, sub: c.clientId, aud: tokenEndpoint, iat: now, exp: now + 60, jti: randomUUID() },
    );
    expectError(await withAssertion(c.clientId, jwt), 'invalid_client', /alg mismatch/);
  });

  it.each(['HS256', 'HS512'])('alg %s keyed with the client secret', async (alg) => {
    const c = await liveClient(t, {
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: { keys: [(await clientKey('ES256')).publicJwk] },
    });
    const now = nowS();
    const claims = {
      iss: c.clientId,
      sub: c.clientId,
      aud: tokenEndpoint,
      iat: now,
      exp: now + 60,
      jti: randomUUID(),
    };
    expectError(
      await withAssertion(c.clientId, unsafeJwt({ alg }, claims, c.clientSecret)),
      'invalid_client',
      /alg mismatch/,
    );
    // The same against a secret client: client_secret_jwt is off, and the stored hash is never an HMAC key.
    const s = await liveClient(t);
    const sClaims = { ...claims, iss: s.clientId, sub: s.clientId, jti: randomUUID() };
    expectError(
      await withAssertion(s.clientId, unsafeJwt({ alg }, sClaims, s.clientSecret)),
      'invalid_client',
      /does not match the registered/,
    );
  });

  it('alg RS512 (not on the allow-list) with a registered key', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS512', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'rs512' };
    const c = await liveClient(t, { jwks: { keys: [jwk] } });
    const now = nowS();
    const jwt = await new SignJWT({
      iss: c.clientId,
      sub: c.clientId,
      aud: tokenEndpoint,
      iat: now,
      exp: now + 60,
      jti: randomUUID(),
    })
      .setProtectedHeader({ alg: 'RS512', kid: 'rs512' })
      .sign(privateKey);
    expectError(await withAssertion(c.clientId, jwt), 'invalid_client', /alg mismatch/);
  });

  it('alg EdDSA (not on the allow-list) with a registered key', async () => {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'ed' };
    const c = await liveClient(t, { jwks: { keys: [jwk] } });
    const now = nowS();
    const jwt = await new SignJWT({
      iss: c.clientId,
      sub: c.clientId,
      aud: tokenEndpoint,
      iat: now,
      exp: now + 60,
      jti: randomUUID(),
    })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'ed' })
      .sign(privateKey);
    expectError(await withAssertion(c.clientId, jwt), 'invalid_client', /alg mismatch/);
  });

  it('wrong aud', async () => {
    const c = ok();
    const jwt = await assertion({
      clientId: c.clientId,
      key: c.key,
      aud: 'https://evil.example/oauth2/token',
    });
    expectError(await withAssertion(c.clientId, jwt), 'invalid_client', /audience \(aud\) must equal/);
  });

  it("aud of the API rather than Ferry's authorization server", async () => {
    const c = ok();
    const jwt = await assertion({ clientId: c.clientId, key: c.key, aud: `${issuer}/v2/providers/list` });
    expectError(await withAssertion(c.clientId, jwt), 'invalid_client', /audience \(aud\) must equal/);
  });

  it('aud missing', async () => {
    const c = ok();
    expectError(
      await withAssertion(c.clientId, await assertion({ clientId: c.clientId, key: c.key, aud: undefined })),
      'invalid_client',
      /aud \(JWT audience\) must be provided/,
    );
  });

  it('expired', async () => {
    const now = nowS();
    expectError(
      await withAssertion(ok().clientId, await sign({ iat: now - 600, exp: now - 120 })),
      'invalid_client',
      /jwt expired/,
    );
  });

  it('missing exp', async () => {
    expectError(
      await withAssertion(ok().clientId, await sign({ exp: undefined })),
      'invalid_client',
      /expiration must be specified/,
    );
  });

  it('exp more than one hour ahead', async () => {
    expectError(
      await withAssertion(ok().clientId, await sign({ exp: nowS() + 3600 + 300 })),
      'invalid_client',
      /at most 3600 seconds ahead/,
    );
  });

  it('exp a year ahead', async () => {
    expectError(
      await withAssertion(ok().clientId, await sign({ exp: nowS() + 365 * 86400 })),
      'invalid_client',
      /at most 3600 seconds ahead/,
    );
  });

  it('iat far in the future', async () => {
    const now = nowS();
    expectError(
      await withAssertion(ok().clientId, await sign({ iat: now + 86400, exp: now + 3000 })),
      'invalid_client',
      /iat .* must not be in the future/,
    );
  });

  it('iat missing (Ferry requires it)', async () => {
    expectError(
      await withAssertion(ok().clientId, await sign({ iat: undefined })),
      'invalid_client',
      /iat \(issued at\) must be a NumericDate/,
    );
  });

  it('nbf in the future', async () => {
    expectError(
      await withAssertion(ok().clientId, await sign({ nbf: nowS() + 600 })),
      'invalid_client',
      /not active yet/,
    );
  });

  it('reused jti, sequentially', async () => {
    const jwt = await sign();
    expect((await withAssertion(ok().clientId, jwt)).status).toBe(200);
    expectError(await withAssertion(ok().clientId, jwt), 'invalid_client', /only be used once/);
    // A different assertion with the same jti is a replay too.
    const again = await sign({ jti: decodeJwt(jwt).jti });
    expectError(await withAssertion(ok().clientId, again), 'invalid_client', /only be used once/);
  });

  it('reused jti, 10 concurrent requests: exactly one succeeds', async () => {
    const jwt = await sign();
    const results = await Promise.all(Array.from({ length: 10 }, () => withAssertion(ok().clientId, jwt)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) expectError(r, 'invalid_client');
    const replays = t.logs.filter(
      (l) => l.msg === 'token request rejected' && /only be used once/.test(String(l.detail)),
    );
    expect(replays.length).toBeGreaterThanOrEqual(9);
  });

  it('the same jti from two different clients is not a replay', async () => {
    const jti = randomUUID();
    const a = jwtClients.ES256;
    const b = jwtClients.PS256;
    expect(
      (
        await withAssertion(
          a.clientId,
          await assertion({ clientId: a.clientId, key: a.key, aud: tokenEndpoint, claims: { jti } }),
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await withAssertion(
          b.clientId,
          await assertion({ clientId: b.clientId, key: b.key, aud: tokenEndpoint, claims: { jti } }),
        )
      ).status,
    ).toBe(200);
  });

  it('missing jti', async () => {
    expectError(
      await withAssertion(ok().clientId, await sign({ jti: undefined })),
      'invalid_client',
      /jti \(JWT ID\) must be provided/,
    );
  });

  it('unknown kid', async () => {
    expectError(
      await withAssertion(ok().clientId, await sign({}, { kid: 'no-such-key' })),
      'invalid_client',
      /no applicable key/,
    );
  });

  it('wrong signature', async () => {
    const jwt = await sign();
    const [h, p, s] = jwt.split('.');
    const flipped = `${s!.slice(0, 10)}${s![10] === 'A' ? 'B' : 'A'}${s!.slice(11)}`;
    expectError(
      await withAssertion(ok().clientId, `${h}.${p}.${flipped}`),
      'invalid_client',
      /signature verification failed/,
    );
  });

  it('payload changed after signing', async () => {
    const jwt = await sign();
    const [h, , s] = jwt.split('.');
    const claims = { ...decodeJwt(jwt), exp: nowS() + 600 };
    const p = Buffer.from(JSON.stringify(claims)).toString('base64url');
    expectError(
      await withAssertion(ok().clientId, `${h}.${p}.${s}`),
      'invalid_client',
      /signature verification failed/,
    );
  });

  it("signed with another client's key", async () => {
    const other = await clientKey('RS256');
    await liveClient(t, { jwks: { keys: [other.publicJwk] } });
    // The kid of the client's own key, so only the signature check can tell.
    const forged = { ...other, kid: ok().key.kid };
    expectError(
      await withAssertion(ok().clientId, await sign({}, {}, forged)),
      'invalid_client',
      /signature verification failed/,
    );
  });

  it("another client's assertion presented with this client_id", async () => {
    const other = jwtClients.PS256;
    const jwt = await assertion({ clientId: other.clientId, key: other.key, aud: tokenEndpoint });
    expectError(await withAssertion(ok().clientId, jwt), 'invalid_request', /client_id mismatch/);
  });

  it('iss differs from sub', async () => {
    expectError(
      await withAssertion(ok().clientId, await sign({ iss: jwtClients.ES256.clientId })),
      'invalid_client',
      /iss \(JWT issuer\) must be the client_id/,
    );
  });

  it('iss and sub both differ from client_id', async () => {
    const other = jwtClients.ES256.clientId;
    const jwt = await sign({ iss: other, sub: other });
    expectError(await withAssertion(ok().clientId, jwt), 'invalid_request', /client_id mismatch/);
  });

  it('iss missing', async () => {
    expectError(
      await withAssertion(ok().clientId, await sign({ iss: undefined })),
      'invalid_client',
      /iss \(JWT issuer\) must be provided/,
    );
  });

  it('sub missing', async () => {
    expectError(
      await withAssertion(ok().clientId, await sign({ sub: undefined })),
      'invalid_client',
      /sub \(JWT subject\) must be provided/,
    );
  });

  it('malformed JWT', async () => {
    expectError(await withAssertion(ok().clientId, 'not-a-jwt'), 'invalid_request', /client_assertion/);
    expectError(await withAssertion(ok().clientId, 'a.b.c'), 'invalid_request', /client_assertion/);
  });

  it('wrong client_assertion_type', async () => {
    const jwt = await sign();
    const res = await withAssertion(ok().clientId, jwt, {
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer',
    });
    expectError(res, 'invalid_request', /client_assertion_type/);
  });

  it('client_assertion_type missing', async () => {
    const res = await withAssertion(ok().clientId, await sign(), { client_assertion_type: undefined });
    expectError(res, 'invalid_request', /client_assertion_type/);
  });

  it('assertion and client_secret together', async () => {
    const res = await withAssertion(ok().clientId, await sign(), { client_secret: 'whatever' });
    expectError(res, 'invalid_request', /only be provided using one mechanism/);
  });

  it('assertion and a Basic header together', async () => {
    const c = ok();
    const res = await tokenRequest(
      t.app,
      {
        grant_type: 'client_credentials',
        client_assertion_type: assertionType,
        client_assertion: await sign(),
      },
      { authorization: basic(c.clientId, 'x') },
    );
    expectError(res, 'invalid_request', /only be provided using one mechanism/);
  });

  it('a private_key_jwt client may not use a secret', async () => {
    expectError(await secretBasic(ok()), 'invalid_client', /does not match the registered/);
  });

  it('a secret client may not use an assertion', async () => {
    const key = await clientKey('ES256');
    const jwt = await assertion({ clientId: secretClient.clientId, key, aud: tokenEndpoint });
    expectError(
      await withAssertion(secretClient.clientId, jwt),
      'invalid_client',
      /does not match the registered/,
    );
  });

  it('unknown client (secret)', async () => {
    expectError(
      await secretBasic({ clientId: 'live_nobody', clientSecret: 'x' }),
      'invalid_client',
      /client not found/,
    );
  });

  it('unknown client (assertion)', async () => {
    const key = await clientKey('ES256');
    const jwt = await assertion({ clientId: 'live_nobody', key, aud: tokenEndpoint });
    expectError(await withAssertion('live_nobody', jwt), 'invalid_client', /client not found/);
  });

  it('wrong secret', async () => {
    expectError(
      await secretBasic({ ...secretClient, clientSecret: `${secretClient.clientSecret}x` }),
      'invalid_client',
      /invalid secret/,
    );
    const header = await secretBasic({ ...secretClient, clientSecret: 'wrong' });
    expect(String(header.headers['www-authenticate'])).toMatch(/^Basic .*error="invalid_client"/);
  });

  it('the stored hash is not accepted as the secret', async () => {
    const row = await t.store.db
      .selectFrom('api_clients')
      .select('secret_hash')
      .where('client_id', '=', secretClient.clientId)
      .executeTakeFirstOrThrow();
    expectError(
      await secretBasic({ ...secretClient, clientSecret: row.secret_hash }),
      'invalid_client',
      /invalid secret/,
    );
  });

  it('disabled client', async () => {
    const c = await liveClient(t);
    const key = await clientKey('ES256');
    const j = await liveClient(t, { jwks: { keys: [key.publicJwk] } });
    expect((await secretBasic(c)).status).toBe(200);
    await t.store.db
      .updateTable('api_clients')
      .set({ disabled: true })
      .where('client_id', 'in', [c.clientId, j.clientId])
      .execute();
    expectError(await secretBasic(c), 'invalid_client', /client not found/);
    expectError(
      await withAssertion(j.clientId, await assertion({ clientId: j.clientId, key, aud: tokenEndpoint })),
      'invalid_client',
      /client not found/,
    );
  });

  it('scope the client is not allowed', async () => {
    const ais = await liveClient(t, { scopes: ['ais'] });
    expectError(await secretBasic(ais, { scope: 'pay_by_link' }), 'invalid_scope', /not allowed/);
    expectError(await secretBasic(ais, { scope: 'ais pay_by_link' }), 'invalid_scope', /not allowed/);
  });

  it('unknown scope', async () => {
    expectError(await secretBasic(secretClient, { scope: 'payments' }), 'invalid_scope', /not supported/);
    expectError(await secretBasic(secretClient, { scope: 'ais admin' }), 'invalid_scope', /not supported/);
  });

  it('openid scope (no OpenID Connect here)', async () => {
    expectError(await secretBasic(secretClient, { scope: 'openid' }), 'invalid_scope', /not supported/);
  });

  it('scope with invalid characters', async () => {
    expectError(
      await secretBasic(secretClient, { scope: 'ais\u0001' }),
      'invalid_scope',
      /invalid characters/,
    );
  });

  it('unsupported grant type', async () => {
    expectError(await secretBasic(secretClient, { grant_type: 'password' }), 'unsupported_grant_type');
    expectError(await secretBasic(secretClient, { grant_type: 'refresh_token' }), 'unsupported_grant_type');
  });

  it('grant types of interactive flows are not served', async () => {
    const res = await secretBasic(secretClient, { grant_type: 'authorization_code', code: 'x' });
    expectError(res, 'unsupported_grant_type');
    expectError(
      await secretBasic(secretClient, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code' }),
      'unsupported_grant_type',
    );
  });

  it('grant_type missing', async () => {
    const res = await tokenRequest(
      t.app,
      { scope: 'ais' },
      { authorization: basic(secretClient.clientId, secretClient.clientSecret) },
    );
    expectError(res, 'invalid_request', /grant_type/);
  });

  it('grant_type given twice', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(secretClient.clientId, secretClient.clientSecret),
      },
      payload: 'grant_type=client_credentials&grant_type=client_credentials',
    });
    expectError(
      { status: res.statusCode, body: res.json() },
      'invalid_request',
      /must not be provided twice/,
    );
  });

  it('JSON body instead of a form', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { authorization: basic(secretClient.clientId, secretClient.clientSecret) },
      payload: { grant_type: 'client_credentials' },
    });
    expectError({ status: res.statusCode, body: res.json() }, 'invalid_request', /x-www-form-urlencoded/);
  });

  it('no client authentication at all', async () => {
    expectError(
      await tokenRequest(t.app, { grant_type: 'client_credentials' }),
      'invalid_request',
      /no client authentication/,
    );
  });

  it('a malformed Basic header', async () => {
    const res = await tokenRequest(
      t.app,
      { grant_type: 'client_credentials' },
      { authorization: 'Basic !!!' },
    );
    expectError(res, 'invalid_request', /authorization header value format/);
  });

  it('a resource other than the Link API', async () => {
    const res = await secretBasic(secretClient, { resource: 'https://elsewhere.example/api' });
    expectError(res, 'invalid_target', /resource indicator/);
  });

  it('only the token and JWKS endpoints are served under /oauth2', async () => {
    for (const url of [
      '/oauth2/auth',
      '/oauth2/reg',
      '/oauth2/token/introspection',
      '/oauth2/session/end',
      '/oauth2/me',
    ]) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
    }
    expect((await t.app.inject({ method: 'GET', url: '/oauth2/token' })).statusCode).toBe(405);
  });
});

describe('metadata and storage', () => {
  it('serves RFC 8414 metadata', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      issuer,
      token_endpoint: tokenEndpoint,
      jwks_uri: `${issuer}/oauth2/jwks`,
      grant_types_supported: ['client_credentials'],
      response_types_supported: [],
      scopes_supported: ['pay_by_link', 'ais'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256', 'PS256', 'ES256'],
    });
  });

  it('endpoint URLs come from PUBLIC_URL, not from the Host or forwarding headers', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/.well-known/oauth-authorization-server',
      headers: {
        host: 'attacker.example',
        'x-forwarded-host': 'attacker.example',
        'x-forwarded-proto': 'https',
      },
    });
    expect(res.json().token_endpoint).toBe(tokenEndpoint);
  });

  it('the database holds no plaintext client secret', async () => {
    const c = await liveClient(t);
    expect((await secretBasic(c)).status).toBe(200);
    const rows = await t.store.db.selectFrom('api_clients').selectAll().execute();
    expect(rows.length).toBeGreaterThan(5);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(c.clientSecret);
    expect(dump).not.toContain(secretClient.clientSecret);
    expect(rows.every((r) => r.secret_hash.startsWith('scrypt$'))).toBe(true);
    const artifacts = JSON.stringify(await t.store.db.selectFrom('oauth_artifacts').selectAll().execute());
    expect(artifacts).not.toContain(c.clientSecret);
  });
});
