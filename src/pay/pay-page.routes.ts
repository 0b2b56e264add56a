import type { Catalogue } from '../providers/index.js';
import { ApiError } from '../shared/errors.js';
import { type HostedPage, qrSvg } from '../webui/index.js';
import { LIVE_STATUS_CHANNEL } from './link-events.js';
import { liveState, payRegions } from './pay-page.view.js';
import type { PageLink, PaymentFlow } from './payment-flow.service.js';

const WEB_ID = /^[A-Za-z0-9_-]{22,64}$/;

/** An unknown link is no page; anything else still fails. */
async function orNone(
  webId: string,
  get: (webId: string) => Promise<PageLink>,
): Promise<PageLink | undefined> {
  if (!WEB_ID.test(webId)) return undefined;
  try {
    return await get(webId);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** The hosted pay page, GET /pay/{web_id}: choose a bank, pay, live status, QR code (webui/ does the rest). */
export function payPage(deps: {
  flow: PaymentFlow;
  catalogue: Catalogue;
  publicUrl: string;
}): HostedPage<PageLink> {
  const { flow, catalogue } = deps;
  return {
    prefix: '/pay',
    channel: LIVE_STATUS_CHANNEL,
    find: (webId) => orNone(webId, async (id) => flow.describe(await flow.find(id))),
    open: (webId) => orNone(webId, (id) => flow.open(id)),
    webId: (page) => page.link.web_id,
    frame: ({ link }) => ({
      template: link.ux_template,
      language: link.language,
      brand: link.creditor_name,
      bank: link.provider_id ? (catalogue.provider(link.provider_id)?.name ?? '') : '',
    }),
    view: (page, input) => payRegions({ page, catalogue, ...input }),
    live: ({ link, expired }, { t, lang }) => liveState(link, expired, t, lang),
    actions: {
      pay: (page, { form, ip }) => {
        const methodId = form.method_id ?? '';
        return flow.pay(page.link.web_id, {
          methodId,
          debtorIban: form[`debtor_iban.${methodId}`],
          psuId: form[`psu_id.${methodId}`],
          psuIpAddress: ip,
        });
      },
      authorize: (page) => flow.authorize(page.link.web_id),
    },
    bankReturn: {
      path: 'return',
      run: async (page, query) => {
        await flow.returned(page.link.web_id, query.outcome === 'nok' ? 'nok' : 'ok');
      },
    },
    gets: {
      'qr.svg': (page, { t, reply }) =>
        reply
          .header('cache-control', 'private, max-age=3600')
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'; frame-ancestors 'none'")
          .type('image/svg+xml; charset=utf-8')
          .send(qrSvg(`${deps.publicUrl}/pay/${page.link.web_id}`, { label: t('pay.qr.alt') })),
    },
  };
}
