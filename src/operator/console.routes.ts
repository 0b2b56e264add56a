import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../shared/errors.js';
import {
  CSRF_FIELD,
  createCsrf,
  type Lang,
  newNonce,
  pickLanguage,
  readCookie,
  registerWebuiAssets,
  setPageHeaders,
} from '../webui/index.js';
import { type ConsoleFrame, clientPage, clientsPage, signInPage } from './console.view.js';
import { registerBankPages } from './console-banks.routes.js';
import { registerConsentPages } from './console-consents.routes.js';
import { registerLinkPages } from './console-links.routes.js';
import { createConsoleSessions, SESSION_COOKIE } from './console-session.js';
import { registerDeliveryPages } from './console-webhooks.routes.js';
import type { ClientInput } from './operator.schema.js';
import { createOperator, type OperatorDeps } from './operator.service.js';

type Form = Record<string, string | undefined>;
const lines = (v: string | undefined) =>
  (v ?? '')
    .split(/\r?\n/)
    .map((x) => x.trim())
    .filter(Boolean);
const textOrNull = (v: string | undefined) => (v?.trim() ? v.trim() : null);

/**
 * The operator console at /console on the operator listener: server-rendered in the hosted pages' design (the
 * webui kit's layout, CSP and CSRF), signed in with the operator token (a 30-minute HttpOnly, SameSite=Strict
 * session cookie). Every change goes through the same `Operator` as the API and the CLI, so it is audit-logged.
 */
export async function registerConsole(
  app: FastifyInstance,
  deps: OperatorDeps & { token: string; isToken(given: string): boolean; secure: boolean },
) {
  registerWebuiAssets(app);
  const sessions = createConsoleSessions(deps.token, { secure: deps.secure, now: () => deps.clock.now() });
  const csrf = createCsrf(Buffer.from(`${deps.token}\nferry console: csrf`), { secure: deps.secure });
  const signedIn = (request: FastifyRequest) => sessions.valid(readCookie(request, SESSION_COOKIE));
  const langOf = (request: FastifyRequest): Lang =>
    pickLanguage((request.query as { lang?: unknown }).lang, null, request.headers['accept-language']);
  const frame = (request: FastifyRequest, reply: FastifyReply): ConsoleFrame => {
    const nonce = newNonce();
    setPageHeaders(reply, nonce);
    return {
      lang: langOf(request),
      nonce,
      csrf: csrf.issue(request, reply, '/console'),
      path: request.url.split('?')[0]!,
    };
  };
  const send = (reply: FastifyReply, body: string, status = 200) =>
    reply.status(status).type('text/html; charset=utf-8').send(body);
  const operatorOf = (request: FastifyRequest) => createOperator(deps, { who: 'console', from: request.ip });

  await app.register(async (scope) => {
    await scope.register(formbody, { bodyLimit: 16_384 });
    // Every page but sign-in needs a session: a browser without one is sent to sign in.
    scope.addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?')[0];
      if (path === '/console/sign-in' || signedIn(request)) return;
      return reply.redirect(`/console/sign-in?lang=${langOf(request)}`, 303);
    });
    // Every POST carries the CSRF token of its form.
    scope.addHook('preHandler', async (request, reply) => {
      if (request.method !== 'POST') return;
      const form = (request.body ?? {}) as Form;
      if (!csrf.verify(request, '/console', form[CSRF_FIELD])) {
        return reply
          .status(403)
          .type('text/plain; charset=utf-8')
          .send('The form expired or did not come from this console: reload it.');
      }
    });

    scope.get('/console/sign-in', async (request, reply) =>
      send(reply, signInPage(frame(request, reply), false)),
    );
    scope.post('/console/sign-in', async (request, reply) => {
      const given = String((request.body as Form).token ?? '').trim();
      if (!deps.isToken(given)) return send(reply, signInPage(frame(request, reply), true), 401);
      reply.header('set-cookie', sessions.start());
      return reply.redirect(`/console?lang=${langOf(request)}`, 303);
    });
    scope.post('/console/sign-out', async (request, reply) => {
      reply.header('set-cookie', sessions.end());
      return reply.redirect(`/console/sign-in?lang=${langOf(request)}`, 303);
    });

    scope.get('/console', async (request, reply) => {
      const op = operatorOf(request);
      return send(reply, clientsPage(frame(request, reply), await op.listClients(), await op.audit(10)));
    });
    scope.post('/console/clients', async (request, reply) => {
      const form = request.body as Form;
      const f = frame(request, reply);
      try {
        const created = await operatorOf(request).createClient({
          name: form.name ?? '',
          mode: form.mode === 'live' ? 'live' : 'test',
          ...(textOrNull(form.webhook_url) ? { webhook_url: textOrNull(form.webhook_url) } : {}),
        });
        return send(reply, clientPage(f, created, { kind: 'created', text: created.client_secret }), 201);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        const op = operatorOf(request);
        return send(
          reply,
          clientsPage(f, await op.listClients(), await op.audit(10), error.message),
          error.status,
        );
      }
    });

    registerLinkPages(scope, { ...deps, frame, send, operatorOf });
    registerDeliveryPages(scope, { ...deps, frame, send, operatorOf });
    registerConsentPages(scope, { ...deps, frame, send, operatorOf });
    registerBankPages(scope, { ...deps, frame, send, operatorOf });

    const byId = (request: FastifyRequest) => (request.params as { id: string }).id;
    scope.get('/console/clients/:id', async (request, reply) =>
      send(reply, clientPage(frame(request, reply), await operatorOf(request).getClient(byId(request)))),
    );
    const change = (
      path: string,
      run: (id: string, form: Form, request: FastifyRequest) => Promise<{ text?: string } | undefined>,
      kind: 'rotated' | 'saved',
    ) =>
      scope.post(`/console/clients/:id/${path}`, async (request, reply) => {
        const id = byId(request);
        const f = frame(request, reply);
        try {
          const result = await run(id, request.body as Form, request);
          return send(reply, clientPage(f, await operatorOf(request).getClient(id), { kind, ...result }));
        } catch (error) {
          if (!(error instanceof ApiError) || error.code === 'not_found') throw error;
          return send(
            reply,
            clientPage(f, await operatorOf(request).getClient(id), { kind: 'error', text: error.message }),
            error.status,
          );
        }
      });
    change(
      'settings',
      async (id, form, request) => {
        const input: ClientInput = {
          name: form.name ?? '',
          scopes: (form.scopes ?? '')
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
          webhook_url: textOrNull(form.webhook_url),
          ux_template: form.ux_template?.trim() ?? 'default',
          redirect_uris: lines(form.redirect_uris),
          frame_ancestors: lines(form.frame_ancestors),
          v1s_identity: textOrNull(form.v1s_identity),
          tracking_required: form.tracking_required === 'on',
        };
        await operatorOf(request).updateClient(id, input);
        return undefined;
      },
      'saved',
    );
    change(
      'rotate-secret',
      async (id, _form, request) => ({ text: (await operatorOf(request).rotateSecret(id)).client_secret }),
      'rotated',
    );
    change(
      'rotate-app-key',
      async (id, _form, request) => {
        await operatorOf(request).rotateAppKey(id);
        return undefined;
      },
      'saved',
    );
    for (const [path, enabled] of [
      ['disable', false],
      ['enable', true],
    ] as const) {
      change(
        path,
        async (id, _form, request) => {
          await operatorOf(request).updateClient(id, { enabled });
          return undefined;
        },
        'saved',
      );
    }
  });
}
