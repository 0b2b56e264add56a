import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiClient } from '../auth/index.js';
import { type LinkStatus, linkStatuses } from '../pay/index.js';
import { ApiError } from '../shared/errors.js';
import { type EventWithAttempts, type LinkSearchForm, linkPage, linksPage } from './console-links.view.js';
import { type ConsolePageDeps, clientsById } from './console-pages.js';
import type { OperatorDeps } from './operator.service.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Payment links in the console: search every client's, a link's history and webhooks, redeliver one. */
export function registerLinkPages(scope: FastifyInstance, deps: ConsolePageDeps): void {
  const { frame, send, operatorOf } = deps;

  scope.get('/console/links', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const form: LinkSearchForm = {
      q: query.q?.trim() ?? '',
      status: query.status ?? '',
      client: query.client?.trim() ?? '',
      from: query.from?.trim() ?? '',
      to: query.to?.trim() ?? '',
    };
    const f = frame(request, reply);
    const clients = await clientsById(deps);
    const problem =
      (form.status && !(linkStatuses as readonly string[]).includes(form.status) && 'status: unknown') ||
      ((form.from && !DAY.test(form.from)) || (form.to && !DAY.test(form.to))
        ? 'dates must be YYYY-MM-DD'
        : '');
    const client = form.client ? [...clients.values()].find((c) => c.clientId === form.client) : undefined;
    if (problem || (form.client && !client)) {
      return send(
        reply,
        linksPage(f, form, linkStatuses, [], problem || `No API client ${form.client}.`),
        400,
      );
    }
    const rows = await deps.links.search({
      q: form.q || undefined,
      status: (form.status || undefined) as LinkStatus | undefined,
      clientId: client?.id,
      from: form.from ? new Date(`${form.from}T00:00:00Z`) : undefined,
      to: form.to ? new Date(`${form.to}T00:00:00Z`) : undefined,
      limit: 50,
    });
    const named = rows.map((l) => ({ ...l, clientName: clients.get(l.client_id)?.name ?? l.client_id }));
    return send(reply, linksPage(f, form, linkStatuses, named));
  });

  const show = async (request: FastifyRequest, reply: FastifyReply, notice?: string) => {
    const { id } = request.params as { id: string };
    const found = await deps.links.detail(id);
    if (!found) throw new ApiError('not_found', `No payment link ${id}.`);
    const client = (await clientsById(deps)).get(found.link.client_id);
    const events = client ? await eventsOf(deps, client, found.link.id) : [];
    return send(
      reply,
      linkPage(frame(request, reply), found.link, client?.name ?? '', found.history, events, notice),
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

async function eventsOf(
  deps: OperatorDeps,
  client: ApiClient,
  objectId: string,
): Promise<EventWithAttempts[]> {
  const { events } = await deps.webhooks.list(client, { objectId, limit: 100 });
  return Promise.all(events.map((e) => deps.webhooks.get(client, e.event_id)));
}
