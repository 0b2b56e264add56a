import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiClient } from '../auth/index.js';
import type { ConsoleFrame, SearchForm } from './console.view.js';
import type { EventWithAttempts } from './console-webhooks.view.js';
import type { Operator, OperatorDeps } from './operator.service.js';

/** What a group of console pages gets from console.routes.ts: the page frame, the HTML sender, the Operator. */
export type ConsolePageDeps = OperatorDeps & {
  frame(request: FastifyRequest, reply: FastifyReply): ConsoleFrame;
  send(reply: FastifyReply, body: string, status?: number): FastifyReply;
  operatorOf(request: FastifyRequest): Operator;
};

/** Every API client by its internal id: the console names the owner of each link and event with it. */
export const clientsById = async (deps: OperatorDeps): Promise<Map<string, ApiClient>> =>
  new Map((await deps.clients.list()).map((c) => [c.id, c] as const));

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const dayOf = (value: string) => (value ? new Date(`${value}T00:00:00Z`) : undefined);

/**
 * Reads a console search (id or web_id, status, client_id, creation dates): the form to show again, and either
 * the filter for the repository (the client by its internal id) or the problem to show with a 400.
 */
export async function readSearch<S extends string>(
  deps: OperatorDeps,
  query: Record<string, string | undefined>,
  statuses: readonly S[],
): Promise<{
  form: SearchForm;
  clients: Map<string, ApiClient>;
  problem?: string;
  filter: { q?: string; status?: S; clientId?: string; from?: Date; to?: Date; limit: number };
}> {
  const form: SearchForm = {
    q: query.q?.trim() ?? '',
    status: query.status ?? '',
    client: query.client?.trim() ?? '',
    from: query.from?.trim() ?? '',
    to: query.to?.trim() ?? '',
  };
  const clients = await clientsById(deps);
  const client = form.client ? [...clients.values()].find((c) => c.clientId === form.client) : undefined;
  const problem =
    (form.status && !(statuses as readonly string[]).includes(form.status) && 'status: unknown') ||
    (((form.from && !DAY.test(form.from)) || (form.to && !DAY.test(form.to))) &&
      'dates must be YYYY-MM-DD') ||
    (form.client && !client && `No API client ${form.client}.`) ||
    undefined;
  const filter = {
    ...(form.q ? { q: form.q } : {}),
    ...(form.status ? { status: form.status as S } : {}),
    ...(client ? { clientId: client.id } : {}),
    ...(form.from ? { from: dayOf(form.from) } : {}),
    ...(form.to ? { to: dayOf(form.to) } : {}),
    limit: 50,
  };
  return { form, clients, ...(problem ? { problem } : {}), filter };
}

/** The webhooks sent for one object (a link, a consent) with every attempt. */
export async function eventsOf(
  deps: OperatorDeps,
  client: ApiClient,
  objectId: string,
): Promise<EventWithAttempts[]> {
  const { events } = await deps.webhooks.list(client, { objectId, limit: 100 });
  return Promise.all(events.map((e) => deps.webhooks.get(client, e.event_id)));
}
