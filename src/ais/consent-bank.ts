import type { ConsentStatus as BankConsentStatus, BankError } from '../connectors/index.js';
import type { AisMethod } from '../providers/index.js';
import { ApiError } from '../shared/errors.js';
import { type AisDeps, addDays, bankOf, isoDate } from './ais.context.js';
import { bankCall, bankErrorText, consentSignal } from './bank-call.js';
import { bankConsentIdOf, sealBankConsentId } from './bank-consent-id.js';
import { type Consent, findConsent, markBankChecked } from './consent.repository.js';
import { applyConsentEvent } from './consent-events.js';
import { type ConsentEvent, isBeforeAuthorization } from './consent-status.js';
import { createInitialJob } from './job-events.js';

/** Where the bank sends the user back after the SCA. */
export function bankRedirects(deps: AisDeps, consent: Consent): { ok: string; nok: string } {
  if (consent.flowType === 'direct_sca') {
    // The client's app receives the redirect and forwards its query to consents/redirect.
    const ok = new URL(consent.redirectUrl!);
    ok.searchParams.set('consent_id', consent.id);
    const nok = new URL(ok);
    nok.searchParams.set('result', 'nok');
    return { ok: ok.href, nok: nok.href };
  }
  const base = `${deps.publicUrl}/consent/${encodeURIComponent(consent.webId)}/callback`;
  return { ok: base, nok: `${base}?result=nok` };
}

/**
 * Asks the bank for its consent (status requested → sca_url_retrieved). On a bank refusal the page flow goes
 * back to the bank choice (reset), the API flows fail; either way the caller gets unprocessable_entity.
 */
export async function requestAtBank(
  deps: AisDeps,
  consent: Consent,
  method: AisMethod,
  context: { psuIpAddress?: string | undefined },
): Promise<Consent> {
  const { db, clock, ids } = deps;
  const requested = await db.transaction().execute((trx) =>
    applyConsentEvent(trx, ids, consent, 'requested', clock.now(), {
      method_id: method.methodId,
      provider_id: method.providerId,
      status_reason: null,
    }),
  );
  if (!requested) throw conflict(consent);
  const { bank } = bankOf(deps, requested);
  const redirects = bankRedirects(deps, requested);
  const days = Math.min(requested.consentValidityDays, method.maxConsentValidityDays);
  const withTransactions = requested.scope.includes('transactions');
  const result = await bankCall(requested.id, () =>
    deps.connector.createConsent(bank, {
      access: requested.psuIban
        ? { kind: 'accounts', ibans: [requested.psuIban], withBalances: true, withTransactions }
        : { kind: 'allAccounts', withBalances: true, withTransactions },
      recurringIndicator: true,
      validUntil: isoDate(addDays(clock.now(), days)),
      frequencyPerDay: method.frequencyPerDay,
      ...(requested.psuId ? { psuId: requested.psuId } : {}),
      ...(context.psuIpAddress ? { psuIpAddress: context.psuIpAddress } : {}),
      redirectUri: redirects.ok,
      nokRedirectUri: redirects.nok,
    }),
  );
  if (!result.ok) {
    const reason = bankErrorText(result.error);
    const event: ConsentEvent = requested.flowType === 'link' ? 'reset' : 'authorization_failed';
    await db
      .transaction()
      .execute((trx) =>
        applyConsentEvent(trx, ids, requested, event, clock.now(), { status_reason: reason }),
      );
    throw new ApiError('unprocessable_entity', `The bank did not accept the consent request (${reason}).`, {
      consent_id: consent.id,
    });
  }
  const retrieved = await db.transaction().execute((trx) =>
    applyConsentEvent(trx, ids, requested, 'sca_url_retrieved', clock.now(), {
      bank_consent_id: sealBankConsentId(deps.secretBox, result.value.consentId),
      sca_url: result.value.scaRedirectUrl,
    }),
  );
  if (!retrieved) throw conflict(consent);
  return retrieved;
}

function conflict(consent: Consent): ApiError {
  return new ApiError('bad_request', `The consent changed meanwhile; reload it (consent ${consent.id}).`);
}

const refusedAtBank: readonly BankConsentStatus[] = [
  'rejected',
  'expired',
  'revokedByPsu',
  'terminatedByTpp',
];

/**
 * After the SCA (page callback, or consents/redirect for direct_sca): the bank's consent status decides. Valid →
 * authorized, with authorized_until and the first job in the same transaction; refused, or a `nok` redirect
 * while the bank still waits → failed; still waiting → unchanged.
 */
export async function completeAuthorization(deps: AisDeps, consent: Consent, nok: boolean): Promise<Consent> {
  const { db, clock, ids, connector } = deps;
  if (consent.status !== 'sca_url_retrieved' && consent.status !== 'awaiting_authz') return consent;
  const { bank } = bankOf(deps, consent);
  const status = await bankCall(consent.id, () =>
    connector.getConsentStatus(bank, bankConsentIdOf(deps, consent)),
  );
  if (!status.ok) {
    deps.log('warn', 'consent status check failed', {
      consent_id: consent.id,
      error: bankErrorText(status.error),
    });
    return consent;
  }
  const bankStatus = status.value.consentStatus;
  const now = clock.now();
  if (bankStatus === 'valid') {
    const changed = await db.transaction().execute(async (trx) => {
      const authorized = await applyConsentEvent(trx, ids, consent, 'authorized', now, {
        authorized_at: now,
        authorized_until: addDays(now, consent.consentValidityDays),
        // The bank just said it is valid: the periodic check starts from here.
        bank_checked_at: now,
        status_reason: null,
        // The SCA link is spent and often carries the bank's consent id: a consent that grants access keeps neither
        // in plain (the id is sealed, bank-consent-id.ts).
        sca_url: null,
      });
      if (authorized) await createInitialJob(deps, trx, authorized, now);
      return authorized;
    });
    return changed ?? (await findConsent(db, consent.id)) ?? consent;
  }
  if (refusedAtBank.includes(bankStatus) || nok) {
    const reason =
      nok && !refusedAtBank.includes(bankStatus)
        ? 'The user cancelled at the bank.'
        : `bank status ${bankStatus}`;
    const failed = await db
      .transaction()
      .execute((trx) =>
        applyConsentEvent(trx, ids, consent, 'authorization_failed', now, { status_reason: reason }),
      );
    return failed ?? consent;
  }
  return consent;
}

/** Best effort: the bank consent is deleted when Ferry ends the consent; the Ferry status does not wait on it. */
export async function deleteAtBank(deps: AisDeps, consent: Consent): Promise<void> {
  if (!consent.sealedBankConsentId || !consent.methodId) return;
  try {
    const { bank } = bankOf(deps, consent);
    const result = await bankCall(consent.id, () =>
      deps.connector.deleteConsent(bank, bankConsentIdOf(deps, consent)),
    );
    if (!result.ok && result.error.kind !== 'not_found') {
      deps.log('warn', 'deleting the bank consent failed', {
        consent_id: consent.id,
        error: bankErrorText(result.error),
      });
    }
  } catch (error) {
    deps.log('warn', 'deleting the bank consent failed', { consent_id: consent.id, error: String(error) });
  }
}

/**
 * What a bank error (or a status check) says about an authorised consent: blocked → suspended; ended at the
 * bank → revoked. Returns the consent after the change, or undefined when it still stands.
 */
export async function reactToBankError(
  deps: AisDeps,
  consent: Consent,
  error: BankError,
): Promise<Consent | undefined> {
  const signal = consentSignal(error);
  if (signal === 'suspended') {
    return endConsent(
      deps,
      consent,
      'suspended_by_bank',
      `The bank blocked access (${bankErrorText(error)}).`,
    );
  }
  if (signal === 'check_status') return checkAtBank(deps, consent);
  return undefined;
}

/** Asks the bank whether an authorised consent still stands; ends it when the bank says it does not. */
export async function checkAtBank(deps: AisDeps, consent: Consent): Promise<Consent | undefined> {
  if (!consent.sealedBankConsentId) return undefined;
  const { bank } = bankOf(deps, consent);
  const result = await bankCall(consent.id, () =>
    deps.connector.getConsentStatus(bank, bankConsentIdOf(deps, consent)),
  );
  await markBankChecked(deps.db, consent.id, deps.clock.now());
  if (!result.ok) {
    const signal = consentSignal(result.error);
    if (signal === 'suspended') {
      return endConsent(
        deps,
        consent,
        'suspended_by_bank',
        `The bank blocked access (${bankErrorText(result.error)}).`,
      );
    }
    return undefined;
  }
  const s = result.value.consentStatus;
  if (s === 'revokedByPsu' || s === 'terminatedByTpp' || s === 'expired' || s === 'rejected') {
    return endConsent(deps, consent, 'revoked_at_bank', `The bank reports the consent ${s}.`);
  }
  return undefined;
}

async function endConsent(
  deps: AisDeps,
  consent: Consent,
  event: 'revoked_at_bank' | 'suspended_by_bank',
  reason: string,
): Promise<Consent | undefined> {
  const fresh = (await findConsent(deps.db, consent.id)) ?? consent;
  return deps.db
    .transaction()
    .execute((trx) =>
      applyConsentEvent(trx, deps.ids, fresh, event, deps.clock.now(), { status_reason: reason }),
    );
}

/**
 * Applies a deadline that passed but that the background sweep has not handled yet, so every read sees the
 * true status: the link expired before authorisation, or the consent validity ended.
 */
export async function settleDeadlines(deps: AisDeps, consent: Consent): Promise<Consent> {
  const now = deps.clock.now();
  if (isBeforeAuthorization(consent.status) && consent.expiresAt <= now) {
    const expired = await deps.db.transaction().execute((trx) =>
      applyConsentEvent(trx, deps.ids, consent, 'link_expired', now, {
        status_reason: 'The link expired before the bank authorised the consent.',
      }),
    );
    if (expired) await deleteAtBank(deps, consent);
    return expired ?? (await findConsent(deps.db, consent.id)) ?? consent;
  }
  if (
    (consent.status === 'authorized' || consent.status === 'active') &&
    consent.authorizedUntil &&
    consent.authorizedUntil <= now
  ) {
    const revoked = await deps.db.transaction().execute((trx) =>
      applyConsentEvent(trx, deps.ids, consent, 'validity_ended', now, {
        status_reason: `The consent validity (${consent.consentValidityDays} days) ended.`,
      }),
    );
    if (revoked) await deleteAtBank(deps, consent);
    return revoked ?? (await findConsent(deps.db, consent.id)) ?? consent;
  }
  return consent;
}
