import { randomUUID } from 'node:crypto';
import formbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance } from 'fastify';
import { type Clock, systemClock } from '../shared/clock.js';
import { type Ids, randomIds } from '../shared/ids.js';
import type { Store } from '../store/index.js';
import { revokeByPsu } from './accounts.service.js';
import { adminRoutes } from './admin.routes.js';
import { apiRoutes } from './api.routes.js';
import type { BankId } from './banks.js';
import type { SandboxContext } from './context.js';
import type { RouteDeps } from './deps.js';
import { createFaults, type Faults, InjectedFault } from './faults.service.js';
import { migrateSandboxBank } from './migrations.js';
import {
  createNotifier,
  type Notifier,
  type NotifyPost,
  type NotifyTarget,
} from './notifications.service.js';
import { defaultTiming, type SettlementTiming } from './payment-status.js';
import { formatError, Psd2Error } from './psd2-error.js';
import { apiRequestIdOf } from './request-id.js';
import { scaRoutes } from './sca.routes.js';

export interface SandboxBankOptions {
  store: Store;
  clock?: Clock;
  ids?: Ids;
  /** Public origin for links and SCA redirects (e.g. Ferry's PUBLIC_URL); else taken from each request. */
  publicUrl?: string;
  /** Path prefix, default /sandbox-bank (banks at /sandbox-bank/{rzb_ro|bt_ro|cec_ro}). */
  prefix?: string;
  timing?: SettlementTiming;
  /** Enables the /admin test controls over HTTP. */
  adminToken?: string;
  /** API calls must come with a trusted client certificate (standalone mTLS). */
  requireClientCertificate?: boolean;
  /** Skip applying the sandbox_bank migrations (already applied by the caller). */
  skipMigrations?: boolean;
  /** Where funds notifications go once payments settle; without it none are sent (docs/sandbox-bank.md). */
  notifications?: NotifyTarget & {
    /** The receiver is mounted in this same app: hand it each request in process instead of over the network. */
    inProcess?: boolean;
  };
}

/** A handle on a mounted sandbox bank: in-process test controls. */
export interface SandboxBank {
  readonly prefix: string;
  readonly faults: Faults;
  readonly context: SandboxContext;
  /** Funds notifications: the host starts the sending loop (`start`); closing the app stops it. */
  readonly notifications: Notifier;
  /** The PSU withdraws every valid consent they gave at this bank. */
  revokeConsentsOf(bank: BankId, psuId: string): Promise<number>;
}

/** Mounts the three simulated banks inside a Fastify app, in their own encapsulated scope. */
export async function registerSandboxBank(
  app: FastifyInstance,
  options: SandboxBankOptions,
): Promise<SandboxBank> {
  if (!options.skipMigrations) await migrateSandboxBank(options.store);
  const prefix = options.prefix ?? '/sandbox-bank';
  const ctx: SandboxContext = {
    db: options.store.db,
    clock: options.clock ?? systemClock,
    ids: options.ids ?? randomIds,
    timing: options.timing ?? defaultTiming,
  };
  const faults = createFaults(ctx);
  const target = options.notifications;
  const notifications = createNotifier(
    ctx,
    target && (target.inProcess ? { ...target, post: injectPost(app) } : target),
  );
  app.addHook('onClose', () => notifications.stop());
  const deps: RouteDeps = {
    ctx,
    faults,
    prefix,
    publicUrl: options.publicUrl?.replace(/\/+$/, ''),
    requireClientCertificate: options.requireClientCertificate ?? false,
    adminToken: options.adminToken,
  };

  await app.register(
    async (scope) => {
      await scope.register(formbody);
      // The raw body is kept for the Digest check of signed requests.
      scope.removeContentTypeParser('application/json');
      scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
        const text = body as string;
        request.sandboxRawBody = text;
        if (text.trim() === '') return done(null, undefined);
        try {
          done(null, JSON.parse(text));
        } catch {
          done(new Psd2Error(400, 'FORMAT_ERROR', 'The body is not valid JSON.'), undefined);
        }
      });
      scope.addHook('onSend', async (request, reply) => {
        reply.header('x-request-id', apiRequestIdOf(request) ?? randomUUID());
      });
      scope.setErrorHandler((error: FastifyError | Psd2Error | InjectedFault, request, reply) => {
        if (error instanceof InjectedFault) {
          const f = error.fault;
          if (f.kind === 'rate_limit')
            return reply
              .code(429)
              .header('retry-after', String(f.retry_after ?? 1))
              .send();
          if (f.kind === 'malformed')
            return reply.code(200).type('application/json').send('{"transactionStatus": "ACSC", "tppMessa');
          return reply.code(f.http_status ?? 500).send();
        }
        let psd2 = error instanceof Psd2Error ? error : undefined;
        if (!psd2 && 'statusCode' in error && error.statusCode === 415)
          psd2 = new Psd2Error(415, 'FORMAT_ERROR', 'Send the body as application/json.', { noBody: true });
        if (!psd2 && 'statusCode' in error && error.statusCode && error.statusCode < 500)
          psd2 = formatError(error.message, validationPathOf(error));
        if (!psd2) {
          request.log.error({ err: error }, 'sandbox bank request failed');
          return reply.code(500).send();
        }
        for (const [k, v] of Object.entries(psd2.options.headers ?? {})) reply.header(k, v);
        const body = psd2.body();
        return body
          ? reply.code(psd2.status).type('application/json').send(body)
          : reply.code(psd2.status).send();
      });
      scope.setNotFoundHandler((request, reply) => {
        const allowed = request.server.allowedMethods?.(request.url) ?? [];
        if (allowed.length === 0)
          return reply.code(404).send(new Psd2Error(404, 'RESOURCE_UNKNOWN', 'No such endpoint.').body());
        const text = `This endpoint does not answer ${request.method}.`;
        return reply
          .code(405)
          .header('allow', allowed.join(', '))
          .send(new Psd2Error(405, 'SERVICE_INVALID', text).body());
      });
      await scope.register(async (s) => apiRoutes(s, deps));
      await scope.register(async (s) => scaRoutes(s, deps));
      await scope.register(async (s) => adminRoutes(s, deps));
    },
    { prefix },
  );

  return {
    prefix,
    faults,
    context: ctx,
    notifications,
    revokeConsentsOf: (bank, psuId) => revokeByPsu(ctx, bank, psuId),
  };
}

/** Posts through Fastify's inject: the receiver's own route, body parser and signature check, no socket. */
function injectPost(app: FastifyInstance): NotifyPost {
  return async (url, headers, body) => {
    const { pathname, search, host } = new URL(url);
    const res = await app.inject({
      method: 'POST',
      url: `${pathname}${search}`,
      headers: { ...headers, host },
      payload: body,
    });
    return { status: res.statusCode, body: res.body };
  };
}

/** The field a Fastify-style validation error names, in the spec's dotted `path` form (e.g. `creditorName`). */
function validationPathOf(error: FastifyError): string | undefined {
  const first = error.validation?.[0];
  if (!first) return undefined;
  const path = first.instancePath.split('/').filter(Boolean).join('.');
  return path === '' ? undefined : path;
}
