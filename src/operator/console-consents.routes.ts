import type { FastifyInstance } from 'fastify';
import { consentStatuses } from '../ais/index.js';
import { ApiError } from '../shared/errors.js';
import { consentPage, consentsPage } from './console-consents.view.js';
import { type ConsolePageDeps, clientsById, eventsOf, readSearch } from './console-pages.js';

/** Consents in the console: search every client's; a consent's refresh jobs (phases, results) and webhooks. */
export function registerConsentPages(scope: FastifyInstance, deps: ConsolePageDeps): void {
  const { frame, send } = deps;

  scope.get('/console/consents', async (request, reply) => {
    const search = await readSearch(
      deps,
      request.query as Record<string, string | undefined>,
      consentStatuses,
    );
    const f = frame(request, reply);
    if (search.problem) {
      return send(reply, consentsPage(f, search.form, consentStatuses, [], search.problem), 400);
    }
    const rows = await deps.ais.search(search.filter);
    const named = rows.map((c) => ({ ...c, clientName: search.clients.get(c.clientId)?.name ?? c.clientId }));
    return send(reply, consentsPage(f, search.form, consentStatuses, named));
  });

  scope.get('/console/consents/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const found = await deps.ais.detail(id);
    if (!found) throw new ApiError('not_found', `No consent ${id}.`);
    const client = (await clientsById(deps)).get(found.consent.clientId);
    const events = client ? await eventsOf(deps, client, found.consent.id) : [];
    const calls = await deps.bankCalls.of(found.consent.id);
    return send(
      reply,
      consentPage(frame(request, reply), found.consent, client?.name ?? '', found.jobs, events, calls),
    );
  });
}
