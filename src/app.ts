import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { registerAisRoutes } from './ais/index.js';
import {
  genRequestId,
  installErrorHandling,
  installResponseCheck,
  lazySchemas,
  recordApiRoutes,
  registerHealthRoutes,
  registerOpenApi,
} from './api/index.js';
import type { Config } from './config/index.js';
import { registerFinqwareApi } from './finqware/index.js';
import { bankNotificationHeaders, registerPayRoutes } from './pay/index.js';
import { registerProviderRoutes } from './providers/index.js';
import { registerSandboxBank } from './sandbox-bank/index.js';
import { createServices, type ServiceDeps, type Services } from './services.js';
import { installHttpHygiene } from './shared/http-hygiene.js';
import { loggerOptions } from './shared/redact.js';
import { refuseBadText } from './shared/text-input.js';
import { registerWebhookRoutes } from './webhooks/index.js';
import { registerWebui } from './webui/index.js';

const SANDBOX_NOTIFY_TASK = 'sandbox-bank.notify';
const SANDBOX_NOTIFY_BATCH = 20;

/** Either ready services (the CLI, the worker-sharing process) or what is needed to build them (tests). */
export type AppDeps = ({ services: Services } | ServiceDeps) & {
  /** Extra Fastify options (e.g. https for mTLS). */
  server?: Partial<FastifyServerOptions> & Record<string, unknown>;
  logger?: boolean;
  /** Check every API answer against its declared response schema (tests and CI; src/api/response-check.ts). */
  checkResponses?: boolean;
};

/** Builds the Fastify app with every module registered. Never listens: main.ts and tests decide that. */
export async function buildApp(
  config: Config,
  deps: AppDeps,
): Promise<{ app: FastifyInstance; services: Services }> {
  const services = 'services' in deps ? deps.services : await createServices(config, deps);
  const schemas = lazySchemas();
  const app = Fastify({
    logger: deps.logger === false ? false : loggerOptions(config.logLevel),
    genReqId: genRequestId,
    requestIdHeader: false,
    bodyLimit: config.bodyLimitBytes,
    connectionTimeout: config.requestTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    pluginTimeout: 60_000,
    return503OnClosing: true,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    // Each route's schemas compile on its first request rather than all at start (src/api/lazy-schemas.ts).
    schemaController: { compilersFactory: schemas.compilersFactory },
    ...deps.server,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.decorate('compileSchemas', schemas.compileAll);
  // Bank calls made while serving are logged in the background: written before the app (and its store) closes.
  app.addHook('onClose', () => services.bankCalls.flush());

  // Every /v1, /v2, /test route from here on is in the route table (src/api/route-table.test.ts checks each).
  recordApiRoutes(app);
  // The API speaks JSON only: anything else is 415 rather than a string body.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('apiClient', null);
  app.decorateRequest('accessScopes', undefined);
  app.decorateRequest('idempotencyKey', undefined);
  // Callback style: no promise per response for one header.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  // Every request by its route pattern (never the raw URL: ids would make one series each) and status.
  const { metrics } = services;
  app.addHook('onResponse', (request, reply, done) => {
    metrics.httpRequest(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
  installErrorHandling(app);
  if (deps.checkResponses) installResponseCheck(app);
  installHttpHygiene(app);
  refuseBadText(app);

  await registerOpenApi(app, config);
  await services.oauth.register(app);
  registerHealthRoutes(app, services.store);
  registerProviderRoutes(app, { ...services, publicUrl: config.publicUrl });
  registerWebhookRoutes(app, services);
  // The hosted-page kit: one CSRF key and one notification hub for the pay and consent pages.
  const pages = registerWebui(app, { ...services, publicUrl: config.publicUrl });
  await registerPayRoutes(app, { ...services, pages, publicUrl: config.publicUrl });
  await registerAisRoutes(app, { ...services, pages });
  await registerFinqwareApi(app, services);
  // The sandbox bank (rzb_ro, bt_ro, cec_ro) at ${PUBLIC_URL}/sandbox-bank/<id>, in its own schema and scope.
  // Its funds notifications reach /bank-notifications in process: PUBLIC_URL is the browsers' address and
  // need not route back to this server (TLS at a proxy); the loop runs with the worker (`ferry start`).
  const sandbox = await registerSandboxBank(app, {
    store: services.store,
    clock: services.clock,
    ids: services.ids,
    publicUrl: config.publicUrl,
    timing: config.sandboxBank,
    notifications: {
      baseUrl: config.publicUrl,
      sign: bankNotificationHeaders(services.pay.notificationKey),
      inProcess: true,
    },
  });
  // Once per set of services: a second app on the same services (tests) shares the first one's task.
  if (sandbox.notifications.enabled && !services.worker.tasks.some((t) => t.name === SANDBOX_NOTIFY_TASK)) {
    services.worker.add({
      name: SANDBOX_NOTIFY_TASK,
      everyMs: 500,
      round: async () => {
        const sent = await sandbox.notifications.deliverDue(SANDBOX_NOTIFY_BATCH);
        return sent >= SANDBOX_NOTIFY_BATCH ? 'more' : sent > 0 ? 'done' : 'idle';
      },
    });
  }
  return { app, services };
}
