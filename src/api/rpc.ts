import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Static, type TObject, type TSchema, Type } from 'typebox';
import type { ApiClient, ClientScope, ClientsService, OAuthServer } from '../auth/index.js';
import { certThumbprint, oauthScopeOf, peerCertificateDer } from '../auth/index.js';
import { ApiError, unauthorized } from '../shared/errors.js';
import { checkIdempotencyKey, type IdempotencyStore, requestHash } from './idempotency.js';
import type { RateLimiter } from './rate-limit.js';
import { commonErrorStatuses, errorResponses, idempotencyErrorStatuses } from './responses.js';

export type ApiVersion = 'v1' | 'v2' | 'test';
export const allVersions: readonly ApiVersion[] = ['v1', 'v2', 'test'];

export interface RpcContext<B> {
  body: B;
  client: ApiClient;
  version: ApiVersion;
  request: FastifyRequest;
}

export interface RpcRoute<S extends TObject, R extends TObject = TObject> {
  /** e.g. '/providers/list'; served as POST /{version}{path}. */
  path: string;
  versions: readonly ApiVersion[];
  /** Which client scope the route needs; 'any' accepts either. */
  scope: ClientScope | 'any';
  summary: string;
  tag: string;
  /** Body fields besides client_id / client_secret, which every route gets. */
  body: S;
  /**
   * The 200 body besides request_id / api_client_app, which every route adds; per version where they differ.
   * Fastify serialises the answer with it, so a field it does not name is not sent (responses.ts).
   */
  response: R | ((version: ApiVersion) => R);
  /** Error statuses this route answers besides those every route can (commonErrorStatuses), e.g. 404. */
  errors?: readonly number[];
  /** Honour the Idempotency-Key header (creates, cancels, revokes, jobs). */
  idempotent?: boolean;
  /** Rate-limit group; defaults to the scope (`pay`, `ais`) or `default`. */
  rateGroup?: string;
  handler(ctx: RpcContext<Static<S> & { client_id: string }>): Promise<Static<R>>;
}

export interface RpcDeps {
  clients: ClientsService;
  oauth: OAuthServer;
  guards: { idempotency: IdempotencyStore; rateLimiter: RateLimiter };
}

const credentialFields = {
  client_id: Type.String({ minLength: 1, maxLength: 128, description: 'Your API client id.' }),
  client_secret: Type.Optional(
    Type.String({ minLength: 1, maxLength: 128, description: 'Test mode (/test paths) only.' }),
  ),
};

/**
 * The one way API routes are declared: FinqLink-style `POST /{v1,v2,test}/<resource>/<op>` with a JSON body,
 * authenticated per mode (body credentials on /test, OAuth2 bearer on /v1 and /v2), with `request_id` and
 * `api_client_app` added to every success body.
 */
export function registerRpc<S extends TObject, R extends TObject>(
  app: FastifyInstance,
  deps: RpcDeps,
  route: RpcRoute<S, R>,
): void {
  const body = Type.Object({ ...credentialFields, ...route.body.properties }, { additionalProperties: true });
  const rateGroup = route.rateGroup ?? (route.scope === 'any' ? 'default' : route.scope);
  for (const version of route.versions) {
    const url = `/${version}${route.path}`;
    app.route({
      method: 'POST',
      url,
      schema: {
        summary: route.summary,
        tags: [route.tag],
        body,
        response: responsesOf(route, version),
        security: version === 'test' ? [] : [{ oauth2: [] }],
      } as Record<string, unknown>,
      preValidation: async (request) => {
        request.apiClient =
          version === 'test' ? await authenticateTest(deps, request) : await authenticateLive(deps, request);
        requireScope(request.apiClient, route.scope, request.accessScopes);
        await deps.guards.rateLimiter.hit(request.apiClient.id, rateGroup);
      },
      // Idempotency-Key handling costs only the routes that honour it.
      ...(route.idempotent ? idempotencyHooks(deps, url) : {}),
      handler: async (request) => {
        const client = request.apiClient!;
        const result = await route.handler({
          body: request.body as Static<S> & { client_id: string },
          client,
          version,
          request,
        });
        return { request_id: request.id, api_client_app: client.name, ...result };
      },
    });
  }
}

const successFields = {
  request_id: Type.String({ description: 'This request (also the X-Request-Id header).' }),
  api_client_app: Type.String({ description: "Your API client's name." }),
};

/** The route's answers by status: its success body with the fields every route adds, the envelope for errors. */
function responsesOf<R extends TObject>(route: RpcRoute<TObject, R>, version: ApiVersion) {
  const own = typeof route.response === 'function' ? route.response(version) : route.response;
  const { properties: _p, required: _r, type: _t, ...options } = own as TObject & Record<string, unknown>;
  const success = Type.Object(
    { ...successFields, ...own.properties },
    { description: 'Success', ...options },
  );
  return {
    200: success,
    ...errorResponses([
      ...commonErrorStatuses,
      ...(route.idempotent ? idempotencyErrorStatuses : []),
      ...(route.errors ?? []),
    ]),
  };
}

/** The Idempotency-Key hooks: claim the key before the handler, store (or release) the response on send. */
function idempotencyHooks(deps: RpcDeps, url: string) {
  return {
    preHandler: async (request: FastifyRequest, reply: FastifyReply) => {
      const key = checkIdempotencyKey(request.headers['idempotency-key']);
      if (key === undefined) return;
      const clientId = request.apiClient!.id;
      const start = await deps.guards.idempotency.begin(clientId, key, requestHash(url, request.body));
      if (start.kind === 'replay') {
        reply
          .header('idempotent-replayed', 'true')
          .code(start.status)
          .type('application/json; charset=utf-8');
        return reply.send(start.body);
      }
      request.idempotencyKey = key;
    },
    onSend: async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const key = request.idempotencyKey;
      if (key === undefined) return payload;
      request.idempotencyKey = undefined;
      const clientId = request.apiClient!.id;
      if (reply.statusCode >= 500 || typeof payload !== 'string')
        await deps.guards.idempotency.release(clientId, key);
      else await deps.guards.idempotency.complete(clientId, key, reply.statusCode, payload);
      return payload;
    },
    onRequestAbort: async (request: FastifyRequest) => {
      if (request.idempotencyKey !== undefined) {
        await deps.guards.idempotency.release(request.apiClient!.id, request.idempotencyKey);
      }
    },
  };
}

function bodyField(request: FastifyRequest, name: string): unknown {
  const body = request.body;
  return body && typeof body === 'object' && !Array.isArray(body)
    ? (body as Record<string, unknown>)[name]
    : undefined;
}

async function authenticateTest(deps: RpcDeps, request: FastifyRequest): Promise<ApiClient> {
  const clientId = bodyField(request, 'client_id');
  const secret = bodyField(request, 'client_secret');
  if (typeof clientId !== 'string' || typeof secret !== 'string' || !clientId || !secret) {
    throw unauthorized('Test mode needs client_id and client_secret in the JSON body.');
  }
  if (clientId.length > 128 || secret.length > 128)
    throw unauthorized('client_id and client_secret are at most 128 characters.');
  const client = await deps.clients.authenticateWithSecret(clientId, secret, request.ip);
  if (!client) throw unauthorized('Invalid client_id or client_secret.');
  if (client.mode !== 'test') {
    throw unauthorized('Live clients call /v1 or /v2 with an OAuth2 access token, not /test.');
  }
  return client;
}

async function authenticateLive(deps: RpcDeps, request: FastifyRequest): Promise<ApiClient> {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(header) : null;
  if (!match) throw unauthorized('Send an OAuth2 access token: Authorization: Bearer <token>.');
  let claims: Awaited<ReturnType<OAuthServer['verifyAccessToken']>>;
  try {
    claims = await deps.oauth.verifyAccessToken(match[1]!);
  } catch {
    throw unauthorized('The access token is invalid or expired.');
  }
  if (claims.certThumbprint !== undefined) {
    const der = peerCertificateDer(request);
    if (!der || certThumbprint(der) !== claims.certThumbprint) {
      throw unauthorized(
        'The access token is bound to a client certificate that this connection did not present.',
      );
    }
  }
  const bodyClientId = bodyField(request, 'client_id');
  if (bodyClientId !== undefined && bodyClientId !== claims.clientId) {
    throw unauthorized('client_id in the body does not match the access token.');
  }
  const client = await deps.clients.find(claims.clientId);
  if (!client || client.disabled) throw unauthorized('The API client is unknown or disabled.');
  if (client.mode !== 'live') throw unauthorized('Test clients call /test paths with body credentials.');
  request.accessScopes = claims.scopes;
  return client;
}

function requireScope(
  client: ApiClient,
  scope: ClientScope | 'any',
  tokenScopes: string[] | undefined,
): void {
  const needed: ClientScope[] = scope === 'any' ? ['pay', 'ais'] : [scope];
  const granted = needed.some(
    (s) => client.scopes.includes(s) && (tokenScopes === undefined || tokenScopes.includes(oauthScopeOf[s])),
  );
  if (!granted) {
    throw new ApiError(
      'unauthorized',
      `This API client is not enabled for ${needed.map((s) => oauthScopeOf[s]).join(' or ')}.`,
    );
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    apiClient: ApiClient | null;
    /** Scopes of the bearer token on live paths; undefined on /test. */
    accessScopes: string[] | undefined;
    /** The Idempotency-Key this request claimed; its response is stored on send. */
    idempotencyKey: string | undefined;
  }
}

export type { TSchema };
