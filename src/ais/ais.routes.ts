import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { type ApiVersion, type RpcDeps, registerRpc } from '../api/index.js';
import { type ApiClient, uxTemplates } from '../auth/index.js';
import { envs } from '../providers/index.js';
import { validationError } from '../shared/errors.js';
import { validateTargetUrl } from '../webhooks/index.js';
import type { AisDeps } from './ais.context.js';
import { consentView, jobView } from './ais.views.js';
import {
  type CreateConsentInput,
  createConsent,
  parseScope,
  redirectConsent,
  revokeConsent,
  webUrlOf,
} from './consent.service.js';
import { ownedConsent } from './consent-access.js';
import { listAccounts } from './data.repository.js';
import { accountsList, balancesList, transactionsList } from './data.service.js';
import { createRefreshJob, getJob } from './job.service.js';

const versions: readonly ApiVersion[] = ['v2', 'test'];
const MAX_EXPIRES_IN = 45 * 86_400;

const ConsentId = Type.String({
  minLength: 1,
  maxLength: 128,
  description: 'The consent_id from consents/create.',
});
const Url = (description: string) => Type.String({ minLength: 1, maxLength: 2048, description });
const Amount = Type.Union([Type.String({ maxLength: 40 }), Type.Number()], {
  description: 'Decimal, e.g. "12.50".',
});
const DateLike = (description: string) => Type.String({ minLength: 10, maxLength: 40, description });
const Pagination = Type.Optional(
  Type.Object(
    {
      limit: Type.Optional(
        Type.Integer({ minimum: 1, maximum: 250, description: 'Page size, 1–250 (default 50).' }),
      ),
      after: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: 512,
          description: 'The keyset of the last item of the previous page.',
        }),
      ),
    },
    { additionalProperties: false },
  ),
);

const CreateConsentBody = Type.Object({
  ais_method: Type.Optional(
    Type.Object(
      {
        provider_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'e.g. bt_ro' })),
        account_owner_type: Type.Optional(
          Type.Union([
            Type.Enum(['retail', 'corporate']),
            Type.Array(Type.Enum(['retail', 'corporate']), { maxItems: 2 }),
          ]),
        ),
        interface_env: Type.Optional(Type.Enum(envs)),
        interface_type: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
      },
      { additionalProperties: false, description: 'Which banks the end user may choose from.' },
    ),
  ),
  consent: Type.Optional(
    Type.Object(
      {
        scope: Type.Optional(
          Type.Array(Type.String({ maxLength: 32 }), {
            maxItems: 8,
            description: '["accounts","balances","transactions"] (default) or ["accounts","balances"].',
          }),
        ),
        consent_validity_days: Type.Optional(
          Type.Integer({
            minimum: 1,
            maximum: 180,
            description: 'Data access lifetime after authorisation (default 90).',
          }),
        ),
      },
      { additionalProperties: false },
    ),
  ),
  options: Type.Optional(
    Type.Object(
      {
        type: Type.Optional(Type.Enum(['link', 'wrapped_sca', 'direct_sca', 'redirect_sca'])),
        expires_in: Type.Optional(
          Type.Integer({
            minimum: 60,
            maximum: MAX_EXPIRES_IN,
            description: 'Link lifetime in seconds (max 45 days).',
          }),
        ),
        redirect_url: Type.Optional(Url('Where the end user goes at the end, with consent_id and status.')),
        webhook_url: Type.Optional(Url('Receives consent_status_update and job_status_update.')),
        callback_url: Type.Optional(Url('Alias of webhook_url.')),
        ux_template: Type.Optional(Type.Enum(uxTemplates)),
        language: Type.Optional(Type.Enum(['ro', 'en'])),
      },
      { additionalProperties: false },
    ),
  ),
  psu: Type.Optional(
    Type.Object(
      {
        iban: Type.Optional(
          Type.String({
            pattern: '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$',
            description: 'Limit to this account.',
          }),
        ),
        psu_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        ip_address: Type.Optional(
          Type.String({
            minLength: 2,
            maxLength: 45,
            pattern: '^[0-9A-Fa-f.:]+$',
            description:
              "The end user's IP address, for banks that need it when the consent is made at creation.",
          }),
        ),
      },
      { additionalProperties: false },
    ),
  ),
  tracking: Type.Optional(
    Type.Record(
      Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }),
      Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,127}$' }),
      {
        maxProperties: 4,
        description: 'Your tracking ids (1–128 chars of a-z, 0-9, _ and -, starting with a letter or digit).',
      },
    ),
  ),
});

const ConsentIdBody = Type.Object({ consent_id: ConsentId });

const RedirectBody = Type.Object({
  consent_id: ConsentId,
  query: Type.Optional(
    Type.Union([
      Type.String({ maxLength: 4096, description: 'The query string of the bank redirect.' }),
      Type.Record(Type.String({ maxLength: 128 }), Type.String({ maxLength: 2048 })),
    ]),
  ),
});

const AccountsBody = Type.Object({
  consent_id: ConsentId,
  filter: Type.Optional(
    Type.Object(
      {
        currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
        account_type: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
        account_sub_type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      },
      { additionalProperties: false },
    ),
  ),
});

const BalancesBody = Type.Object({
  consent_id: ConsentId,
  filter: Type.Optional(
    Type.Object(
      {
        account_id: Type.Optional(Type.String({ maxLength: 64 })),
        type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
      },
      { additionalProperties: false },
    ),
  ),
  pagination: Pagination,
});

const TransactionsBody = Type.Object({
  consent_id: ConsentId,
  filter: Type.Optional(
    Type.Object(
      {
        account_id: Type.Optional(Type.String({ maxLength: 64 })),
        currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
        status: Type.Optional(Type.Enum(['booked', 'pending'])),
        credit_debit_indicator: Type.Optional(Type.Enum(['credit', 'debit'])),
        eq: Type.Optional(Amount),
        gt: Type.Optional(Amount),
        gte: Type.Optional(Amount),
        lt: Type.Optional(Amount),
        lte: Type.Optional(Amount),
        amount_min: Type.Optional(Amount),
        amount_max: Type.Optional(Amount),
        booking_date_from: Type.Optional(DateLike('Booking date ≥ (YYYY-MM-DD or date-time).')),
        booking_date_to: Type.Optional(DateLike('Booking date ≤.')),
        booking_date_eq: Type.Optional(DateLike('Booking date =.')),
        booking_date_gte: Type.Optional(DateLike('Booking date ≥.')),
        booking_date_gt: Type.Optional(DateLike('Booking date >.')),
        booking_date_lte: Type.Optional(DateLike('Booking date ≤.')),
        booking_date_lt: Type.Optional(DateLike('Booking date <.')),
        updated_from: Type.Optional(DateLike('Changed at or after (change tracking).')),
        updated_to: Type.Optional(DateLike('Changed at or before.')),
      },
      { additionalProperties: false },
    ),
  ),
  pagination: Pagination,
  track_changes: Type.Optional(
    Type.Boolean({ description: 'Deprecated and ignored: use filter.updated_from.' }),
  ),
});

const CreateJobBody = Type.Object({
  consent_id: ConsentId,
  callback_url: Type.Optional(Url('Receives job_status_update for this job (else the consent webhook_url).')),
});

const GetJobBody = Type.Object({
  consent_id: ConsentId,
  job_id: Type.String({ minLength: 1, maxLength: 128 }),
});

/** A webhook target: the webhooks module's rules (https for live clients, no credentials, no internal hosts). */
function checkWebhook(
  value: string | undefined,
  field: string,
  client: ApiClient,
  deps: AisDeps,
): string | undefined {
  if (value === undefined) return undefined;
  validateTargetUrl(value, { mode: client.mode, allowHosts: deps.settings.webhookAllowHosts }, field);
  return value;
}

/**
 * Where the end user's browser (or app) is sent: any absolute URL — an app may use its own scheme for direct_sca —
 * but never a script or data URL, and never with credentials.
 */
function checkRedirect(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw validationError(field, 'must be an absolute URL');
  }
  if (['javascript:', 'data:', 'vbscript:', 'file:', 'blob:'].includes(url.protocol)) {
    throw validationError(field, `must not use the ${url.protocol} scheme`);
  }
  if (url.username || url.password) throw validationError(field, 'must not carry credentials');
  return value;
}

function createInput(
  body: Static<typeof CreateConsentBody>,
  client: ApiClient,
  deps: AisDeps,
): CreateConsentInput {
  const m = body.ais_method ?? {};
  const o = body.options ?? {};
  if (o.webhook_url && o.callback_url && o.webhook_url !== o.callback_url) {
    throw validationError('options.callback_url', 'differs from options.webhook_url; send one of them');
  }
  const owner = m.account_owner_type;
  return {
    aisMethod: {
      ...(m.provider_id ? { providerId: m.provider_id } : {}),
      ...(owner ? { accountOwnerType: typeof owner === 'string' ? [owner] : owner } : {}),
      ...(m.interface_env ? { interfaceEnv: m.interface_env } : {}),
      ...(m.interface_type ? { interfaceType: m.interface_type } : {}),
    },
    scope: parseScope(body.consent?.scope),
    consentValidityDays: body.consent?.consent_validity_days ?? 90,
    flowType: o.type ?? 'link',
    expiresInSeconds: o.expires_in ?? deps.settings.defaultExpiresInSeconds,
    redirectUrl: checkRedirect(o.redirect_url, 'options.redirect_url'),
    webhookUrl: checkWebhook(o.webhook_url ?? o.callback_url, 'options.webhook_url', client, deps),
    uxTemplate: o.ux_template,
    language: o.language,
    psu: {
      ...(body.psu?.iban ? { iban: body.psu.iban } : {}),
      ...(body.psu?.psu_id ? { psuId: body.psu.psu_id } : {}),
      ...(body.psu?.ip_address ? { ipAddress: body.psu.ip_address } : {}),
    },
    tracking: body.tracking,
  };
}

function queryObject(query: string | Record<string, string> | undefined): Record<string, string> {
  if (query === undefined) return {};
  if (typeof query !== 'string') return query;
  return Object.fromEntries(new URLSearchParams(query.startsWith('?') ? query.slice(1) : query));
}

/** The FinqLink Data endpoints: /v2 and /test only (AIS does not exist on /v1), client scope `ais`. */
export function registerAisApi(app: FastifyInstance, rpc: RpcDeps, deps: AisDeps, onWork: () => void): void {
  const route = <S extends Parameters<typeof registerRpc>[2]['body']>(
    r: Omit<Parameters<typeof registerRpc<S>>[2], 'versions' | 'scope' | 'tag'> & { alias?: string },
  ) => {
    registerRpc(app, rpc, { ...r, versions, scope: 'ais', tag: 'Data' });
    // The seed's quick start uses /test/consents/create: the consents endpoints answer there too.
    if (r.alias)
      registerRpc(app, rpc, { ...r, path: r.alias, versions: ['test'], scope: 'ais', tag: 'Data' });
  };

  route({
    path: '/ais/consents/create',
    alias: '/consents/create',
    idempotent: true,
    summary: 'Create an AIS consent link',
    body: CreateConsentBody,
    handler: async ({ body, client, request }) => {
      const { consent, webUrl } = await createConsent(deps, client, createInput(body, client, deps), {
        callerIp: request.ip,
      });
      return {
        created_at: consent.createdAt.toISOString(),
        expires_at: consent.expiresAt.toISOString(),
        consent_validity_days: consent.consentValidityDays,
        consent_id: consent.id,
        web_id: consent.webId,
        web_url: webUrl,
        status: consent.status,
        scope: consent.scope,
      };
    },
  });

  route({
    path: '/ais/consents/get',
    alias: '/consents/get',
    summary: 'Get a consent (any status)',
    body: ConsentIdBody,
    handler: async ({ body, client }) => {
      const consent = await ownedConsent(deps, client, body.consent_id);
      return consentView(deps, consent, await listAccounts(deps.db, consent.id, {}));
    },
  });

  route({
    path: '/ais/consents/revoke',
    alias: '/consents/revoke',
    idempotent: true,
    summary: 'Revoke a consent (idempotent once revoked)',
    body: ConsentIdBody,
    handler: async ({ body, client }) => {
      const consent = await revokeConsent(deps, client, body.consent_id);
      return { consent_id: consent.id, status: consent.status };
    },
  });

  route({
    path: '/ais/consents/redirect',
    alias: '/consents/redirect',
    summary: 'direct_sca: forward the bank redirect so Ferry completes the authorisation',
    body: RedirectBody,
    handler: async ({ body, client }) => {
      const consent = await redirectConsent(deps, client, body.consent_id, queryObject(body.query));
      onWork();
      return { consent_id: consent.id, status: consent.status, web_url: webUrlOf(deps, consent) };
    },
  });

  route({
    path: '/ais/accounts/list',
    summary: 'Accounts of a consent with their latest balances',
    body: AccountsBody,
    handler: ({ body, client }) =>
      accountsList(deps, client, body.consent_id, {
        currency: body.filter?.currency,
        accountType: body.filter?.account_type,
        accountSubType: body.filter?.account_sub_type,
      }),
  });

  route({
    path: '/ais/balances/list',
    summary: 'Balance history (one snapshot per job), newest first, keyset pagination',
    body: BalancesBody,
    handler: ({ body, client }) =>
      balancesList(deps, client, body.consent_id, body.filter ?? {}, body.pagination ?? {}),
  });

  route({
    path: '/ais/transactions/list',
    summary: 'Transactions by booking date (newest first), filters, keyset pagination',
    body: TransactionsBody,
    handler: ({ body, client }) =>
      transactionsList(deps, client, body.consent_id, body.filter ?? {}, body.pagination ?? {}),
  });

  route({
    path: '/ais/jobs/create',
    idempotent: true,
    summary: 'Start a data refresh job (active consents, outside the cooldown)',
    body: CreateJobBody,
    handler: async ({ body, client }) => {
      const callback = checkWebhook(body.callback_url, 'callback_url', client, deps);
      const job = await createRefreshJob(deps, client, body.consent_id, callback);
      onWork();
      return { consent_id: job.consentId, job_id: job.id, status: job.status };
    },
  });

  route({
    path: '/ais/jobs/get',
    summary: 'Status and results of a refresh job',
    body: GetJobBody,
    handler: async ({ body, client }) => {
      const { consent, job } = await getJob(deps, client, body.consent_id, body.job_id);
      return jobView(deps, client, consent, job);
    },
  });
}
