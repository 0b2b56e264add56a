import type { HostedPage } from '../webui/index.js';
import type { AisDeps } from './ais.context.js';
import { CONSENT_STATUS_CHANNEL } from './consent-events.js';
import {
  bankReturned,
  type ConsentPage,
  continueAtBank,
  findPage,
  openPage,
  reset,
  selectBank,
} from './consent-flow.js';
import { consentRegions, consentStrings, liveState } from './consent-page.view.js';

/**
 * The hosted consent page, GET /consent/{web_id}: who asks for what and for how long, the bank choice
 * (filtered by ais_method), the hand-off to the bank's SCA, live status until active, then back to the client's
 * redirect_url. The authorisation creates the first job and wakes `ais.jobs` in the same transaction.
 */
export function consentPage(ais: AisDeps): HostedPage<ConsentPage> {
  return {
    prefix: '/consent',
    channel: CONSENT_STATUS_CHANNEL,
    strings: consentStrings,
    find: (webId) => findPage(ais, webId),
    open: (webId) => openPage(ais, webId),
    webId: (page) => page.consent.webId,
    frame: ({ consent, clientName }) => ({
      template: consent.uxTemplate,
      language: consent.language,
      brand: clientName,
      bank: consent.providerId ? (ais.catalogue.provider(consent.providerId)?.name ?? '') : '',
    }),
    view: (page, input) =>
      consentRegions({
        ...input,
        consent: page.consent,
        client: page.clientName,
        methods: page.methods,
        catalogue: ais.catalogue,
      }),
    live: (page, { t, lang }) => liveState(page.consent, page.clientName, t, lang),
    actions: {
      select: (page, { form, ip }) => selectBank(ais, page, form.method_id ?? '', ip),
      authorize: (page) => continueAtBank(ais, page.consent),
      reset: async (page) => {
        await reset(ais, page.consent);
        return undefined;
      },
    },
    bankReturn: {
      path: 'callback',
      run: async (page, query) => {
        await bankReturned(ais, page.consent, query.result === 'nok' || query.error !== undefined);
      },
    },
  };
}
