import type { FastifyInstance } from 'fastify';
import { type RpcDeps, registerRpc } from '../api/index.js';
import { CreateLinkBody, LinkIdBody, ListLinksBody } from './links.schema.js';
import type { LinksService } from './links.service.js';

/** The FinqLink Pay links endpoints. */
export function registerLinksApi(app: FastifyInstance, deps: RpcDeps, links: LinksService): void {
  registerRpc(app, deps, {
    path: '/links/create',
    versions: ['v1', 'v2', 'test'],
    scope: 'pay',
    idempotent: true,
    summary: 'Create a payment link',
    tag: 'Pay',
    body: CreateLinkBody,
    handler: ({ body, client, request }) => links.create(client, body, { callerIp: request.ip }),
  });
  registerRpc(app, deps, {
    path: '/links/get',
    versions: ['v1', 'v2', 'test'],
    scope: 'pay',
    summary: 'Get a payment link with its status history',
    tag: 'Pay',
    body: LinkIdBody,
    handler: ({ body, client, version }) => links.get(client, version, body.link_id),
  });
  registerRpc(app, deps, {
    path: '/links/list',
    versions: ['v2', 'test'],
    scope: 'pay',
    summary: 'List your payment links, newest first (keyset pagination)',
    tag: 'Pay',
    body: ListLinksBody,
    handler: ({ body, client, version }) => links.list(client, version, body),
  });
  registerRpc(app, deps, {
    path: '/links/cancel',
    versions: ['v2', 'test'],
    scope: 'pay',
    idempotent: true,
    summary: 'Cancel (revoke) a payment link that has not been submitted to the bank',
    tag: 'Pay',
    body: LinkIdBody,
    handler: ({ body, client }) => links.cancel(client, body.link_id),
  });
}
