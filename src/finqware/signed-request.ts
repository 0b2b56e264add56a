import { createHash, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  type JWTVerifyOptions,
  jwtVerify,
} from 'jose';

/**
 * The classic Finqware API's `/v1s` signed requests: `Authorization: Bearer <JWT>`, RS256 or ES256, signed by
 * one of the tenant's registered keys, with `iss` = `sub` = `email` = the tenant's identity, `aud` = Ferry's
 * audience, a lifetime of at most one hour and `digest` = Base64(SHA-256(the raw body bytes)).
 */

/** A registered public key, normalised: only its public members, with `alg`, `kid` and `use`. */
export type V1sJwk = {
  kty: 'RSA' | 'EC';
  alg: 'RS256' | 'ES256';
  kid: string;
  use: 'sig';
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
};

/** A tenant's `/v1s` keys as stored: a JWK Set (JSON-serialisable). */
export type V1sKeys = { keys: V1sJwk[] };

/** Keys that cannot be registered; the message says why and can be shown to the operator. */
export class V1sKeysError extends Error {
  override name = 'V1sKeysError';
}

/** The claims of an accepted request. */
export interface V1sClaims {
  iss: string;
  sub: string;
  email: string;
  aud: string;
  iat: number;
  exp: number;
  digest: string;
}

export type SignedRequestFailure =
  | 'missing_token'
  | 'malformed_token'
  | 'algorithm_not_allowed'
  | 'unknown_key'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'lifetime_too_long'
  | 'invalid_claim'
  | 'wrong_audience'
  | 'wrong_issuer'
  | 'missing_claim'
  | 'digest_mismatch';

export type SignedRequestResult =
  | { ok: true; claims: V1sClaims }
  | { ok: false; reason: SignedRequestFailure; message: string };

const ALGORITHMS = ['RS256', 'ES256'];
const MAX_KEYS = 10;
const MIN_RSA_BITS = 2048;
const CLOCK_TOLERANCE_S = 30;
const MAX_LIFETIME_S = 3600;
const MAX_TOKEN_LENGTH = 16_384;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
const REQUIRED_CLAIMS = ['iat', 'exp', 'iss', 'sub', 'email', 'aud', 'digest'];

/** Standard Base64 (with padding) of the SHA-256 of the body bytes; a string is taken as UTF-8. */
export function bodyDigest(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('base64');
}

/**
 * Reads a tenant's keys: a JWK Set (`{"keys":[...]}`, public RSA ≥ 2048 bits or EC P-256 keys) or PEM blocks
 * (X.509 certificates, of which only the public key is used, and SPKI public keys). A given `kid` is kept,
 * otherwise it is the RFC 7638 thumbprint. Throws V1sKeysError on anything else.
 */
export async function parseV1sKeys(text: string): Promise<V1sKeys> {
  const trimmed = text.trim();
  if (trimmed === '') throw new V1sKeysError('The keys are empty.');
  const found = trimmed.startsWith('{') ? fromJwks(trimmed) : fromPem(trimmed);
  if (found.length === 0) throw new V1sKeysError('No key was found.');
  if (found.length > MAX_KEYS) throw new V1sKeysError(`At most ${MAX_KEYS} keys can be registered.`);
  const keys: V1sJwk[] = [];
  for (const { key, kid } of found) {
    const jwk = normalise(key);
    jwk.kid = kid ?? (await calculateJwkThumbprint(jwk));
    if (keys.some((k) => k.kid === jwk.kid)) throw new V1sKeysError(`Two keys have the kid ${jwk.kid}.`);
    keys.push(jwk);
  }
  return { keys };
}

type Found = { key: KeyObject; kid: string | undefined };

function fromJwks(text: string): Found[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new V1sKeysError('The keys are not valid JSON.');
  }
  const list = isObject(doc) ? doc['keys'] : undefined;
  if (!Array.isArray(list)) throw new V1sKeysError('The JSON is not a JWK Set ({"keys":[...]}).');
  if (list.length > MAX_KEYS) throw new V1sKeysError(`At most ${MAX_KEYS} keys can be registered.`);
  return list.map((jwk: unknown) => {
    if (!isObject(jwk)) throw new V1sKeysError('Each key of the JWK Set must be an object.');
    if (PRIVATE_MEMBERS.some((m) => m in jwk)) throw new V1sKeysError('The keys must be public keys only.');
    if (jwk['kty'] !== 'RSA' && jwk['kty'] !== 'EC') {
      throw new V1sKeysError('The keys must be RSA or EC P-256 public keys.');
    }
    const { kid, alg, use, key_ops: ops } = jwk;
    if (kid !== undefined && (typeof kid !== 'string' || kid === '')) {
      throw new V1sKeysError('A kid must be a non-empty string.');
    }
    const expected = jwk['kty'] === 'RSA' ? 'RS256' : 'ES256';
    if (alg !== undefined && alg !== expected)
      throw new V1sKeysError(`A ${jwk['kty']} key's alg must be ${expected}.`);
    if (use !== undefined && use !== 'sig') throw new V1sKeysError('A key\'s use must be "sig".');
    if (ops !== undefined && !(Array.isArray(ops) && ops.includes('verify'))) {
      throw new V1sKeysError('A key\'s key_ops must include "verify".');
    }
    let key: KeyObject;
    try {
      key = createPublicKey({ key: jwk, format: 'jwk' });
    } catch {
      throw new V1sKeysError('A key of the JWK Set is not a valid public key.');
    }
    return { key, kid };
  });
}

function fromPem(text: string): Found[] {
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) {
    throw new V1sKeysError('The PEM holds a private key: register the public key or certificate only.');
  }
  const begins = text.split('-----BEGIN ').length - 1;
  if (begins === 0) throw new V1sKeysError('The keys are neither a JWK Set nor PEM.');
  const blocks = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)];
  if (blocks.length !== begins) throw new V1sKeysError('A PEM block is not closed.');
  return blocks.map(([pem, label]) => {
    try {
      if (label === 'CERTIFICATE') return { key: new X509Certificate(pem).publicKey, kid: undefined };
      if (label === 'PUBLIC KEY') return { key: createPublicKey(pem), kid: undefined };
    } catch {
      throw new V1sKeysError(`A ${label} block cannot be read.`);
    }
    throw new V1sKeysError(`PEM ${label} blocks are not supported: use CERTIFICATE or PUBLIC KEY.`);
  });
}

/** Only the public members, as Node exports them, after the type and size checks. */
function normalise(key: KeyObject): V1sJwk {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    if ((details.modulusLength ?? 0) < MIN_RSA_BITS) {
      throw new V1sKeysError(`RSA keys must have at least ${MIN_RSA_BITS} bits.`);
    }
    const { n, e } = key.export({ format: 'jwk' });
    return { kty: 'RSA', n, e, alg: 'RS256', use: 'sig', kid: '' };
  }
  if (key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1') {
    const { x, y } = key.export({ format: 'jwk' });
    return { kty: 'EC', crv: 'P-256', x, y, alg: 'ES256', use: 'sig', kid: '' };
  }
  throw new V1sKeysError('The keys must be RSA or EC P-256 public keys.');
}

/**
 * Verifies a `/v1s` request: the bearer JWT against the tenant's keys and identity, Ferry's audience, `now`
 * (30 s of clock tolerance) and the raw body bytes as received. Never throws for a bad token.
 */
export async function verifySignedRequest(input: {
  authorization: string | undefined;
  body: Buffer | string;
  identity: string;
  keys: V1sKeys;
  audience: string;
  now: Date;
}): Promise<SignedRequestResult> {
  const header = input.authorization?.trim();
  if (!header) return fail('missing_token', 'The Authorization header is missing.');
  const token = /^Bearer +(\S+)$/i.exec(header)?.[1];
  if (!token) return fail('malformed_token', 'The Authorization header must be "Bearer <JWT>".');
  if (token.length > MAX_TOKEN_LENGTH || !/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)) {
    return fail('malformed_token', 'The token is not a compact JWS.');
  }
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    return fail('malformed_token', 'The token header is not valid.');
  }
  if (typeof alg !== 'string') return fail('malformed_token', 'The token header has no alg.');
  if (!ALGORITHMS.includes(alg)) return fail('algorithm_not_allowed', `alg ${alg} is not allowed.`);

  let payload: JWTPayload;
  try {
    payload = await verifyJwt(token, input.keys, {
      algorithms: ALGORITHMS,
      currentDate: input.now,
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: REQUIRED_CLAIMS,
    });
  } catch (error) {
    return joseFailure(error);
  }
  return checkClaims(payload, input);
}

/** jose's verification; with several candidate keys (no kid), each is tried. */
async function verifyJwt(token: string, keys: V1sKeys, options: JWTVerifyOptions): Promise<JWTPayload> {
  try {
    return (await jwtVerify(token, createLocalJWKSet(keys), options)).payload;
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    for await (const key of error) {
      try {
        return (await jwtVerify(token, key, options)).payload;
      } catch (inner) {
        if (!(inner instanceof errors.JWSSignatureVerificationFailed)) throw inner;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

function joseFailure(error: unknown): SignedRequestResult {
  if (error instanceof errors.JWTExpired) return fail('expired', 'The token has expired.');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return fail('missing_claim', `The ${error.claim} claim is missing.`);
    if (error.claim === 'nbf') return fail('not_yet_valid', 'The token is not valid yet (nbf).');
    return fail('invalid_claim', `The ${error.claim} claim is not valid.`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return fail('algorithm_not_allowed', 'The alg is not allowed.');
  if (error instanceof errors.JWKSNoMatchingKey) {
    return fail('unknown_key', 'No registered key matches the token (kid and alg).');
  }
  const malformed = [errors.JWSInvalid, errors.JWTInvalid, errors.JOSENotSupported];
  if (malformed.some((kind) => error instanceof kind)) {
    return fail('malformed_token', 'The token is not a valid JWT.');
  }
  return fail('bad_signature', 'The token signature does not verify.');
}

function checkClaims(
  claims: JWTPayload,
  input: { body: Buffer | string; identity: string; audience: string; now: Date },
): SignedRequestResult {
  const { iat, exp, iss, sub, aud } = claims;
  const { email, digest } = claims;
  if (typeof iat !== 'number' || typeof exp !== 'number')
    return fail('invalid_claim', 'iat and exp must be numbers.');
  if (iat > Math.floor(input.now.getTime() / 1000) + CLOCK_TOLERANCE_S) {
    return fail('not_yet_valid', 'The token is issued in the future (iat).');
  }
  if (exp <= iat) return fail('invalid_claim', 'exp must be after iat.');
  if (exp - iat > MAX_LIFETIME_S) return fail('lifetime_too_long', 'exp must be at most 1 hour after iat.');
  if (aud !== input.audience) return fail('wrong_audience', 'The aud claim is not this server.');
  for (const [name, value] of [
    ['iss', iss],
    ['sub', sub],
    ['email', email],
  ] as const) {
    if (value !== input.identity)
      return fail('wrong_issuer', `The ${name} claim is not the tenant's identity.`);
  }
  if (typeof digest !== 'string') return fail('invalid_claim', 'The digest claim must be a string.');
  if (digest !== bodyDigest(input.body)) {
    return fail('digest_mismatch', 'The digest claim is not the Base64 SHA-256 of the body.');
  }
  return {
    ok: true,
    claims: {
      iss: input.identity,
      sub: input.identity,
      email: input.identity,
      aud: input.audience,
      iat,
      exp,
      digest,
    },
  };
}

function fail(reason: SignedRequestFailure, message: string): SignedRequestResult {
  return { ok: false, reason, message };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
