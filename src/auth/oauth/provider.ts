import { randomBytes } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { JWK } from 'jose';
// Before oidc-provider loads: see oidc-runtime.ts.
import './oidc-runtime.js';
import Provider, {
  type AdapterFactory,
  type Client,
  type Configuration,
  errors,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import type { Clock } from '../../shared/clock.js';
import { certThumbprint } from '../mtls.js';
import { VerifiedSecretCache, VerifyGate, verifySecret } from '../secret-hash.js';
import { assertionAlgorithms, assertionProblem } from './assertion-claims.js';
import { certificateFacts, leafProblems, parseCertificate, subjectMatches } from './client-certificate.js';
import { certThumbprintProperty, oauthScopes } from './client-metadata.js';
import { accessTokenAlg } from './signing-keys.repository.js';

export interface ProviderOptions {
  issuer: string;
  /** RFC 8707 resource indicator of the Link API, the `aud` of every access token. */
  resource: string;
  /** Where the token endpoint is served, for the mTLS endpoint alias. */
  tokenEndpoint: string;
  accessTokenTtlSeconds: number;
  privateKeys: JWK[];
  adapter: AdapterFactory;
  /** The server asks for client certificates and checks them against a client CA. */
  mtls: boolean;
  clock: Clock;
  /** Records a client assertion's jti; false when it was already used. */
  recordJti(clientId: string, jti: string, expiresAt: Date): Promise<boolean>;
  /** Bounds concurrent secret hashing (shared with the API's test-mode authentication). */
  gate?: VerifyGate;
}

/** oidc-provider configured as a client-credentials-only authorization server for the Link API. */
export function createProvider(opts: ProviderOptions): Provider {
  const { clock } = opts;
  const gate = opts.gate ?? new VerifyGate();
  const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);

  /**
   * The client certificate on this connection, or undefined when none was presented. A certificate that the
   * client CA did not verify, that breaks seed 000's leaf rules, or that is not the one a client registered
   * for binding is refused with the reason, which the rejection log records.
   */
  function clientCertificate(ctx: KoaContextWithOIDC) {
    const socket = ctx.req.socket as Partial<TLSSocket>;
    const raw =
      typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate(false)?.raw : undefined;
    if (!raw || raw.length === 0) return undefined;
    const cert = parseCertificate(raw);
    if (!cert) throw new errors.InvalidClientAuth('client certificate could not be parsed');
    if (!socket.authorized) {
      throw new errors.InvalidClientAuth(`client certificate is not trusted (${socket.authorizationError})`);
    }
    const problems = leafProblems(certificateFacts(cert), clock.now());
    if (problems.length > 0) {
      throw new errors.InvalidClientAuth(`client certificate breaks the leaf rules (${problems.join(', ')})`);
    }
    const registered = ctx.oidc?.client?.metadata()[certThumbprintProperty];
    if (typeof registered === 'string' && registered !== certThumbprint(cert.raw)) {
      throw new errors.InvalidClientAuth('client certificate is not the one registered for this client');
    }
    return cert;
  }

  const configuration: Configuration = {
    adapter: opts.adapter,
    clients: [],
    clientAuthMethods: [
      'client_secret_basic',
      'client_secret_post',
      'private_key_jwt',
      ...(opts.mtls ? (['tls_client_auth'] as const) : []),
    ],
    clientDefaults: {
      grant_types: ['client_credentials'],
      response_types: [],
      id_token_signed_response_alg: accessTokenAlg,
      token_endpoint_auth_method: 'client_secret_basic',
    },
    extraClientMetadata: { properties: [certThumbprintProperty] },
    enabledJWA: {
      clientAuthSigningAlgValues: [...assertionAlgorithms],
      idTokenSigningAlgValues: [accessTokenAlg],
    },
    responseTypes: ['none'],
    scopes: [...oauthScopes],
    claims: { openid: ['sub'] },
    jwks: { keys: opts.privateKeys as never[] },
    ttl: { ClientCredentials: opts.accessTokenTtlSeconds },
    // Cookies are for interactive flows, which Ferry does not serve; a per-process key silences the default.
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: false },
      revocation: { enabled: false },
      userinfo: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => opts.resource,
        useGrantedResource: async () => false,
        async getResourceServerInfo(ctx, indicator, client) {
          if (indicator !== opts.resource) throw new errors.InvalidTarget();
          applyScopePolicy(ctx, client);
          return {
            scope: client.scope ?? '',
            audience: opts.resource,
            accessTokenTTL: opts.accessTokenTtlSeconds,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: accessTokenAlg } },
          };
        },
      },
      mTLS: opts.mtls
        ? {
            enabled: true,
            certificateBoundAccessTokens: true,
            tlsClientAuth: true,
            selfSignedTlsClientAuth: false,
            getCertificate: clientCertificate,
            // clientCertificate has already refused anything unverified.
            certificateAuthorized: (ctx) => clientCertificate(ctx) !== undefined,
            certificateSubjectMatches(ctx, property, expected) {
              const cert = clientCertificate(ctx);
              return (
                property === 'tls_client_auth_subject_dn' && !!cert && subjectMatches(cert.subject, expected)
              );
            },
          }
        : { enabled: false },
    },
    async assertJwtClientAuthClaimsAndHeader(_ctx, claims, header, client) {
      const problem = assertionProblem(header, claims, client.clientId, nowSeconds());
      if (problem) throw new errors.InvalidClientAuth(problem);
    },
    discovery: opts.mtls ? { mtls_endpoint_aliases: { token_endpoint: opts.tokenEndpoint } } : {},
  };

  const provider = new Provider(opts.issuer, configuration);
  // URLs come from X-Forwarded-* that the mount sets from PUBLIC_URL, never from what the caller sent.
  provider.proxy = true;

  // The stored secret is an scrypt hash, so the library's plaintext comparison cannot work. Recent successes
  // are remembered (as in test mode) so that a client asking for a token per call does not pay scrypt each time.
  const verified = new VerifiedSecretCache();
  provider.Client.prototype.compareClientSecret = async function compareClientSecret(this: Client, actual) {
    const stored = this.clientSecret;
    if (typeof stored !== 'string' || typeof actual !== 'string') return false;
    const key = verified.key(stored, actual);
    const now = clock.now().getTime();
    if (verified.has(key, now)) return true;
    // Too many checks in flight: refused like a wrong secret, without spending a hash.
    if (!(await gate.run(() => verifySecret(actual, stored), key))) return false;
    verified.add(key, now);
    return true;
  };

  // The library's replay check reads, then writes; two concurrent replays would both pass. One insert cannot.
  provider.ReplayDetection.unique = (iss, jti, exp) => opts.recordJti(iss, jti, new Date(exp * 1000));

  return provider;
}

/**
 * No requested scope means every scope the client is allowed; an unknown scope name is an error rather than
 * silently dropped. Scopes the client is not allowed are rejected by the library (invalid_scope).
 */
function applyScopePolicy(ctx: KoaContextWithOIDC, client: Client): void {
  const params = ctx.oidc.params as Record<string, unknown> | undefined;
  if (!params) return;
  const requested = typeof params.scope === 'string' ? params.scope.split(' ').filter(Boolean) : [];
  const unknown = requested.find((s) => !(oauthScopes as readonly string[]).includes(s));
  if (unknown !== undefined) throw new errors.InvalidScope('requested scope is not supported', unknown);
  if (requested.length === 0) params.scope = client.scope;
}
