import type { FastifyInstance } from 'fastify';
import type { Static, TObject } from 'typebox';
import { type ApiVersion, type RpcDeps, type RpcRoute, registerRpc } from '../api/index.js';
import type { ApiClient } from '../auth/index.js';
import { validationError } from '../shared/errors.js';
import { checkTargetAtInput } from '../webhooks/index.js';
import type { AisDeps } from './ais.context.js';
import {
  AccountList,
  BalanceList,
  ConsentBody,
  ConsentCreated,
  ConsentRedirected,
  ConsentStatusBody,
  JobBody,
  JobCreated,
  TransactionList,
} from './ais.responses.js';
import { accountListView, balanceListView, consentView, jobView, transactionListView } from './ais.views.js';
import {
  AccountsBody,
  BalancesBody,
  ConsentIdBody,
  CreateConsentBody,
  CreateJobBody,
  GetJobBody,
  RedirectBody,
  TransactionsBody,
} from './ais-api.schema.js';
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

/** A webhook target: the webhooks module's rules (https for live clients, no credentials, no internal hosts). */
async function checkWebhook(
  value: string | undefined,
  field: string,
  client: ApiClient,
  deps: AisDeps,
): Promise<string | undefined> {
  if (value === undefined) return undefined;
  await checkTargetAtInput(value, { mode: client.mode, allowHosts: deps.settings.webhookAllowHosts }, field);
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

async function createInput(
  body: Static<typeof CreateConsentBody>,
  client: ApiClient,
  deps: AisDeps,
): Promise<CreateConsentInput> {
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
    webhookUrl: await checkWebhook(o.webhook_url ?? o.callback_url, 'options.webhook_url', client, deps),
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
export function registerAisApi(app: FastifyInstance, rpc: RpcDeps, deps: AisDeps): void {
  const route = <S extends TObject, R extends TObject>(
    r: Omit<RpcRoute<S, R>, 'versions' | 'scope' | 'tag'> & { alias?: string },
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
    response: ConsentCreated,
    handler: async ({ body, client, request }) => {
      const { consent, webUrl } = await createConsent(deps, client, await createInput(body, client, deps), {
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
    response: ConsentBody,
    errors: [404],
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
    response: ConsentStatusBody,
    errors: [404],
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
    response: ConsentRedirected,
    errors: [404],
    handler: async ({ body, client }) => {
      const consent = await redirectConsent(deps, client, body.consent_id, queryObject(body.query));
      return { consent_id: consent.id, status: consent.status, web_url: webUrlOf(deps, consent) };
    },
  });

  route({
    path: '/ais/accounts/list',
    summary: 'Accounts of a consent with their latest balances',
    body: AccountsBody,
    response: AccountList,
    errors: [404],
    handler: async ({ body, client }) =>
      accountListView(
        await accountsList(deps, client, body.consent_id, {
          currency: body.filter?.currency,
          accountType: body.filter?.account_type,
          accountSubType: body.filter?.account_sub_type,
        }),
      ),
  });

  route({
    path: '/ais/balances/list',
    summary: 'Balance history (one snapshot per job), newest first, keyset pagination',
    body: BalancesBody,
    response: BalanceList,
    errors: [404],
    handler: async ({ body, client }) =>
      balanceListView(
        await balancesList(deps, client, body.consent_id, body.filter ?? {}, body.pagination ?? {}),
      ),
  });

  route({
    path: '/ais/transactions/list',
    summary: 'Transactions by booking date (newest first), filters, keyset pagination',
    body: TransactionsBody,
    response: TransactionList,
    errors: [404],
    handler: async ({ body, client }) =>
      transactionListView(
        await transactionsList(deps, client, body.consent_id, body.filter ?? {}, body.pagination ?? {}),
      ),
  });

  route({
    path: '/ais/jobs/create',
    idempotent: true,
    summary: 'Start a data refresh job (active consents, outside the cooldown)',
    body: CreateJobBody,
    response: JobCreated,
    errors: [404],
    handler: async ({ body, client }) => {
      const callback = await checkWebhook(body.callback_url, 'callback_url', client, deps);
      const job = await createRefreshJob(deps, client, body.consent_id, callback);
      return { consent_id: job.consentId, job_id: job.id, status: job.status };
    },
  });

  route({
    path: '/ais/jobs/get',
    summary: 'Status and results of a refresh job',
    body: GetJobBody,
    response: JobBody,
    errors: [404],
    handler: async ({ body, client }) => {
      const { consent, job } = await getJob(deps, client, body.consent_id, body.job_id);
      return jobView(deps, client, consent, job);
    },
  });
}
