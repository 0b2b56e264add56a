// SCAFFOLD — replaced by the providers catalogue module.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { registerRpc } from '../api/rpc.js';
import type { Services } from '../services.js';

export interface Catalogue {
  providers: { provider_id: string }[];
}

export async function loadCatalogue(_file?: string): Promise<Catalogue> {
  return { providers: [{ provider_id: 'rzb_ro' }, { provider_id: 'bt_ro' }, { provider_id: 'cec_ro' }] };
}

export function registerProviderRoutes(app: FastifyInstance, services: Services): void {
  registerRpc(app, services, {
    path: '/providers/list',
    versions: ['v1', 'v2', 'test'],
    scope: 'any',
    summary: 'List providers',
    tag: 'Providers',
    body: Type.Object({}),
    handler: async () => ({ providers: services.catalogue.providers }),
  });
}
