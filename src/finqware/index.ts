import type { FastifyInstance } from 'fastify';
import { type CatalogDeps, registerCatalogRoutes } from './catalog.routes.js';
import { installFinqwareErrors } from './finqware.plugin.js';

export type FinqwareDeps = CatalogDeps & {
  /** Where the classic API is served (`FINQWARE_API_PREFIX`, default `/finqware`). */
  prefix: string;
};

/**
 * The classic Finqware API (legacy-apis.md Part A) under its prefix: `/v1/...` with the keys in the body. Every
 * endpoint is a POST with a JSON body; every failure is the classic error model.
 */
export async function registerFinqwareApi(app: FastifyInstance, deps: FinqwareDeps): Promise<void> {
  await app.register(
    async (scope) => {
      installFinqwareErrors(scope);
      await scope.register(async (v1) => registerCatalogRoutes(v1, deps), { prefix: '/v1' });
    },
    { prefix: deps.prefix },
  );
}

export type { FinqwareCode } from './errors.js';
export { FinqwareError, finqwareErrors } from './errors.js';
