import type { FastifyInstance } from 'fastify';
import { dashboardRows, parseDashboardQuery } from '../providers/index.js';
import { providersPage } from './console-banks.view.js';
import type { ConsolePageDeps } from './console-pages.js';

/** The banks in the console: the catalogue (the public dashboard's filters) and each bank's last 24 hours. */
export function registerBankPages(scope: FastifyInstance, deps: ConsolePageDeps): void {
  scope.get('/console/providers', async (request, reply) => {
    const rows = dashboardRows(deps.catalogue, parseDashboardQuery(request.query));
    const health = new Map((await deps.bankCalls.health()).map((h) => [h.provider_id, h] as const));
    return deps.send(reply, providersPage(deps.frame(request, reply), rows, health));
  });
}
