import type { ApiClient } from '../auth/index.js';
import type { AisMethod, AisMethodFilter, Env, Mode } from '../providers/index.js';
import { ApiError, validationError } from '../shared/errors.js';
import type { AisDeps } from './ais.context.js';
import { type Consent, type FlowType, findConsent, insertConsent, type Scope } from './consent.repository.js';
import { consentNotActive, ownedConsent } from './consent-access.js';
import { completeAuthorization, deleteAtBank, requestAtBank } from './consent-bank.js';
import { applyConsentEvent } from './consent-events.js';

export interface CreateConsentInput {
  aisMethod: {
    providerId?: string;
    accountOwnerType?: ('retail' | 'corporate')[];
    interfaceEnv?: Env;
    interfaceType?: string;
  };
  scope: Scope[];
  consentValidityDays: number;
  flowType: FlowType;
  expiresInSeconds: number;
  redirectUrl: string | undefined;
  webhookUrl: string | undefined;
  uxTemplate: string | undefined;
  language: string | undefined;
  psu: { iban?: string; psuId?: string; ipAddress?: string };
  tracking: Record<string, string> | undefined;
}

export const fullScope: Scope[] = ['accounts', 'balances', 'transactions'];
export const accountsBalancesScope: Scope[] = ['accounts', 'balances'];

/** Only the two combinations the seed allows (order and duplicates aside). */
export function parseScope(value: unknown): Scope[] {
  if (value === undefined) return [...fullScope];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw validationError('consent.scope', 'must be an array of strings');
  }
  const set = new Set(value as string[]);
  const is = (s: readonly string[]) =>
    set.size === s.length && value.length === s.length && s.every((x) => set.has(x));
  if (is(fullScope)) return [...fullScope];
  if (is(accountsBalancesScope)) return [...accountsBalancesScope];
  throw validationError(
    'consent.scope',
    'must be ["accounts","balances","transactions"] (the default) or ["accounts","balances"]',
  );
}

export function methodFilterOf(input: CreateConsentInput['aisMethod']): AisMethodFilter {
  return {
    ...(input.providerId ? { providerId: input.providerId } : {}),
    ...(input.accountOwnerType?.length ? { accountOwnerType: input.accountOwnerType } : {}),
    ...(input.interfaceEnv ? { interfaceEnv: input.interfaceEnv } : {}),
    ...(input.interfaceType ? { interfaceType: input.interfaceType } : {}),
  };
}

/** The stored filter (snake_case, as sent) back as a catalogue filter. */
export function storedFilter(consent: Consent): AisMethodFilter {
  const f = consent.methodFilter as {
    provider_id?: string;
    account_owner_type?: ('retail' | 'corporate')[];
    interface_env?: Env;
    interface_type?: string;
  };
  return methodFilterOf({
    ...(f.provider_id ? { providerId: f.provider_id } : {}),
    ...(f.account_owner_type ? { accountOwnerType: f.account_owner_type } : {}),
    ...(f.interface_env ? { interfaceEnv: f.interface_env } : {}),
    ...(f.interface_type ? { interfaceType: f.interface_type } : {}),
  });
}

/** The AIS methods the consent may use, one per provider (the first match), in catalogue order. */
export function methodsFor(
  deps: AisDeps,
  consent: Pick<Consent, 'mode'>,
  filter: AisMethodFilter,
): AisMethod[] {
  const seen = new Set<string>();
  return deps.catalogue.findAisMethods(filter, consent.mode as Mode).filter((m) => {
    if (seen.has(m.providerId)) return false;
    seen.add(m.providerId);
    return true;
  });
}

export function pageUrl(deps: AisDeps, consent: Consent): string {
  return `${deps.publicUrl}/consent/${encodeURIComponent(consent.webId)}`;
}

/** web_url as FinqLink reports it: the hosted page, the bank's SCA URL for redirect_sca, null for direct_sca. */
export function webUrlOf(deps: AisDeps, consent: Consent): string | null {
  if (consent.flowType === 'direct_sca') return null;
  if (consent.flowType === 'redirect_sca') return consent.scaUrl;
  return pageUrl(deps, consent);
}

export async function createConsent(
  deps: AisDeps,
  client: ApiClient,
  input: CreateConsentInput,
  context: { callerIp?: string | undefined } = {},
): Promise<{ consent: Consent; webUrl: string | null }> {
  const { db, clock, ids } = deps;
  if (client.trackingRequired && (!input.tracking || Object.keys(input.tracking).length === 0)) {
    throw new ApiError('unauthorized', 'This API client must send tracking ids with every consent.');
  }
  if (input.flowType === 'direct_sca' && !input.redirectUrl) {
    throw validationError(
      'options.redirect_url',
      'is required for direct_sca (the bank redirects to your app)',
    );
  }
  const filter = methodFilterOf(input.aisMethod);
  const methods = methodsFor(deps, { mode: client.mode }, filter);
  if (methods.length === 0) {
    throw new ApiError(
      'method_selection_error',
      'No AIS method matches the ais_method filter in this mode.',
      {
        field: 'ais_method',
      },
    );
  }
  if (input.flowType !== 'link' && methods.length > 1) {
    throw new ApiError(
      'method_selection_error',
      `${input.flowType} asks the bank at creation: ais_method must select one provider (it matches ${methods.map((m) => m.providerId).join(', ')}).`,
      { field: 'ais_method.provider_id' },
    );
  }
  const now = clock.now();
  const consent = await db.transaction().execute((trx) =>
    insertConsent(trx, {
      id: ids.uuid(),
      client_id: client.id,
      mode: client.mode,
      web_id: ids.token(16),
      status: 'created',
      flow_type: input.flowType,
      scope: input.scope,
      consent_validity_days: input.consentValidityDays,
      method_filter: JSON.stringify({
        ...(input.aisMethod.providerId ? { provider_id: input.aisMethod.providerId } : {}),
        ...(input.aisMethod.accountOwnerType ? { account_owner_type: input.aisMethod.accountOwnerType } : {}),
        ...(input.aisMethod.interfaceEnv ? { interface_env: input.aisMethod.interfaceEnv } : {}),
        ...(input.aisMethod.interfaceType ? { interface_type: input.aisMethod.interfaceType } : {}),
      }),
      // One bank only: the page skips the choice.
      method_id: methods.length === 1 ? methods[0]!.methodId : null,
      provider_id: methods.length === 1 ? methods[0]!.providerId : null,
      psu_iban: input.psu.iban ?? null,
      psu_id: input.psu.psuId ?? null,
      redirect_url: input.redirectUrl ?? null,
      webhook_url: input.webhookUrl ?? null,
      ux_template: input.uxTemplate ?? null,
      language: input.language ?? null,
      tracking: input.tracking ? JSON.stringify(input.tracking) : null,
      expires_at: new Date(now.getTime() + input.expiresInSeconds * 1000),
      created_at: now,
      updated_at: now,
    }),
  );
  if (input.flowType === 'link') return { consent, webUrl: pageUrl(deps, consent) };
  // The end user is not here when the API asks the bank: their address if the client sent it, else the caller's.
  const requested = await requestAtBank(deps, consent, methods[0]!, {
    psuIpAddress: input.psu.ipAddress ?? context.callerIp,
  });
  return {
    consent: requested,
    webUrl: requested.flowType === 'wrapped_sca' ? pageUrl(deps, requested) : requested.scaUrl,
  };
}

/** consents/revoke: idempotent on revoked; an ended consent (expired, failed, suspended) cannot be revoked. */
export async function revokeConsent(deps: AisDeps, client: ApiClient, id: string): Promise<Consent> {
  const consent = await ownedConsent(deps, client, id);
  if (consent.status === 'revoked') return consent;
  const revoked = await deps.db.transaction().execute(async (trx) => {
    const locked = (await findConsent(trx, id, true))!;
    if (locked.status === 'revoked') return undefined;
    const changed = await applyConsentEvent(trx, deps.ids, locked, 'revoked_by_client', deps.clock.now(), {
      status_reason: 'Revoked by the API client.',
    });
    if (!changed) throw consentNotActive(locked, 'it cannot be revoked');
    return changed;
  });
  if (!revoked) return (await findConsent(deps.db, id))!;
  await deleteAtBank(deps, revoked);
  return revoked;
}

/**
 * consents/redirect (direct_sca): the client's app received the bank's redirect and forwards its query; the
 * bank's consent status decides (the query only says whether it was the nok redirect).
 */
export async function redirectConsent(
  deps: AisDeps,
  client: ApiClient,
  id: string,
  query: Record<string, string>,
): Promise<Consent> {
  const consent = await ownedConsent(deps, client, id);
  if (consent.status === 'authorized' || consent.status === 'active') return consent;
  if (consent.status !== 'sca_url_retrieved' && consent.status !== 'awaiting_authz') {
    throw consentNotActive(consent, 'it is not waiting for the bank authorisation');
  }
  const nok = query.result === 'nok' || query.error !== undefined;
  return completeAuthorization(deps, consent, nok);
}
