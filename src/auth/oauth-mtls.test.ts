import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOAuthTestApp } from '../../test/support/oauth-app.js';
import { createTestPki, goodLeafExtensions, type Pem, type TestPki } from '../../test/support/oauth-certs.js';
import {
  assertion,
  assertionType,
  basic,
  clientKey,
  form,
  liveClient,
} from '../../test/support/oauth-helpers.js';
import { ManualClock } from '../shared/clock.js';
import { certThumbprint } from './mtls.js';

let pki: TestPki;
let t: Awaited<ReturnType<typeof createOAuthTestApp>>;
let port: number;
const clock = new ManualClock(new Date());
const certs = {} as Record<'shop' | 'other' | 'isCa' | 'serverOnly' | 'codeSigning' | 'selfSigned', Pem>;
const shopDn = 'CN=shop.example,O=Acme SRL,C=RO';

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** One request on a fresh TLS connection, presenting `cert` (or no certificate). */
function https(
  method: string,
  path: string,
  opts: { cert?: Pem; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: opts.headers,
        agent: false,
        // The test server's own certificate is not what is under test.
        rejectUnauthorized: false,
        ...(opts.cert ? { cert: opts.cert.cert, key: opts.cert.key } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} });
        });
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const tokenOver = (fields: Record<string, string>, cert?: Pem, headers: Record<string, string> = {}) =>
  https('POST', '/oauth2/token', {
    cert,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: form({ grant_type: 'client_credentials', ...fields }),
  });

const apiOver = (jwt: string, clientId: string, cert?: Pem) =>
  https('POST', '/v2/providers/list', {
    cert,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` },
    body: JSON.stringify({ client_id: clientId }),
  });

const thumbprintOf = (pem: Pem) => certThumbprint(new X509Certificate(pem.cert).raw);
const lastRejection = () => [...t.logs].reverse().find((l) => l.msg === 'token request rejected')?.detail;

beforeAll(async () => {
  pki = createTestPki();
  certs.shop = pki.issue('shop', {
    subject: '/C=RO/O=Acme SRL/CN=shop.example',
    extensions: goodLeafExtensions,
  });
  certs.other = pki.issue('other', {
    subject: '/C=RO/O=Other SRL/CN=other.example',
    extensions: goodLeafExtensions,
  });
  certs.isCa = pki.issue('is-ca', {
    subject: '/C=RO/O=Acme SRL/CN=shop.example',
    extensions: ['basicConstraints=critical,CA:TRUE', 'extendedKeyUsage=clientAuth'],
  });
  certs.serverOnly = pki.issue('server-only', {
    subject: '/C=RO/O=Acme SRL/CN=shop.example',
    extensions: ['basicConstraints=CA:FALSE', 'extendedKeyUsage=serverAuth'],
  });
  certs.codeSigning = pki.issue('code-signing', {
    subject: '/C=RO/O=Acme SRL/CN=shop.example',
    extensions: ['basicConstraints=CA:FALSE', 'extendedKeyUsage=clientAuth,codeSigning'],
  });
  certs.selfSigned = pki.issue('self-signed', {
    subject: '/C=RO/O=Acme SRL/CN=shop.example',
    extensions: goodLeafExtensions,
    selfSigned: true,
  });
  // Certificates are valid from the second they were issued; Ferry's clock must not lag behind that.
  clock.set(new Date());
  t = await createOAuthTestApp({
    clock,
    env: {
      PUBLIC_URL: 'https://ferry.test',
      TLS_CERT_FILE: pki.server.certFile,
      TLS_KEY_FILE: pki.server.keyFile,
      TLS_CLIENT_CA_FILE: pki.ca.certFile,
    },
    server: {
      https: {
        cert: pki.server.cert,
        key: pki.server.key,
        ca: pki.ca.cert,
        requestCert: true,
        rejectUnauthorized: false,
      },
    },
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await t?.close();
  pki?.close();
});

describe('tls_client_auth with certificate-bound tokens', () => {
  let client: { clientId: string };
  beforeAll(async () => {
    client = await liveClient(t, { tokenEndpointAuthMethod: 'tls_client_auth', tlsSubjectDn: shopDn });
  });

  it('the certificate authenticates the client and the token is bound to it', async () => {
    const res = await tokenOver({ client_id: client.clientId }, certs.shop);
    expect(res.status).toBe(200);
    const jwt = res.body.access_token as string;
    expect(decodeJwt(jwt).cnf).toEqual({ 'x5t#S256': thumbprintOf(certs.shop) });
    const api = await apiOver(jwt, client.clientId, certs.shop);
    expect(api.status).toBe(200);
    expect(api.body.providers).toBeDefined();
  });

  it('the bound token is refused without the certificate, with another one, and off TLS', async () => {
    const jwt = (await tokenOver({ client_id: client.clientId }, certs.shop)).body.access_token as string;
    for (const cert of [undefined, certs.other, certs.selfSigned]) {
      const api = await apiOver(jwt, client.clientId, cert);
      expect(api.status).toBe(401);
      expect(api.body.code).toBe('unauthorized');
      expect(api.body.message).toMatch(/bound to a client certificate/);
    }
    const injected = await t.app.inject({
      method: 'POST',
      url: '/v2/providers/list',
      headers: { authorization: `Bearer ${jwt}` },
      payload: { client_id: client.clientId },
    });
    expect(injected.statusCode).toBe(401);
  });

  it.each<[string, keyof typeof certs | undefined, RegExp]>([
    ['no certificate', undefined, /client certificate was not provided/],
    ['a certificate for another subject', 'other', /subject value does not match/],
    ['a CA certificate', 'isCa', /^client certificate breaks the leaf rules \(is_ca\)$/],
    // OpenSSL's own purpose check (sslclient) refuses it before Ferry's leaf rules would.
    ['a certificate without clientAuth', 'serverOnly', /not trusted \(INVALID_PURPOSE\)/],
    [
      'a certificate that also allows codeSigning',
      'codeSigning',
      /^client certificate breaks the leaf rules \(forbidden_usage\)$/,
    ],
    ['a self-signed certificate', 'selfSigned', /not trusted/],
  ])('refuses %s', async (_name, cert, reason) => {
    const res = await tokenOver({ client_id: client.clientId }, cert ? certs[cert] : undefined);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
    expect(lastRejection()).toMatch(reason);
  });

  it('refuses a certificate that has expired by Ferry’s clock', async () => {
    clock.set(new Date(new Date(new X509Certificate(certs.shop.cert).validTo).getTime() + 60_000));
    try {
      const res = await tokenOver({ client_id: client.clientId }, certs.shop);
      expect(res.body.error).toBe('invalid_client');
      expect(lastRejection()).toMatch(/leaf rules \(expired\)/);
    } finally {
      clock.set(new Date());
    }
  });

  it('a secret is no substitute for the certificate', async () => {
    const withSecret = await liveClient(t, {
      tokenEndpointAuthMethod: 'tls_client_auth',
      tlsSubjectDn: shopDn,
    });
    const res = await tokenOver({}, certs.shop, {
      authorization: basic(withSecret.clientId, withSecret.clientSecret),
    });
    expect(res.body.error).toBe('invalid_client');
    expect(lastRejection()).toMatch(/does not match the registered client authentication method/);
  });
});

describe('a secret or private_key_jwt client with a registered certificate binding', () => {
  it('gets a token bound to that certificate, usable only with it', async () => {
    const c = await liveClient(t, { tlsCertThumbprint: thumbprintOf(certs.shop) });
    const res = await tokenOver({}, certs.shop, { authorization: basic(c.clientId, c.clientSecret) });
    expect(res.status).toBe(200);
    const jwt = res.body.access_token as string;
    expect(decodeJwt(jwt).cnf).toEqual({ 'x5t#S256': thumbprintOf(certs.shop) });
    expect((await apiOver(jwt, c.clientId, certs.shop)).status).toBe(200);
    expect((await apiOver(jwt, c.clientId, certs.other)).status).toBe(401);
    expect((await apiOver(jwt, c.clientId)).status).toBe(401);
  });

  it('is refused a token without the certificate or with another one', async () => {
    const c = await liveClient(t, { tlsCertThumbprint: thumbprintOf(certs.shop) });
    const none = await tokenOver({}, undefined, { authorization: basic(c.clientId, c.clientSecret) });
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({
      error: 'invalid_grant',
      error_description: 'grant request is invalid',
    });
    const other = await tokenOver({}, certs.other, { authorization: basic(c.clientId, c.clientSecret) });
    expect(other.body.error).toBe('invalid_client');
    expect(lastRejection()).toMatch(/not the one registered/);
  });

  it('private_key_jwt works the same way', async () => {
    const key = await clientKey('PS256');
    const c = await liveClient(t, {
      jwks: { keys: [key.publicJwk] },
      tlsCertThumbprint: thumbprintOf(certs.other),
    });
    const jwt = await assertion({ clientId: c.clientId, key, aud: 'https://ferry.test/oauth2/token' });
    const res = await tokenOver(
      { client_id: c.clientId, client_assertion_type: assertionType, client_assertion: jwt },
      certs.other,
    );
    expect(res.status).toBe(200);
    const token = res.body.access_token as string;
    expect((await apiOver(token, c.clientId, certs.other)).status).toBe(200);
    expect((await apiOver(token, c.clientId, certs.shop)).status).toBe(401);
  });
});

describe('clients without a binding on the TLS listener', () => {
  it('get an unbound token even when they present a certificate', async () => {
    const c = await liveClient(t);
    const res = await tokenOver({}, certs.other, { authorization: basic(c.clientId, c.clientSecret) });
    expect(res.status).toBe(200);
    const jwt = res.body.access_token as string;
    expect(decodeJwt(jwt).cnf).toBeUndefined();
    expect((await apiOver(jwt, c.clientId)).status).toBe(200);
  });
});

describe('metadata with mTLS configured', () => {
  it('advertises tls_client_auth, bound tokens and the mTLS alias', async () => {
    const res = await https('GET', '/.well-known/oauth-authorization-server');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      issuer: 'https://ferry.test',
      token_endpoint: 'https://ferry.test/oauth2/token',
      jwks_uri: 'https://ferry.test/oauth2/jwks',
      token_endpoint_auth_methods_supported: [
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
        'tls_client_auth',
      ],
      tls_client_certificate_bound_access_tokens: true,
      mtls_endpoint_aliases: { token_endpoint: 'https://ferry.test/oauth2/token' },
    });
  });
});
