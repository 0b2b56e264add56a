import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from '../../config/index.js';
import type { Clock } from '../../shared/clock.js';
import type { Ids } from '../../shared/ids.js';
import type { SecretBox } from '../../shared/secret-box.js';
import type { Database } from '../../store/index.js';
import type { AuthThrottle } from '../auth-throttle.js';
import type { VerifyGate } from '../secret-hash.js';
import { createAccessTokenVerifier } from './access-token.js';
import { authorizationServerMetadata } from './metadata.js';
import * as repo from './oauth.repository.js';
import { accessTokenAlg, ensureOAuthSigningKeys } from './signing-keys.repository.js';
import { type CallerAddress, throttleTokenRequests } from './token-throttle.js';
import type { OAuthServer } from './types.js';

export type { AccessTokenClaims, OAuthServer } from './types.js';

export interface OAuthDeps {
  config: Config;
  db: Kysely<Database>;
  clock: Clock;
  ids: Ids;
  secretBox: SecretBox;
  /** Failed client authentications at the token endpoint count with the API's (per client id and address). */
  throttle?: AuthThrottle;
  gate?: VerifyGate;
}

/** Where the authorization server lives under the public URL. */
export const oauthMountPath = '/oauth2';

/** Provider paths reachable from outside; everything else oidc-provider could serve (interactive flows) is not. */
const exposed = new Set(['POST /token', 'GET /jwks']);

/**
 * Ferry's OAuth2 authorization server: oidc-provider for the client credentials grant (client_secret_basic,
 * client_secret_post, private_key_jwt and, when a client CA is configured, tls_client_auth with
 * certificate-bound tokens), issuing short-lived ES256 JWT access tokens that the API verifies locally.
 *
 * Any enabled client may obtain a token, test clients included; the API refuses test clients on /v1 and /v2.
 */
export async function createOAuthServer(deps: OAuthDeps): Promise<OAuthServer> {
  const { config, db, clock, secretBox } = deps;
  const issuer = config.publicUrl;
  const resource = config.publicUrl;
  const tokenEndpoint = `${issuer}${oauthMountPath}/token`;
  const mtls = config.tls?.clientCaFile !== undefined;
  const keys = await ensureOAuthSigningKeys(db, secretBox, clock);

  /**
   * oidc-provider (and its Koa stack) loads on the first request to the token endpoint or the metadata, not at
   * start: most API calls only verify tokens, which needs the public keys alone.
   */
  const loadProvider = async (log: FastifyInstance['log']) => {
    const [{ createProvider }, { createAdapterFactory }] = await Promise.all([
      import('./provider.js'),
      import('./adapter.js'),
    ]);
    const provider = createProvider({
      issuer,
      resource,
      tokenEndpoint,
      accessTokenTtlSeconds: config.oauth.accessTokenTtlSeconds,
      privateKeys: keys.map((k) => k.privateJwk),
      adapter: createAdapterFactory(db, clock, mtls),
      mtls,
      clock,
      recordJti: (clientId, jti, expiresAt) =>
        repo.recordAssertionJti(db, clientId, jti, expiresAt, clock.now()),
      ...(deps.gate ? { gate: deps.gate } : {}),
    });
    if (deps.throttle) provider.use(throttleTokenRequests(deps.throttle));
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.path === '/.well-known/openid-configuration' && ctx.status === 200) {
        ctx.body = authorizationServerMetadata(ctx.body as Record<string, unknown>);
      }
    });
    provider.on('server_error', (_ctx, error) => log.error({ err: error }, 'oauth server error'));
    // The response says only "client authentication failed" (as it should); the reason goes to the log.
    provider.on('grant.error', (ctx, error) => {
      const detail = (error as { error_detail?: string }).error_detail;
      const clientId = ctx.oidc?.client?.clientId;
      log.info({ oauth_error: error.message, detail, client_id: clientId }, 'token request rejected');
    });
    return provider.callback();
  };

  const verifyAccessToken = createAccessTokenVerifier({
    issuer,
    audience: resource,
    algorithms: [accessTokenAlg],
    publicKeys: keys.map((k) => k.publicJwk),
    clock,
  });

  return {
    async register(app: FastifyInstance) {
      let callback: ReturnType<typeof loadProvider> | undefined;
      const publicUrl = new URL(issuer);
      const basePath = publicUrl.pathname.replace(/\/+$/, '');
      const forward = (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, url: string) => {
        // oidc-provider derives endpoint URLs (and the audiences it accepts) from the request; pin them to
        // PUBLIC_URL so they never depend on Host or forwarding headers a caller chose.
        req.headers['x-forwarded-host'] = publicUrl.host;
        req.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
        req.url = url;
        req.originalUrl = `${basePath}${oauthMountPath}${url}`;
        callback ??= loadProvider(app.log);
        callback.then(
          (handle) => handle(req, res),
          (error: unknown) => {
            app.log.error({ err: error }, 'oauth server could not load');
            res.statusCode = 500;
            res.setHeader('content-type', 'application/json');
            res.end(JSON.stringify({ error: 'server_error' }));
          },
        );
      };

      // Handed over at onRequest, before Fastify parses any body: oidc-provider reads the form body itself.
      // Plain routes rather than a middleware engine, which would run its matching on every request.
      for (const endpoint of exposed) {
        const [method, path] = endpoint.split(' ') as ['GET' | 'POST', string];
        app.route({
          method,
          url: `${oauthMountPath}${path}`,
          exposeHeadRoute: false,
          schema: { hide: true },
          onRequest: (request, reply, done) => {
            // The socket's address as Fastify sees it (trustProxy applies), not a header the caller chose.
            (request.raw as CallerAddress).ferryAddress = request.ip;
            reply.hijack();
            reply.raw.setHeader('x-request-id', request.id);
            forward(request.raw, reply.raw, (request.raw.url ?? path).slice(oauthMountPath.length));
            done();
          },
          handler: async () => undefined, // never reached: the request was handed over at onRequest
        });
      }
      app.get('/.well-known/oauth-authorization-server', { schema: { hide: true } }, (request, reply) => {
        reply.hijack();
        forward(request.raw, reply.raw, '/.well-known/openid-configuration');
      });
    },
    verifyAccessToken,
    cleanup: () => repo.deleteExpired(db, clock.now()),
  };
}
