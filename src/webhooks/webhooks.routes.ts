import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { type RpcDeps, registerRpc } from '../api/index.js';
import { EventList, EventRedelivered, EventWithAttempts } from './webhooks.responses.js';
import { eventStates as states } from './webhooks.schema.js';
import type { WebhooksService } from './webhooks.service.js';

const oneOrMany = <T extends ReturnType<typeof Type.String>>(item: T) =>
  Type.Union([item, Type.Array(item, { minItems: 1, maxItems: 20 })]);

const ListBody = Type.Object({
  filter: Type.Optional(
    Type.Object(
      {
        type: Type.Optional(oneOrMany(Type.String({ minLength: 1, maxLength: 64 }))),
        object_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
        status: Type.Optional(
          Type.Union([Type.Enum(states), Type.Array(Type.Enum(states), { minItems: 1 })]),
        ),
        created_at_from: Type.Optional(
          Type.String({ minLength: 10, maxLength: 40, description: 'inclusive' }),
        ),
        created_at_to: Type.Optional(Type.String({ minLength: 10, maxLength: 40, description: 'exclusive' })),
      },
      { additionalProperties: false },
    ),
  ),
  pagination: Type.Optional(
    Type.Object(
      {
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 250, description: 'default 50' })),
        after: Type.Optional(
          Type.String({ minLength: 1, maxLength: 200, description: 'keyset of the last item' }),
        ),
      },
      { additionalProperties: false },
    ),
  ),
});

const EventIdBody = Type.Object({ event_id: Type.String({ minLength: 1, maxLength: 64 }) });

const list = <T>(value: T | T[] | undefined): T[] | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? value : [value];

/** The public JWKS for webhook signatures, and the events API (list, get with attempts, redeliver). */
export function registerWebhookRoutes(
  app: FastifyInstance,
  deps: RpcDeps & { webhooks: WebhooksService },
): void {
  const { webhooks } = deps;

  app.get('/.well-known/jwks.json', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=60');
    return webhooks.keys.jwks();
  });

  registerRpc(app, deps, {
    path: '/webhooks/events/list',
    versions: ['v2', 'test'],
    scope: 'any',
    summary: 'List webhook events sent to you (filter by type, object, status, time; keyset pagination)',
    tag: 'Webhooks',
    body: ListBody,
    response: EventList,
    handler: async ({ body, client }) => {
      const f = body.filter ?? {};
      const page = await webhooks.list(client, {
        ...(f.type ? { types: list(f.type) } : {}),
        ...(f.object_id !== undefined ? { objectId: f.object_id } : {}),
        ...(f.status ? { states: list(f.status) } : {}),
        ...(f.created_at_from ? { from: f.created_at_from } : {}),
        ...(f.created_at_to ? { to: f.created_at_to } : {}),
        ...(body.pagination?.after ? { after: body.pagination.after } : {}),
        ...(body.pagination?.limit ? { limit: body.pagination.limit } : {}),
      });
      return { events: page.events, pagination: page.pagination };
    },
  });

  registerRpc(app, deps, {
    path: '/webhooks/events/get',
    versions: ['v2', 'test'],
    scope: 'any',
    summary: 'Get one webhook event with every delivery attempt',
    tag: 'Webhooks',
    body: EventIdBody,
    response: EventWithAttempts,
    errors: [404],
    handler: async ({ body, client }) => webhooks.get(client, body.event_id),
  });

  registerRpc(app, deps, {
    path: '/webhooks/events/redeliver',
    versions: ['v2', 'test'],
    scope: 'any',
    summary: 'Send a webhook event again (same id and body, signed with the current key)',
    tag: 'Webhooks',
    body: EventIdBody,
    response: EventRedelivered,
    errors: [404],
    handler: async ({ body, client }) => ({ event: await webhooks.redeliver(client, body.event_id) }),
  });
}
