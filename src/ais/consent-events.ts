import type { Transaction } from 'kysely';
import type { Ids } from '../shared/ids.js';
import type { Database } from '../store/index.js';
import { recordEvent } from '../webhooks/index.js';
import {
  type Consent,
  type ConsentPatch,
  notifyConsentChange,
  updateConsentStatus,
} from './consent.repository.js';
import { type ConsentEvent, nextConsentStatus } from './consent-status.js';

/** NOTIFY channel of consent status changes (payload: web_id), for the hosted page's live status. */
export const CONSENT_STATUS_CHANNEL = 'ferry_consent_status';

/**
 * Applies one lifecycle event: the state machine decides, the row changes only if nobody changed it meanwhile,
 * and the consent_status_update event is written in the same transaction. Undefined when nothing changed.
 */
export async function applyConsentEvent(
  trx: Transaction<Database>,
  ids: Ids,
  consent: Consent,
  event: ConsentEvent,
  now: Date,
  patch: ConsentPatch = {},
): Promise<Consent | undefined> {
  const next = nextConsentStatus(consent.status, event);
  if (!next) return undefined;
  const updated = await updateConsentStatus(trx, consent, next, patch, now);
  if (!updated) return undefined;
  await recordEvent(trx, {
    type: 'consent_status_update',
    clientId: consent.clientId,
    objectId: consent.id,
    payload: { consent_id: consent.id, status: next },
    url: consent.webhookUrl,
    id: ids.uuid(),
    at: now,
  });
  // Transactional: the page hears of the change only once it committed.
  await notifyConsentChange(trx, CONSENT_STATUS_CHANNEL, consent.webId);
  return updated;
}
