import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { ApiError } from '../shared/errors.js';
import { registerConsole } from './console.routes.js';
import {
  AuditQuery,
  ClientIdParams,
  ClientInput,
  EventIdParams,
  RedeliverFilter,
} from './operator.schema.js';
import { auditRefusal, createOperator, type OperatorDeps } from './operator.service.js';
import { OPERATOR_BASE } from './paths.js';
import { tokenCheck } from './token-check.js';

const clientErrorCodes: Record<number, string> = {
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** The console's pages and the hosted-page kit's assets it uses. */
const isConsolePath = (url: string) =>
  url === '/console' ||
  url.startsWith('/console/') ||
  url.startsWith('/console?') ||
  url.startsWith('/webui/assets/') ||
  url === '/favicon.ico';

/**
 * The operator listener: the operator API (what `ferry clients ...` and `ferry keys ...` call while a server
 * holds the data folder). Its own Fastify instance, never routes on the public one; every request needs
 * `Authorization: Bearer <operator token>`; every change is audit-logged.
 */
export async function buildOperatorApp(deps: OperatorDeps & { token: string }): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // JSON only: anything else is 415.
  app.removeContentTypeParser('text/plain');
  const isToken = tokenCheck(deps.token);
  const operatorOf = (request: { ip: string; headers: Record<string, unknown> }) => {
    // The CLI names its user; the audit log keeps it beside the fact that the token was used.
    const as = String(request.headers['x-ferry-actor'] ?? '')
      .replace(/[^\w.:@-]/g, '')
      .slice(0, 64);
    return createOperator(deps, { who: as ? `operator-token (${as})` : 'operator-token', from: request.ip });
  };

  app.addHook('onRequest', async (request, reply) => {
    // The console signs in with the token and keeps a session of its own (console.routes.ts).
    if (isConsolePath(request.url)) return;
    const header = request.headers.authorization ?? '';
    const given = /^Bearer (\S+)$/.exec(header)?.[1];
    if (given && isToken(given)) return;
    await auditRefusal(deps, request.ip, `${request.method} ${request.routeOptions.url ?? request.url}`);
    reply.header('www-authenticate', 'Bearer realm="ferry-operator"');
    throw new ApiError(
      'unauthorized',
      given ? 'The operator token is wrong.' : 'An operator token is required.',
    );
  });
  app.setErrorHandler((error: FastifyError | ApiError, _request, reply) => {
    if (error instanceof ApiError) {
      return reply
        .status(error.status)
        .send({ error: { code: error.code, message: error.message, ...error.extra } });
    }
    if (error.validation || error.statusCode === 400) {
      return reply.status(400).send({ error: { code: 'validation_error', message: error.message } });
    }
    if (error.statusCode && error.statusCode < 500) {
      const code = clientErrorCodes[error.statusCode] ?? 'bad_request';
      return reply.status(error.statusCode).send({ error: { code, message: error.message } });
    }
    return reply
      .status(500)
      .send({ error: { code: 'internal_error', message: 'Something went wrong inside Ferry.' } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send({ error: { code: 'not_found', message: `No operator route ${request.method} ${request.url}.` } }),
  );

  // Prometheus scrapes with the same token (scrape config: `authorization: {credentials_file: .../admin.token}`).
  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', deps.metrics.registry.contentType).send(await deps.metrics.text()),
  );

  await registerConsole(app, { ...deps, isToken, secure: false });

  const base = OPERATOR_BASE;
  const byId = { params: ClientIdParams };
  app.get(`${base}/clients`, async (request) => ({ clients: await operatorOf(request).listClients() }));
  app.post(`${base}/clients`, { schema: { body: ClientInput } }, async (request, reply) => {
    const { name, ...rest } = request.body;
    if (name === undefined) throw new ApiError('validation_error', 'name: is required', { field: 'name' });
    return reply.status(201).send(await operatorOf(request).createClient({ ...rest, name }));
  });
  app.get(`${base}/clients/:client_id`, { schema: byId }, (request) =>
    operatorOf(request).getClient(request.params.client_id),
  );
  app.patch(`${base}/clients/:client_id`, { schema: { ...byId, body: ClientInput } }, (request) =>
    operatorOf(request).updateClient(request.params.client_id, request.body),
  );
  app.post(`${base}/clients/:client_id/rotate-secret`, { schema: byId }, (request) =>
    operatorOf(request).rotateSecret(request.params.client_id),
  );
  app.post(`${base}/clients/:client_id/rotate-app-key`, { schema: byId }, (request) =>
    operatorOf(request).rotateAppKey(request.params.client_id),
  );
  app.get(`${base}/keys`, (request) => operatorOf(request).listKeys());
  app.post(`${base}/keys/rotate`, (request) => operatorOf(request).rotateKeys());
  app.post(`${base}/webhooks/:event_id/redeliver`, { schema: { params: EventIdParams } }, (request) =>
    operatorOf(request).redeliverEvent(request.params.event_id),
  );
  app.post(`${base}/webhooks/redeliver`, { schema: { body: RedeliverFilter } }, (request) =>
    operatorOf(request).redeliverEvents(request.body),
  );
  app.get(`${base}/audit`, { schema: { querystring: AuditQuery } }, async (request) => ({
    entries: await operatorOf(request).audit(request.query.limit ? Number(request.query.limit) : undefined),
  }));
  return app;
}
