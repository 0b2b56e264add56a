import type { AisMethod } from '../providers/index.js';
import { ApiError } from '../shared/errors.js';
import type { AisDeps } from './ais.context.js';
import { type Consent, findConsentByWebId } from './consent.repository.js';
import { methodsFor, storedFilter } from './consent.service.js';
import { completeAuthorization, deleteAtBank, requestAtBank, settleDeadlines } from './consent-bank.js';
import { applyConsentEvent } from './consent-events.js';

/** What the hosted consent page shows: the consent, who asks, and the banks the end user may pick. */
export interface ConsentPage {
  consent: Consent;
  clientName: string;
  methods: AisMethod[];
}

const WEB_ID = /^[A-Za-z0-9_-]{16,64}$/;

export async function findPage(deps: AisDeps, webId: string): Promise<ConsentPage | undefined> {
  if (!WEB_ID.test(webId)) return undefined;
  const found = await findConsentByWebId(deps.db, webId);
  if (!found) return undefined;
  const consent = await settleDeadlines(deps, found);
  const client = await deps.db
    .selectFrom('api_clients')
    .select('name')
    .where('id', '=', consent.clientId)
    .executeTakeFirst();
  return {
    consent,
    clientName: client?.name ?? '',
    methods: methodsFor(deps, consent, storedFilter(consent)),
  };
}

/** The end user opened the page: created → started. */
export async function openPage(deps: AisDeps, webId: string): Promise<ConsentPage | undefined> {
  const page = await findPage(deps, webId);
  if (page?.consent.status !== 'created') return page;
  const started = await deps.db
    .transaction()
    .execute((trx) => applyConsentEvent(trx, deps.ids, page.consent, 'opened', deps.clock.now()));
  return started ? { ...page, consent: started } : ((await findPage(deps, webId)) ?? page);
}

const notHere = (consent: Consent) =>
  new ApiError('bad_request', `This consent is ${consent.status}; the bank can no longer be chosen.`);

/**
 * The end user chose a bank: Ferry asks it for a consent and returns its SCA URL (status awaiting_authz once
 * the user is sent there). Choosing again after a first choice restarts the flow with the new bank.
 */
export async function selectBank(
  deps: AisDeps,
  page: ConsentPage,
  methodId: string,
  psuIpAddress: string | undefined,
): Promise<string> {
  let consent = page.consent;
  const method = page.methods.find((m) => m.methodId === methodId);
  if (!method) throw new ApiError('method_selection_error', 'Choose one of the banks listed.');
  if (consent.flowType !== 'link') throw notHere(consent);
  if (consent.status === 'sca_url_retrieved' || consent.status === 'awaiting_authz')
    consent = await reset(deps, consent);
  if (consent.status !== 'created' && consent.status !== 'started') throw notHere(consent);
  const retrieved = await requestAtBank(deps, consent, method, { psuIpAddress });
  return continueAtBank(deps, retrieved);
}

/** The user goes (back) to the bank's SCA page: sca_url_retrieved → awaiting_authz. */
export async function continueAtBank(deps: AisDeps, consent: Consent): Promise<string> {
  if (consent.status === 'sca_url_retrieved') {
    await deps.db
      .transaction()
      .execute((trx) => applyConsentEvent(trx, deps.ids, consent, 'sca_opened', deps.clock.now()));
  } else if (consent.status !== 'awaiting_authz') {
    throw notHere(consent);
  }
  return consent.scaUrl!;
}

/** Back to the bank choice: the consent started at the first bank is deleted there. */
export async function reset(deps: AisDeps, consent: Consent): Promise<Consent> {
  const started = await deps.db.transaction().execute((trx) =>
    applyConsentEvent(trx, deps.ids, consent, 'reset', deps.clock.now(), {
      bank_consent_id: null,
      sca_url: null,
    }),
  );
  if (!started) throw notHere(consent);
  await deleteAtBank(deps, consent);
  return started;
}

/** The bank sent the user back: ask it how the SCA ended. */
export async function bankReturned(deps: AisDeps, consent: Consent, nok: boolean): Promise<Consent> {
  return completeAuthorization(deps, consent, nok);
}
