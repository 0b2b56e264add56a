/**
 * The classic Finqware API (legacy-apis.md Part A) under its prefix: `/v1/...` with the keys in the body, on the
 * same consents and transactions as FinqLink. Every endpoint is a POST with a JSON body; every failure is the
 * classic error model.
 */
import type { FastifyInstance } from 'fastify';
import type { WorkerRegistry } from '../worker/index.js';
import { registerCatalogRoutes } from './catalog.routes.js';
import { registerDataRoutes } from './data.routes.js';
import { defaultFinqwareSettings, type FinqwareContext, type FinqwareSettings } from './finqware.context.js';
import { installFinqwareErrors } from './finqware.plugin.js';
import { addFinqwareTasks, purgeDueData } from './finqware.tasks.js';
import { registerReturnRoute, registerSessionRoutes } from './sessions.routes.js';
import { requireSignedRequests } from './signed.plugin.js';

export interface FinqwareService {
  /** The purge of cached data that is due, once (the `finqware.purge` task runs it; tests call it). */
  purgeDueData(): Promise<number>;
}

type Log = (message: string, fields: object) => void;
/** What the routes and the task run on, kept out of the service's public shape. */
const contextOf = new WeakMap<FinqwareService, { ctx: FinqwareContext; log: Log }>();

export type CreateFinqwareOptions = Omit<FinqwareContext, 'settings'> & {
  settings?: Partial<FinqwareSettings>;
  log?: Log;
};

export function createFinqwareService(o: CreateFinqwareOptions): FinqwareService {
  const { settings, log = () => {}, ...rest } = o;
  const ctx: FinqwareContext = { ...rest, settings: { ...defaultFinqwareSettings, ...settings } };
  const service: FinqwareService = { purgeDueData: () => purgeDueData(ctx, log) };
  contextOf.set(service, { ctx, log });
  return service;
}

function internals(service: FinqwareService): { ctx: FinqwareContext; log: Log } {
  const found = contextOf.get(service);
  if (!found) throw new Error('the classic API needs the service createFinqwareService made');
  return found;
}

export async function registerFinqwareApi(
  app: FastifyInstance,
  deps: { finqware: FinqwareService },
): Promise<void> {
  const { ctx } = internals(deps.finqware);
  await app.register(
    async (scope) => {
      installFinqwareErrors(scope);
      registerReturnRoute(scope, ctx);
      const endpoints = (v1: FastifyInstance) => {
        registerCatalogRoutes(v1, ctx);
        registerSessionRoutes(v1, ctx);
        registerDataRoutes(v1, ctx);
      };
      await scope.register(async (v1) => endpoints(v1), { prefix: '/v1' });
      await scope.register(
        async (v1s) => {
          requireSignedRequests(v1s, ctx);
          endpoints(v1s);
        },
        { prefix: '/v1s' },
      );
    },
    { prefix: ctx.prefix },
  );
}

/** Adds `finqware.purge` to the worker. */
export function registerFinqwareWorker(registry: WorkerRegistry, service: FinqwareService): void {
  const { ctx, log } = internals(service);
  addFinqwareTasks(registry, ctx, log);
}

export type { FinqwareCode } from './errors.js';
export { FinqwareError, finqwareErrors } from './errors.js';
export type { FinqwareSettings } from './finqware.context.js';
export type { SignedRequestResult, V1sKeys } from './signed-request.js';
export { bodyDigest, parseV1sKeys, V1sKeysError, verifySignedRequest } from './signed-request.js';
