import type { ApiClient } from '../auth/index.js';
import { ApiError } from '../shared/errors.js';
import type { AisDeps } from './ais.context.js';
import { type Consent, findConsent } from './consent.repository.js';
import { settleDeadlines } from './consent-bank.js';
import { isDataReadable } from './consent-status.js';

export const consentNotFound = (id: string) =>
  new ApiError('consent_not_found', `No consent ${id} for this API client.`, { consent_id: id });

export const consentNotActive = (consent: Consent, what: string) =>
  new ApiError('consent_not_active', `The consent is ${consent.status}: ${what}.`, {
    consent_id: consent.id,
    status: consent.status,
  });

/** The client's own consent, or 404 (another client's consent is indistinguishable from a missing one). */
export async function ownedConsent(deps: AisDeps, client: ApiClient, id: string): Promise<Consent> {
  const consent = await findConsent(deps.db, id);
  if (!consent || consent.clientId !== client.id) throw consentNotFound(id);
  return settleDeadlines(deps, consent);
}

/** The client's consent for a data call: authorised or active, else consent_not_active. */
export async function readableConsent(deps: AisDeps, client: ApiClient, id: string): Promise<Consent> {
  const consent = await ownedConsent(deps, client, id);
  if (!isDataReadable(consent.status)) throw consentNotActive(consent, 'its data is not available');
  return consent;
}
