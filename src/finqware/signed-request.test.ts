import {
  constants,
  createHash,
  createHmac,
  generateKeyPairSync,
  type KeyObject,
  KeyObject as NodeKeyObject,
  sign,
  webcrypto,
} from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import {
  bodyDigest,
  parseV1sKeys,
  type SignedRequestFailure,
  type V1sKeys,
  V1sKeysError,
  verifySignedRequest,
} from './signed-request.js';

// Tokens are made by hand with node:crypto only: base64url(header).base64url(payload).base64url(signature).
const NOW = new Date('2026-03-01T12:00:00.000Z');
const T = Math.floor(NOW.getTime() / 1000);
const IDENTITY = 'shop@example.com';
const AUDIENCE = 'ferry.example';
const BODY = JSON.stringify({ amount: '10.00', currency: 'RON', reference: 'order-1' });

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });

const b64u = (v: Buffer | string) => Buffer.from(v).toString('base64url');
const sha256 = (body: string) => createHash('sha256').update(body).digest('base64');
const jwkOf = (k: KeyObject) => k.export({ format: 'jwk' });

type Signer = 'RS256' | 'ES256' | 'ES256-DER' | 'PS256' | 'RS512' | 'HS256' | 'none';

function jws(header: Record<string, unknown>, payload: unknown, signer: Signer, key?: KeyObject | Buffer) {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  const data = Buffer.from(input);
  let signature = Buffer.alloc(0);
  if (signer === 'RS256') signature = sign('sha256', data, key as KeyObject);
  if (signer === 'RS512') signature = sign('sha512', data, key as KeyObject);
  if (signer === 'ES256')
    signature = sign('sha256', data, { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
  if (signer === 'ES256-DER') signature = sign('sha256', data, { key: key as KeyObject, dsaEncoding: 'der' });
  if (signer === 'PS256') {
    signature = sign('sha256', data, {
      key: key as KeyObject,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    });
  }
  if (signer === 'HS256')
    signature = createHmac('sha256', key as Buffer)
      .update(data)
      .digest();
  return `${input}.${b64u(signature)}`;
}

const claims = (body = BODY, over: Record<string, unknown> = {}) => ({
  iss: IDENTITY,
  sub: IDENTITY,
  email: IDENTITY,
  aud: AUDIENCE,
  iat: T,
  exp: T + 300,
  digest: sha256(body),
  ...over,
});

const rsaToken = (payload: unknown = claims(), kid = 'rsa-1') =>
  jws({ alg: 'RS256', typ: 'JWT', kid }, payload, 'RS256', rsa.privateKey);
const ecToken = (payload: unknown = claims()) =>
  jws({ alg: 'ES256', typ: 'JWT' }, payload, 'ES256', ec.privateKey);

const registered: Promise<V1sKeys> = parseV1sKeys(
  JSON.stringify({ keys: [{ ...jwkOf(rsa.publicKey), kid: 'rsa-1' }, jwkOf(ec.publicKey)] }),
);

async function verify(authorization: string | undefined, body: Buffer | string = BODY, keys?: V1sKeys) {
  return verifySignedRequest({
    authorization,
    body,
    identity: IDENTITY,
    keys: keys ?? (await registered),
    audience: AUDIENCE,
    now: NOW,
  });
}

async function refused(authorization: string | undefined, reason: SignedRequestFailure, body?: string) {
  const result = await verify(authorization, body);
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.reason).toBe(reason);
}

describe('verifySignedRequest accepts', () => {
  it('an RS256 request with the raw body bytes', async () => {
    const result = await verify(`Bearer ${rsaToken()}`, Buffer.from(BODY));
    expect(result).toEqual({ ok: true, claims: claims() });
  });

  it('an ES256 request (no kid: the one EC key)', async () => {
    expect((await verify(`Bearer ${ecToken()}`)).ok).toBe(true);
  });

  it('the limits: 1 h lifetime, iat 20 s ahead, exp 29 s past (30 s tolerance)', async () => {
    expect((await verify(`Bearer ${rsaToken(claims(BODY, { exp: T + 3600 }))}`)).ok).toBe(true);
    expect((await verify(`Bearer ${rsaToken(claims(BODY, { iat: T + 20, exp: T + 620 }))}`)).ok).toBe(true);
    expect((await verify(`Bearer ${rsaToken(claims(BODY, { iat: T - 600, exp: T - 29 }))}`)).ok).toBe(true);
  });

  it('a token without kid when several RSA keys are registered', async () => {
    const keys = await parseV1sKeys(
      JSON.stringify({ keys: [jwkOf(stranger.publicKey), jwkOf(rsa.publicKey)] }),
    );
    const token = jws({ alg: 'RS256' }, claims(), 'RS256', rsa.privateKey);
    expect((await verify(`Bearer ${token}`, BODY, keys)).ok).toBe(true);
  });

  it('keys given as SPKI PEM blocks', async () => {
    const pem =
      rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString() +
      ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const keys = await parseV1sKeys(pem);
    expect(keys.keys.map((k) => k.alg)).toEqual(['RS256', 'ES256']);
    const kid = keys.keys[0]!.kid;
    expect((await verify(`Bearer ${rsaToken(claims(), kid)}`, BODY, keys)).ok).toBe(true);
    expect((await verify(`Bearer ${ecToken()}`, BODY, keys)).ok).toBe(true);
  });

  it('keys given as a self-signed X.509 certificate', async () => {
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
    const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    const pair = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01',
      name: 'CN=shop.example',
      notBefore: new Date(NOW.getTime() - 86_400_000),
      notAfter: new Date(NOW.getTime() + 86_400_000),
      signingAlgorithm: alg,
      keys: pair,
    });
    const keys = await parseV1sKeys(cert.toString('pem'));
    expect(keys.keys).toHaveLength(1);
    expect(keys.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    const token = jws({ alg: 'ES256' }, claims(), 'ES256', NodeKeyObject.from(pair.privateKey));
    expect((await verify(`Bearer ${token}`, BODY, keys)).ok).toBe(true);
  });
});

describe('verifySignedRequest refuses', () => {
  it('a missing or empty Authorization header', async () => {
    await refused(undefined, 'missing_token');
    await refused('', 'missing_token');
  });

  it('a header that is not Bearer', async () => {
    await refused(`Basic ${b64u('a:b')}`, 'malformed_token');
    await refused(rsaToken(), 'malformed_token');
  });

  it('a two-part token', async () => {
    await refused(`Bearer ${rsaToken().split('.').slice(0, 2).join('.')}`, 'malformed_token');
  });

  it('garbage', async () => {
    await refused('Bearer !!!not-a-jwt!!!', 'malformed_token');
    await refused('Bearer abc.def.ghi', 'malformed_token');
    await refused(`Bearer ${b64u('{"alg":"RS256"}')}.${b64u('not json')}.${b64u('sig')}`, 'bad_signature');
  });

  it('alg none (unsigned)', async () => {
    await refused(`Bearer ${jws({ alg: 'none' }, claims(), 'none')}`, 'algorithm_not_allowed');
  });

  it('HS256 keyed with the public key bytes', async () => {
    const secret = Buffer.from(rsa.publicKey.export({ type: 'spki', format: 'pem' }));
    await refused(
      `Bearer ${jws({ alg: 'HS256', kid: 'rsa-1' }, claims(), 'HS256', secret)}`,
      'algorithm_not_allowed',
    );
  });

  it('PS256 and RS512', async () => {
    await refused(
      `Bearer ${jws({ alg: 'PS256' }, claims(), 'PS256', rsa.privateKey)}`,
      'algorithm_not_allowed',
    );
    await refused(
      `Bearer ${jws({ alg: 'RS512' }, claims(), 'RS512', rsa.privateKey)}`,
      'algorithm_not_allowed',
    );
  });

  it('a key that is not registered (its kid, or no kid)', async () => {
    const payload = claims();
    await refused(
      `Bearer ${jws({ alg: 'RS256', kid: 'x' }, payload, 'RS256', stranger.privateKey)}`,
      'unknown_key',
    );
    await refused(`Bearer ${jws({ alg: 'RS256' }, payload, 'RS256', stranger.privateKey)}`, 'bad_signature');
  });

  it('a tampered payload', async () => {
    const [h, , s] = rsaToken().split('.');
    const forged = b64u(JSON.stringify(claims('{"amount":"9999.00"}')));
    await refused(`Bearer ${h}.${forged}.${s}`, 'bad_signature', '{"amount":"9999.00"}');
  });

  it('an ES256 signature in DER instead of IEEE P1363', async () => {
    await refused(`Bearer ${jws({ alg: 'ES256' }, claims(), 'ES256-DER', ec.privateKey)}`, 'bad_signature');
  });

  it('an expired token', async () => {
    await refused(`Bearer ${rsaToken(claims(BODY, { iat: T - 600, exp: T - 31 }))}`, 'expired');
  });

  it('iat in the future beyond the tolerance', async () => {
    await refused(`Bearer ${rsaToken(claims(BODY, { iat: T + 120, exp: T + 600 }))}`, 'not_yet_valid');
  });

  it('exp more than 1 hour after iat, or not after it', async () => {
    await refused(`Bearer ${rsaToken(claims(BODY, { exp: T + 3601 }))}`, 'lifetime_too_long');
    await refused(`Bearer ${rsaToken(claims(BODY, { iat: T, exp: T }))}`, 'invalid_claim');
    await refused(`Bearer ${rsaToken(claims(BODY, { iat: String(T) }))}`, 'invalid_claim');
  });

  it('a wrong audience (or an array of audiences)', async () => {
    await refused(`Bearer ${rsaToken(claims(BODY, { aud: 'other.example' }))}`, 'wrong_audience');
    await refused(`Bearer ${rsaToken(claims(BODY, { aud: [AUDIENCE] }))}`, 'wrong_audience');
  });

  it('a wrong iss', async () => {
    await refused(`Bearer ${rsaToken(claims(BODY, { iss: 'other@example.com' }))}`, 'wrong_issuer');
  });

  it('sub that is not the identity', async () => {
    await refused(`Bearer ${rsaToken(claims(BODY, { sub: 'other@example.com' }))}`, 'wrong_issuer');
  });

  it('email missing or different', async () => {
    await refused(`Bearer ${rsaToken(claims(BODY, { email: undefined }))}`, 'missing_claim');
    await refused(`Bearer ${rsaToken(claims(BODY, { email: 'Shop@example.com' }))}`, 'wrong_issuer');
  });

  it('the digest of a different body', async () => {
    await refused(`Bearer ${rsaToken(claims('{"amount":"1.00"}'))}`, 'digest_mismatch');
  });

  it('a missing digest', async () => {
    await refused(`Bearer ${rsaToken(claims(BODY, { digest: undefined }))}`, 'missing_claim');
  });

  it('the digest in base64url rather than standard Base64', async () => {
    let body = '';
    for (let i = 0; !/[+/]/.test(sha256(body)); i++) body = JSON.stringify({ amount: `${i}.00` });
    const url = sha256(body).replaceAll('+', '-').replaceAll('/', '_');
    expect((await verify(`Bearer ${rsaToken(claims(body))}`, body)).ok).toBe(true);
    await refused(`Bearer ${rsaToken(claims(body, { digest: url }))}`, 'digest_mismatch', body);
    await refused(
      `Bearer ${rsaToken(claims(body, { digest: url.replace(/=+$/, '') }))}`,
      'digest_mismatch',
      body,
    );
  });

  it('a body changed by one byte (whitespace added, or re-serialised)', async () => {
    await refused(`Bearer ${rsaToken()}`, 'digest_mismatch', `${BODY} `);
    await refused(`Bearer ${rsaToken()}`, 'digest_mismatch', JSON.stringify(JSON.parse(BODY), null, 2));
  });

  it('an unknown critical header, without throwing', async () => {
    const token = jws({ alg: 'RS256', kid: 'rsa-1', crit: ['x'], x: 1 }, claims(), 'RS256', rsa.privateKey);
    await refused(`Bearer ${token}`, 'malformed_token');
    for (const odd of ['Bearer ...', 'Bearer a..', `Bearer ${'a'.repeat(20_000)}.b.c`, 'Bearer  \t']) {
      expect((await verify(odd)).ok).toBe(false);
    }
  });
});

describe('bodyDigest', () => {
  it('is standard Base64 with padding of the SHA-256 of the bytes', () => {
    expect(bodyDigest('')).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
    expect(bodyDigest(Buffer.from(BODY))).toBe(sha256(BODY));
  });
});

describe('parseV1sKeys', () => {
  const refuses = async (text: string, message: RegExp) => {
    const error = await parseV1sKeys(text).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(V1sKeysError);
    expect((error as Error).message).toMatch(message);
  };

  it('keeps a given kid, assigns the RFC 7638 thumbprint otherwise, and keeps only public members', async () => {
    const { n, e } = jwkOf(rsa.publicKey);
    const thumbprint = createHash('sha256')
      .update(JSON.stringify({ e, kty: 'RSA', n }))
      .digest('base64url');
    const keys = await parseV1sKeys(
      JSON.stringify({
        keys: [
          { kty: 'RSA', n, e, x5c: ['x'], ext: true },
          { ...jwkOf(ec.publicKey), kid: 'k2' },
        ],
      }),
    );
    expect(keys.keys[0]).toEqual({ kty: 'RSA', n, e, alg: 'RS256', use: 'sig', kid: thumbprint });
    expect(keys.keys[1]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: 'k2' });
    expect(JSON.parse(JSON.stringify(keys))).toEqual(keys);
  });

  it('refuses private key material', async () => {
    const privateJwk = rsa.privateKey.export({ format: 'jwk' });
    await refuses(JSON.stringify({ keys: [privateJwk] }), /public keys only/);
    await refuses(JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }), /public keys only/);
    await refuses(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), /private key/);
  });

  it('refuses RSA 1024, P-384, Ed25519 and another alg', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    await refuses(JSON.stringify({ keys: [jwkOf(small)] }), /2048/);
    await refuses(small.export({ type: 'spki', format: 'pem' }).toString(), /2048/);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    await refuses(JSON.stringify({ keys: [jwkOf(p384)] }), /P-256/);
    await refuses(p384.export({ type: 'spki', format: 'pem' }).toString(), /P-256/);
    const ed = generateKeyPairSync('ed25519').publicKey;
    await refuses(JSON.stringify({ keys: [jwkOf(ed)] }), /RSA or EC/);
    await refuses(JSON.stringify({ keys: [{ ...jwkOf(rsa.publicKey), alg: 'PS256' }] }), /RS256/);
  });

  it('refuses garbage, empty input and more than 10 keys', async () => {
    await refuses('', /empty/);
    await refuses('  \n', /empty/);
    await refuses('hello', /neither/);
    await refuses('{nope', /JSON/);
    await refuses(JSON.stringify(jwkOf(rsa.publicKey)), /JWK Set/);
    await refuses(JSON.stringify({ keys: [] }), /No key/);
    await refuses('-----BEGIN CERTIFICATE-----\nZ2FyYmFnZQ==\n-----END CERTIFICATE-----', /cannot be read/);
    await refuses('-----BEGIN PUBLIC KEY-----\nMIIB', /not closed/);
    await refuses(
      JSON.stringify({ keys: Array.from({ length: 11 }, () => jwkOf(ec.publicKey)) }),
      /At most 10/,
    );
  });
});
