import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { linkStatuses } from '../pay/index.js';
import { ApiError } from '../shared/errors.js';
import { linkPage, linksPage } from './console-links.view.js';
import { type ConsolePageDeps, clientsById, eventsOf, readSearch } from './console-pages.js';

/** Payment links in the console: search every client's, a link's history and webhooks, redeliver one. */
export function registerLinkPages(scope: FastifyInstance, deps: ConsolePageDeps): void {
  const { frame, send, operatorOf } = deps;

  scope.get('/console/links', async (request, reply) => {
    const search = await readSearch(deps, request.query as Record<string, string | undefined>, linkStatuses);
    const f = frame(request, reply);
    if (search.problem) return send(reply, linksPage(f, search.form, linkStatuses, [], search.problem), 400);
    const rows = await deps.links.search(search.filter);
    const named = rows.map((l) => ({
      ...l,
      clientName: search.clients.get(l.client_id)?.name ?? l.client_id,
    }));
    return send(reply, linksPage(f, search.form, linkStatuses, named));
  });

  const show = async (request: FastifyRequest, reply: FastifyReply, notice?: string) => {
    const { id } = request.params as { id: string };
    const found = await deps.links.detail(id);
    if (!found) throw new ApiError('not_found', `No payment link ${id}.`);
    const client = (await clientsById(deps)).get(found.link.client_id);
    const events = client ? await eventsOf(deps, client, found.link.id) : [];
    const calls = await deps.bankCalls.of(found.link.id);
    return send(
      reply,
      linkPage(
        frame(request, reply),
        found.link,
        client?.name ?? '',
        { history: found.history, events, calls },
        notice,
      ),
    );
  };
  scope.get('/console/links/:id', (request, reply) => show(request, reply));
  scope.post('/console/links/:id/events/:eventId/redeliver', async (request, reply) => {
    const { id, eventId } = request.params as { id: string; eventId: string };
    const found = await deps.links.detail(id);
    if (!found) throw new ApiError('not_found', `No payment link ${id}.`);
    try {
      await operatorOf(request).redeliverEvent(eventId);
    } catch (error) {
      // Not replayable now (already pending, say): the page says why.
      if (!(error instanceof ApiError) || error.status >= 500) throw error;
      return show(request, reply, error.message);
    }
    return show(request, reply, 'redelivered');
  });
}
