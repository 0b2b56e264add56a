import type { FastifyInstance } from 'fastify';
import { type RpcDeps, registerRpc } from '../api/index.js';
import type { Catalogue } from '../providers/index.js';
import { LinkCancelled, LinkCreated, linkGetOf, linkListOf } from './links.responses.js';
import { CreateLinkBody, LinkIdBody, ListLinksBody } from './links.schema.js';
import type { LinksService } from './links.service.js';
import { linkCreatedView, linkListView, linkView, type ViewDeps } from './links.view.js';

/** What the links API's views need besides the service: the catalogue, the public base URL, the clock. */
export interface LinksApiDeps {
  catalogue: Catalogue;
  publicUrl: string;
  clock: { now(): Date };
}

/** The FinqLink Pay links endpoints: the service finds and changes links, the views answer per version. */
export function registerLinksApi(
  app: FastifyInstance,
  deps: RpcDeps & LinksApiDeps,
  links: LinksService,
): void {
  const viewDeps = (): ViewDeps => ({
    catalogue: deps.catalogue,
    publicUrl: deps.publicUrl,
    now: deps.clock.now(),
  });
  registerRpc(app, deps, {
    path: '/links/create',
    versions: ['v1', 'v2', 'test'],
    scope: 'pay',
    idempotent: true,
    summary: 'Create a payment link',
    tag: 'Pay',
    body: CreateLinkBody,
    response: LinkCreated,
    handler: async ({ body, client, request }) =>
      linkCreatedView(await links.create(client, body, { callerIp: request.ip }), deps.publicUrl),
  });
  registerRpc(app, deps, {
    path: '/links/get',
    versions: ['v1', 'v2', 'test'],
    scope: 'pay',
    summary: 'Get a payment link with its status history',
    tag: 'Pay',
    body: LinkIdBody,
    response: linkGetOf,
    errors: [404],
    handler: async ({ body, client, version }) => {
      const { link, history } = await links.get(client, body.link_id);
      return linkView(link, history, version, viewDeps());
    },
  });
  registerRpc(app, deps, {
    path: '/links/list',
    versions: ['v2', 'test'],
    scope: 'pay',
    summary: 'List your payment links, newest first (keyset pagination)',
    tag: 'Pay',
    body: ListLinksBody,
    response: linkListOf,
    handler: async ({ body, client, version }) =>
      linkListView(client.clientId, await links.list(client, body), version, viewDeps()),
  });
  registerRpc(app, deps, {
    path: '/links/cancel',
    versions: ['v2', 'test'],
    scope: 'pay',
    idempotent: true,
    summary: 'Cancel (revoke) a payment link that has not been submitted to the bank',
    tag: 'Pay',
    body: LinkIdBody,
    response: LinkCancelled,
    errors: [404],
    handler: ({ body, client }) => links.cancel(client, body.link_id),
  });
}
