import type { FastifyInstance } from 'fastify';
import { returnFromBank } from './credentials.service.js';
import { FinqwareError, finqwareErrorSchema } from './errors.js';
import type { FinqwareContext } from './finqware.context.js';
import { sessionStatuses } from './session-status.js';
import { createSession, submitStep } from './sessions.service.js';
import { authenticateTenant, tenantById } from './tenant.js';

const key = { type: 'string', minLength: 1, maxLength: 200 } as const;
const errors = { '4xx': finqwareErrorSchema, '5xx': finqwareErrorSchema };
const status = { type: 'string', enum: [...sessionStatuses] } as const;

const createBody = {
  type: 'object',
  required: ['client_id', 'client_app_key', 'skill'],
  additionalProperties: false,
  properties: {
    client_id: key,
    client_app_key: key,
    skill: { type: 'string', minLength: 1, maxLength: 100 },
    tenant_user_id: { type: 'string', maxLength: 200 },
  },
} as const;

const stepBody = {
  type: 'object',
  required: ['client_id', 'nonce', 'skill', 'step', 'data'],
  additionalProperties: false,
  properties: {
    client_id: key,
    nonce: { type: 'string', minLength: 1, maxLength: 100 },
    skill: { type: 'string', minLength: 1, maxLength: 100 },
    step: { type: 'string', minLength: 1, maxLength: 64 },
    data: { type: 'object', additionalProperties: true },
  },
} as const;

const stepAnswer = {
  type: 'object',
  required: ['step_id', 'nonce', 'status', 'data'],
  properties: {
    step_id: { type: 'string', format: 'uuid' },
    nonce: { type: ['string', 'null'], description: 'for the next step or upload; null when none follows' },
    status,
    temp_token: { type: 'string' },
    data: { type: 'object', additionalProperties: true },
  },
} as const;

/** Sessions and steps (A.4.1, A.4.2), and the browser's way back from the bank. */
export function registerSessionRoutes(v1: FastifyInstance, ctx: FinqwareContext): void {
  const tags = ['Finqware'];
  v1.post(
    '/sessions',
    {
      schema: {
        tags,
        summary: 'Start a session of a skill (client-side safe: client_app_key)',
        body: createBody,
        response: {
          200: {
            type: 'object',
            required: ['nonce', 'session_id', 'status'],
            properties: { nonce: { type: 'string' }, session_id: { type: 'string', format: 'uuid' }, status },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const body = request.body as {
        client_id: string;
        client_app_key: string;
        skill: string;
        tenant_user_id?: string;
      };
      const client = await authenticateTenant(ctx, body, 'app_key', request.ip);
      return createSession(ctx, client, body);
    },
  );
  v1.post(
    '/sessions/:session_id/steps',
    {
      schema: {
        tags,
        summary: 'Submit the next step of a session with its nonce',
        params: {
          type: 'object',
          required: ['session_id'],
          properties: { session_id: { type: 'string', maxLength: 64 } },
        },
        body: stepBody,
        response: { 200: stepAnswer, ...errors },
      },
    },
    async (request) => {
      const body = request.body as {
        client_id: string;
        nonce: string;
        skill: string;
        step: string;
        data: unknown;
      };
      // A step carries no key (A.4.2): the nonce, given to this tenant's session, is what authorises it.
      const client = await tenantById(ctx, body.client_id);
      const { session_id } = request.params as { session_id: string };
      return submitStep(ctx, client, session_id, body, { ip: request.ip });
    },
  );
}

/**
 * `GET <prefix>/return/{key}`: the hosted consent page sends the user here when the bank has decided; Ferry sends
 * them on to the tenant's `psu_redirect_link` with `temp_token` (or `error`). Not part of the original's API.
 */
export function registerReturnRoute(scope: FastifyInstance, ctx: FinqwareContext): void {
  scope.get(
    '/return/:key',
    {
      schema: {
        hide: true,
        params: {
          type: 'object',
          required: ['key'],
          properties: { key: { type: 'string', minLength: 16, maxLength: 100 } },
        },
      },
    },
    async (request, reply) => {
      const { key } = request.params as { key: string };
      const to = await returnFromBank(ctx, key);
      if (!to) throw new FinqwareError('not_found', 'This return link is unknown.');
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      return reply.redirect(to, 303);
    },
  );
}
