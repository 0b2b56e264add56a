import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../shared/errors.js';
import { type EventState, eventStates as states } from '../webhooks/index.js';
import { type ConsolePageDeps, clientsById } from './console-pages.js';
import {
  type DeliveryFilterForm,
  type DeliveryNotice,
  deliveriesPage,
  deliveryPage,
  keysPage,
} from './console-webhooks.view.js';

const isState = (s: string): s is EventState => (states as readonly string[]).includes(s);
type Form = Record<string, string | undefined>;

/**
 * Webhook deliveries in the console (every client's, filtered by state and client; one event's attempt log;
 * redeliver one or the filtered set) and the webhook signing keys (current and previous; rotate). Changes go
 * through the `Operator`, so they are audit-logged like the API's and the CLI's.
 */
export function registerDeliveryPages(scope: FastifyInstance, deps: ConsolePageDeps): void {
  const { frame, send, operatorOf } = deps;

  const list = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: DeliveryFilterForm,
    notice?: DeliveryNotice,
  ) => {
    const f = frame(request, reply);
    const clients = await clientsById(deps);
    const client = form.client ? [...clients.values()].find((c) => c.clientId === form.client) : undefined;
    const problem =
      (form.state && !isState(form.state) && 'state: unknown') ||
      (form.client && !client && `No API client ${form.client}.`);
    if (problem)
      return send(reply, deliveriesPage(f, form, states, [], { kind: 'error', text: problem }), 400);
    const events = await deps.webhooks.search({
      ...(client ? { client: client.id } : {}),
      ...(form.state ? { states: [form.state as EventState] } : {}),
      limit: 50,
    });
    const named = events.map((e) => ({ ...e, clientName: clients.get(e.client)?.name ?? e.client }));
    return send(reply, deliveriesPage(f, form, states, named, notice));
  };
  const formOf = (input: Form): DeliveryFilterForm => ({
    state: input.state?.trim() ?? '',
    client: input.client?.trim() ?? '',
  });

  scope.get('/console/webhooks', (request, reply) => list(request, reply, formOf(request.query as Form)));
  scope.post('/console/webhooks/redeliver', async (request, reply) => {
    const form = formOf(request.body as Form);
    if (!isState(form.state)) {
      return list(request, reply, form, { kind: 'error', text: 'state: choose one to redeliver a set' });
    }
    try {
      const result = await operatorOf(request).redeliverEvents({
        states: [form.state],
        ...(form.client ? { client_id: form.client } : {}),
      });
      return list(request, reply, form, { kind: 'set', result });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status >= 500) throw error;
      return list(request, reply, form, { kind: 'error', text: error.message });
    }
  });

  const show = async (request: FastifyRequest, reply: FastifyReply, notice?: DeliveryNotice) => {
    const { id } = request.params as { id: string };
    const { event, attempts } = await deps.webhooks.find(id);
    const name = (await clientsById(deps)).get(event.client)?.name ?? event.client;
    return send(reply, deliveryPage(frame(request, reply), event, name, attempts, notice));
  };
  scope.get('/console/webhooks/:id', (request, reply) => show(request, reply));
  scope.post('/console/webhooks/:id/redeliver', async (request, reply) => {
    const { id } = request.params as { id: string };
    try {
      await operatorOf(request).redeliverEvent(id);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status >= 500 || error.code === 'not_found') throw error;
      return show(request, reply, { kind: 'error', text: error.message });
    }
    return show(request, reply, { kind: 'one' });
  });

  scope.get('/console/keys', async (request, reply) =>
    send(reply, keysPage(frame(request, reply), (await operatorOf(request).listKeys()).keys)),
  );
  scope.post('/console/keys/rotate', async (request, reply) => {
    const op = operatorOf(request);
    const { current } = await op.rotateKeys();
    return send(reply, keysPage(frame(request, reply), (await op.listKeys()).keys, current));
  });
}
