import { createHmac, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type { CreateClientInput } from '../../src/auth/index.js';
import type { TestApp } from './test-app.js';

export const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export type AssertionAlg = 'RS256' | 'PS256' | 'ES256';

export interface ClientKey {
  kid: string;
  alg: AssertionAlg;
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  publicJwk: JWK;
}

let kidCounter = 0;

export async function clientKey(alg: AssertionAlg): Promise<ClientKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  kidCounter += 1;
  const kid = `k${kidCounter}-${alg.toLowerCase()}`;
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export const form = (fields: Record<string, string | undefined>): string =>
  new URLSearchParams(
    Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined),
  ).toString();

export const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** POST /oauth2/token with a form body; returns status and parsed JSON. */
export async function tokenRequest(
  app: FastifyInstance,
  fields: Record<string, string | undefined>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown> }> {
  const res = await app.inject({
    method: 'POST',
    url: '/oauth2/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: form(fields),
  });
  return { status: res.statusCode, body: res.json(), headers: res.headers };
}

export interface AssertionOptions {
  clientId: string;
  key: ClientKey;
  aud: string | string[] | undefined;
  /** Claims to set (or, with undefined, remove) after the defaults. */
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  nowSeconds?: number;
}

/** A client assertion with sensible defaults, any of which a test may override or remove. */
export async function assertion(opts: AssertionOptions): Promise<string> {
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: opts.clientId,
    sub: opts.clientId,
    aud: opts.aud,
    iat: now,
    exp: now + 300,
    jti: randomUUID(),
    ...opts.claims,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  const header = { alg: opts.key.alg, typ: 'JWT', kid: opts.key.kid, ...opts.header };
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(opts.key.privateKey);
}

/** An unsigned (alg none) or HMAC-signed JWT, which jose will not produce for these tests' purposes. */
export function unsafeJwt(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  hmacKey?: string,
): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${enc(header)}.${enc(claims)}`;
  if (!hmacKey) return `${input}.`;
  const hash = header.alg === 'HS512' ? 'sha512' : 'sha256';
  return `${input}.${createHmac(hash, hmacKey).update(input).digest('base64url')}`;
}

export interface OAuthTestClient {
  clientId: string;
  clientSecret: string;
}

export async function liveClient(
  t: TestApp,
  input: Partial<CreateClientInput> = {},
): Promise<OAuthTestClient> {
  const { clientId, clientSecret } = await t.client({ mode: 'live', ...input });
  return { clientId, clientSecret };
}

/** Calls a live RPC path with a bearer token. */
export async function callLive(
  app: FastifyInstance,
  token: string | undefined,
  body: Record<string, unknown> = {},
  url = '/v2/providers/list',
  headers: Record<string, string> = {},
) {
  const res = await app.inject({
    method: 'POST',
    url,
    headers: { ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}), ...headers },
    payload: body,
  });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
}
