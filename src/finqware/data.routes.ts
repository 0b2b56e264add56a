import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TransactionFilterInput } from '../ais/index.js';
import {
  activeCredential,
  type CredentialKeys,
  credentialOf,
  deleteCredential,
  exchangeTempToken,
} from './credentials.service.js';
import {
  accountItem,
  balanceItem,
  credentialResult,
  isBankBalance,
  isoBalanceTypes,
  snakeOf,
  transactionItem,
} from './data.views.js';
import { finqwareErrorSchema } from './errors.js';
import type { FinqwareContext } from './finqware.context.js';
import { findSkill } from './skills.js';
import { authenticateTenant } from './tenant.js';

const key = { type: 'string', minLength: 1, maxLength: 200 } as const;
const uuidish = { type: 'string', minLength: 1, maxLength: 64 } as const;
const errors = { '4xx': finqwareErrorSchema, '5xx': finqwareErrorSchema };
const tags = ['Finqware'];

const credentialFields = {
  client_id: key,
  client_secret: key,
  credentials_id: uuidish,
  access_token: key,
  tenant_user_id: { type: 'string', maxLength: 200 },
} as const;
const credentialRequired = ['client_id', 'client_secret', 'credentials_id', 'access_token'] as const;

const bodyOf = (extra: Record<string, unknown>, required: readonly string[] = credentialRequired) => ({
  type: 'object',
  required: [...required],
  additionalProperties: false,
  properties: { ...credentialFields, ...extra },
});

const amount = { anyOf: [{ type: 'number' }, { type: 'string', maxLength: 40 }] } as const;
const instant = { type: 'string', maxLength: 40 } as const;
const transactionFilter = {
  type: 'object',
  additionalProperties: false,
  properties: {
    account_id: uuidish,
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    status: { type: 'string', enum: ['booked', 'pending'] },
    credit_debit_indicator: { type: 'string', enum: ['credit', 'debit'] },
    category: { type: 'string', maxLength: 100 },
    merchant: { type: 'string', maxLength: 100 },
    location: { type: 'string', maxLength: 100 },
    tag: { type: 'string', maxLength: 100 },
    ...Object.fromEntries(['eq', 'gte', 'gt', 'lte', 'lt'].map((op) => [op, amount])),
    ...Object.fromEntries(
      ['eq', 'gte', 'gt', 'lte', 'lt'].flatMap((op) => [
        [`booking_date_${op}`, instant],
        [`timestamp_${op}`, instant],
      ]),
    ),
  },
} as const;

type CredentialBody = CredentialKeys & { client_id: string; client_secret: string };

/** Streams a JSON array a page of rows at a time (the original has no paging; nothing is held whole). */
function sendArray<T>(reply: FastifyReply, pages: AsyncIterable<T[]>, item: (row: T) => unknown | undefined) {
  async function* json() {
    yield '[';
    let first = true;
    for await (const rows of pages) {
      let chunk = '';
      for (const row of rows) {
        const value = item(row);
        if (value === undefined) continue;
        chunk += (first ? '' : ',') + JSON.stringify(value);
        first = false;
      }
      if (chunk) yield chunk;
    }
    yield ']';
  }
  return reply.type('application/json; charset=utf-8').send(Readable.from(json()));
}

/** Tokens (A.4.4), accounts, balances and transactions (A.4.5–7), consents get and delete (A.4.9). */
export function registerDataRoutes(v1: FastifyInstance, ctx: FinqwareContext): void {
  const tenant = (body: { client_id: string; client_secret: string }, ip: string) =>
    authenticateTenant(ctx, body, 'secret', ip);

  v1.post(
    '/tokens',
    {
      schema: {
        tags,
        summary: 'Exchange a temp_token for a credentials_id and its access_token (server-side)',
        body: {
          type: 'object',
          required: ['client_id', 'client_secret', 'temp_token'],
          additionalProperties: false,
          properties: { client_id: key, client_secret: key, temp_token: key },
        },
        response: {
          200: {
            type: 'object',
            required: ['credentials_id', 'access_token', 'consent_exp', 'max_data_retention'],
            properties: {
              credentials_id: { type: 'string', format: 'uuid' },
              access_token: { type: 'string' },
              consent_exp: { type: 'string', format: 'date-time' },
              max_data_retention: { type: 'string', format: 'date-time' },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const body = request.body as { client_id: string; client_secret: string; temp_token: string };
      return exchangeTempToken(ctx, await tenant(body, request.ip), body.temp_token);
    },
  );

  v1.post(
    '/accounts/get',
    {
      schema: {
        tags,
        summary: 'The accounts of a credential',
        body: bodyOf({}, [...credentialRequired, 'tenant_user_id']),
        response: errors,
      },
    },
    async (request) => {
      const body = request.body as CredentialBody;
      const client = await tenant(body, request.ip);
      const { consentId } = await activeCredential(ctx, client, body);
      const accounts = await ctx.ais.shared.accounts(client, consentId);
      return accounts.map(({ account, balances }) => accountItem(ctx.catalogue, account, balances));
    },
  );

  v1.post(
    '/balances/get',
    {
      schema: {
        tags,
        summary: 'Every balance snapshot of a credential, newest first',
        body: bodyOf(
          {
            filter: {
              type: 'object',
              additionalProperties: false,
              properties: {
                account_id: uuidish,
                type: { type: 'string', enum: [...isoBalanceTypes] },
                currency: { type: 'string', pattern: '^[A-Z]{3}$' },
              },
            },
          },
          [...credentialRequired, 'tenant_user_id'],
        ),
        response: errors,
      },
    },
    async (request, reply) => {
      const body = request.body as CredentialBody & {
        filter?: { account_id?: string; type?: string; currency?: string };
      };
      const client = await tenant(body, request.ip);
      const { consentId } = await activeCredential(ctx, client, body);
      const f = body.filter ?? {};
      const pages = await ctx.ais.shared.balances(client, consentId, {
        accountId: f.account_id,
        type: f.type ? snakeOf(f.type) : undefined,
        currency: f.currency,
      });
      return sendArray(reply, pages, (b) => (isBankBalance(b) ? balanceItem(b) : undefined));
    },
  );

  v1.post(
    '/transactions/get',
    {
      schema: {
        tags,
        summary: 'The transactions of a credential, newest booking date first, streamed',
        body: bodyOf({ filter: transactionFilter }, [...credentialRequired, 'tenant_user_id']),
        response: errors,
      },
    },
    async (request, reply) => {
      const body = request.body as CredentialBody & { filter?: Record<string, unknown> };
      const client = await tenant(body, request.ip);
      const { consentId } = await activeCredential(ctx, client, body);
      const { category, merchant, location, tag, ...filter } = body.filter ?? {};
      const pages = await ctx.ais.shared.transactions(client, consentId, filter as TransactionFilterInput);
      // Ferry does not categorise: no transaction has a category, merchant, location or tag to match.
      const none = [category, merchant, location, tag].some((v) => v !== undefined);
      return sendArray(reply, pages, (t) => (none ? undefined : transactionItem(t)));
    },
  );

  const consentAnswer = async (body: CredentialBody, ip: string, op: 'read' | 'delete', pcd?: unknown) => {
    const client = await tenant(body, ip);
    const credential =
      op === 'read' ? await credentialOf(ctx, client, body) : await deleteCredential(ctx, client, body, pcd);
    const skill = findSkill(ctx.catalogue, client.mode, credential.session.skill);
    const result = credentialResult(
      ctx.catalogue,
      credential,
      { clientId: client.clientId, name: client.name },
      { country: skill?.country ?? '', providerId: skill?.providerId ?? '' },
    );
    return op === 'read'
      ? { op_type: 'read', code: 'credentials_info', http: 200, message: 'Consent info retrieved', result }
      : {
          op_type: 'delete',
          code: 'credentials_deleted',
          http: 200,
          message: 'Consent deleted',
          result: { client_id: client.clientId, ...result },
        };
  };

  v1.post(
    '/consents/get',
    {
      schema: {
        tags,
        summary: 'A credential’s consent: its status, dates and origin',
        body: bodyOf({}),
        response: errors,
      },
    },
    async (request) => consentAnswer(request.body as CredentialBody, request.ip, 'read'),
  );

  v1.post(
    '/consents/delete',
    {
      schema: {
        tags,
        summary: 'Delete a credential’s consent (idempotent); its data goes after pcd_data_retention minutes',
        body: bodyOf({
          pcd_data_retention: { description: 'minutes to keep the cached data (0 to 172800)' },
        }),
        response: errors,
      },
    },
    async (request) => {
      const body = request.body as CredentialBody & { pcd_data_retention?: unknown };
      return consentAnswer(body, request.ip, 'delete', body.pcd_data_retention);
    },
  );
}
