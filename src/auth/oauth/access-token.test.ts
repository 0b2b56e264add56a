import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import { createAccessTokenVerifier } from './access-token.js';

const issuer = 'https://ferry.example';
const clock = new ManualClock('2026-03-01T12:00:00Z');
const now = () => Math.floor(clock.now().getTime() / 1000);
type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let ferryKey: Key;
let foreignKey: Key;
let verify: ReturnType<typeof createAccessTokenVerifier>;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  ferryKey = pair.privateKey;
  foreignKey = (await generateKeyPair('ES256')).privateKey;
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'ferry-1', alg: 'ES256', use: 'sig' };
  verify = createAccessTokenVerifier({
    issuer,
    audience: issuer,
    algorithms: ['ES256'],
    publicKeys: [publicJwk],
    clock,
  });
});

const claims = (): JWTPayload => ({
  iss: issuer,
  aud: issuer,
  sub: 'live_1',
  client_id: 'live_1',
  scope: 'pay_by_link ais',
  jti: 'j1',
  iat: now(),
  exp: now() + 600,
});

const token = (payload: JWTPayload = claims(), header: Record<string, unknown> = {}, key = ferryKey) =>
  new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'ferry-1', ...header })
    .sign(key);

describe('access token verification', () => {
  it('returns the client, scopes, binding and expiry', async () => {
    const bound = { ...claims(), cnf: { 'x5t#S256': 'thumb' } };
    expect(await verify(await token(bound))).toEqual({
      clientId: 'live_1',
      scopes: ['pay_by_link', 'ais'],
      certThumbprint: 'thumb',
      expiresAt: new Date((now() + 600) * 1000),
    });
    expect((await verify(await token({ ...claims(), scope: undefined }))).scopes).toEqual([]);
  });

  it('rejects a token once it has expired (with 5 s leeway)', async () => {
    const jwt = await token();
    clock.advance(604_000);
    await expect(verify(jwt)).resolves.toBeDefined();
    clock.advance(2_000);
    await expect(verify(jwt)).rejects.toThrow(/exp/);
    clock.advance(-606_000);
  });

  it.each<[string, () => Promise<string>]>([
    ['signed by a foreign key', () => token(claims(), {}, foreignKey)],
    ['signed by a foreign key without kid', () => token(claims(), { kid: undefined }, foreignKey)],
    ['of another issuer', () => token({ ...claims(), iss: 'https://other.example' })],
    ['for another audience', () => token({ ...claims(), aud: 'https://other.example' })],
    ['typed as a plain JWT (e.g. a client assertion)', () => token(claims(), { typ: 'JWT' })],
    ['without exp', () => token({ ...claims(), exp: undefined })],
    ['without client_id', () => token({ ...claims(), client_id: undefined })],
    ['whose sub is not its client_id', () => token({ ...claims(), sub: 'live_2' })],
    ['with a non-string scope', () => token({ ...claims(), scope: ['ais'] as never })],
    ['with a DPoP binding Ferry does not check', () => token({ ...claims(), cnf: { jkt: 'x' } })],
    ['not yet valid', () => token({ ...claims(), nbf: now() + 600 })],
  ])('rejects a token %s', async (_name, make) => {
    await expect(verify(await make())).rejects.toThrow();
  });

  it('rejects a tampered payload, alg none and garbage', async () => {
    const [h, , s] = (await token()).split('.');
    const p = Buffer.from(JSON.stringify({ ...claims(), client_id: 'live_2', sub: 'live_2' })).toString(
      'base64url',
    );
    await expect(verify(`${h}.${p}.${s}`)).rejects.toThrow();
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url');
    const body = Buffer.from(JSON.stringify(claims())).toString('base64url');
    await expect(verify(`${none}.${body}.`)).rejects.toThrow();
    await expect(verify('garbage')).rejects.toThrow();
  });
});
