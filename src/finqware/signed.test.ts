import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';

// Signed with Node's crypto only: what a tenant's server does, with no helper of Ferry's.
const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');
function jwt(key: KeyObject, claims: Record<string, unknown>, alg = 'RS256'): string {
  const head = `${b64url(JSON.stringify({ alg, typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
  const signature =
    alg === 'ES256'
      ? sign('sha256', Buffer.from(head), { key, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', Buffer.from(head), key);
  return `${head}.${b64url(signature)}`;
}
const digest = (body: string) => createHash('sha256').update(body).digest('base64');

const IDENTITY = 'payments@shop.test';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
let t: TestApp;
let tenant: { client_id: string; client_app_key: string };
let unsigned: { client_id: string; client_app_key: string };

beforeAll(async () => {
  t = await createTestApp();
  const jwk = (k: KeyObject, alg: string) => ({ ...k.export({ format: 'jwk' }), alg, use: 'sig', kid: alg });
  const made = await t.services.clients.create({ name: 'Signed shop' });
  await t.services.clients.update(made.client.clientId, {
    v1sIdentity: IDENTITY,
    v1sJwks: { keys: [jwk(rsa.publicKey, 'RS256'), jwk(ec.publicKey, 'ES256')] },
  });
  tenant = { client_id: made.client.clientId, client_app_key: made.client.clientAppKey };
  const other = await t.services.clients.create({ name: 'Unsigned shop' });
  unsigned = { client_id: other.client.clientId, client_app_key: other.client.clientAppKey };
});
afterAll(async () => {
  await t?.close();
});

const now = () => Math.floor(Date.now() / 1000);
const claims = (body: string, extra: Record<string, unknown> = {}) => ({
  iat: now(),
  exp: now() + 300,
  iss: IDENTITY,
  sub: IDENTITY,
  email: IDENTITY,
  aud: 'ferry.test',
  digest: digest(body),
  ...extra,
});
const call = (body: string, authorization?: string) =>
  t.app.inject({
    method: 'POST',
    url: '/finqware/v1s/catalogs/skills',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    payload: body,
  });

describe('/finqware/v1s: signed requests', () => {
  it('accepts an RS256 and an ES256 request signed over the compact body', async () => {
    const body = JSON.stringify(tenant);
    const rs = await call(body, `Bearer ${jwt(rsa.privateKey, claims(body))}`);
    expect(rs.statusCode, rs.body).toBe(200);
    expect((rs.json() as unknown[]).length).toBeGreaterThan(0);
    const es = await call(body, `Bearer ${jwt(ec.privateKey, claims(body), 'ES256')}`);
    expect(es.statusCode, es.body).toBe(200);
  });

  it('refuses unsigned, mis-signed and mis-addressed requests with 401 invalid_api_keys', async () => {
    const body = JSON.stringify(tenant);
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const cases: [string, string | undefined][] = [
      ['no token', undefined],
      ['not Bearer', `Basic ${b64url('a:b')}`],
      ['another key', `Bearer ${jwt(stranger.privateKey, claims(body))}`],
      ['digest of another body', `Bearer ${jwt(rsa.privateKey, claims('{}'))}`],
      ['wrong audience', `Bearer ${jwt(rsa.privateKey, claims(body, { aud: 'api.finqware.com' }))}`],
      ['wrong issuer', `Bearer ${jwt(rsa.privateKey, claims(body, { iss: 'x@y.test' }))}`],
      ['expired', `Bearer ${jwt(rsa.privateKey, claims(body, { iat: now() - 7200, exp: now() - 3600 }))}`],
      ['alg none', `Bearer ${b64url('{"alg":"none"}')}.${b64url(JSON.stringify(claims(body)))}.`],
    ];
    for (const [name, auth] of cases) {
      const res = await call(body, auth);
      expect(res.statusCode, name).toBe(401);
      expect(res.json(), name).toMatchObject({ type: 'unauthorized', http: 401, code: 'invalid_api_keys' });
    }
    // The body as sent is what is hashed: the same JSON with a space is another body.
    const spaced = JSON.stringify(tenant, null, 1);
    const res = await call(spaced, `Bearer ${jwt(rsa.privateKey, claims(body))}`);
    expect(res.json()).toMatchObject({ http: 401, code: 'invalid_api_keys' });
  });

  it('refuses a tenant with no registered identity, and leaves /v1 as it was', async () => {
    const body = JSON.stringify(unsigned);
    const res = await call(body, `Bearer ${jwt(rsa.privateKey, claims(body))}`);
    expect(res.json()).toMatchObject({ http: 401, code: 'invalid_api_keys' });
    const plain = await t.app.inject({
      method: 'POST',
      url: '/finqware/v1/catalogs/skills',
      headers: { 'content-type': 'application/json' },
      payload: body,
    });
    expect(plain.statusCode).toBe(200);
  });
});
