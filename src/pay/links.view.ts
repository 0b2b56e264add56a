import type { Static } from 'typebox';
import type { ApiVersion } from '../api/index.js';
import type { Catalogue, PaymentMethod, Provider } from '../providers/index.js';
import { isExpired, statusForVersion, v1Statuses } from './link-status.js';
import type { CreatedLink, HistoryRow, LinkRow } from './links.repository.js';
import type { LinkCreated, linkGetOf, linkListOf, linkSummaryOf } from './links.responses.js';
import { currencyMinorUnits, formatAmount } from './money.js';

export const webUrlOf = (publicUrl: string, webId: string) => `${publicUrl}/pay/${webId}`;
export const qrUrlOf = (publicUrl: string, webId: string) => `${publicUrl}/pay/${webId}/qr.svg`;

/** `web_url` as links/get shows it: the hosted page, the bank's SCA URL for redirect_sca, null for direct_sca. */
export function webUrlForGet(link: LinkRow, publicUrl: string): string | null {
  if (link.type === 'direct_sca') return null;
  if (link.type === 'redirect_sca') return link.sca_url;
  return webUrlOf(publicUrl, link.web_id);
}

export function amountOf(link: LinkRow): string {
  return formatAmount(link.amount, currencyMinorUnits(link.currency) ?? 2);
}

type LinkGet = Static<ReturnType<typeof linkGetOf>>;
type LinkSummary = Static<ReturnType<typeof linkSummaryOf>>;

/** links/create: `web_url` is the hosted page, or the bank's SCA URL for the *_sca types that skip it. */
export function linkCreatedView(link: CreatedLink, publicUrl: string): Static<typeof LinkCreated> {
  const hosted = link.type === 'link' || link.type === 'wrapped_sca';
  return {
    created_at: link.created_at.toISOString(),
    expires_at: link.expires_at.toISOString(),
    link_id: link.id,
    web_id: link.web_id,
    web_url: hosted ? webUrlOf(publicUrl, link.web_id) : link.sca_url,
    qr_svg_url: link.type === 'direct_sca' ? null : qrUrlOf(publicUrl, link.web_id),
    type: link.type,
    status: link.status,
  };
}

/** links/list. */
export function linkListView(
  clientId: string,
  page: {
    pagination: Static<ReturnType<typeof linkListOf>>['pagination'];
    links: { link: LinkRow; keyset: string }[];
  },
  version: ApiVersion,
  d: ViewDeps,
): Static<ReturnType<typeof linkListOf>> {
  return {
    client_id: clientId,
    pagination: page.pagination,
    links: page.links.map(({ link, keyset }) => linkSummary(link, version, d, keyset)),
  };
}

export function methodView(m: PaymentMethod, version: ApiVersion): NonNullable<LinkGet['payment_method']> {
  return {
    method_id: m.methodId,
    name: m.name,
    // The catalogue requires at least one remitter type per method.
    remitter_type: version === 'v1' ? m.remitterType[0]! : [...m.remitterType],
    payment_scheme: m.paymentScheme,
    env: m.env,
    currencies: [...m.currencies],
  };
}

export function providerView(p: Provider, publicUrl: string): NonNullable<LinkGet['service_provider']> {
  return {
    provider_id: p.providerId,
    name: p.name,
    country: p.country,
    bic: p.bic,
    logo_url: `${publicUrl}/providers/logos/${p.providerId}.svg`,
  };
}

export interface ViewDeps {
  catalogue: Catalogue;
  publicUrl: string;
  now: Date;
}

/** links/get. */
export function linkView(link: LinkRow, history: HistoryRow[], version: ApiVersion, d: ViewDeps): LinkGet {
  const method = link.method_id ? d.catalogue.paymentMethod(link.method_id) : undefined;
  const provider = link.provider_id ? d.catalogue.provider(link.provider_id) : undefined;
  const transfer: LinkGet['single_transfer'] = {
    amount: amountOf(link),
    currency: link.currency,
    creditor_name: link.creditor_name,
    creditor_iban: link.creditor_iban,
  };
  if (link.remittance_info !== null) transfer.remittance_info = link.remittance_info;
  if (link.end_to_end_id !== null) transfer.end_to_end_id = link.end_to_end_id;
  // The payer's own inputs stay between the payer and the bank; those the client sent are echoed back.
  if (link.api_inputs.includes('debtor_iban') && link.debtor_iban) transfer.debtor_iban = link.debtor_iban;
  if (link.api_inputs.includes('psu_id') && link.psu_id) transfer.psu_id = link.psu_id;
  const shown = version === 'v1' ? history.filter((h) => v1Statuses.includes(h.status)) : history;
  return {
    link_id: link.id,
    web_id: link.web_id,
    web_url: webUrlForGet(link, d.publicUrl),
    type: link.type,
    status: statusForVersion(link.status, version),
    is_expired: isExpired(link, d.now),
    created_at: link.created_at.toISOString(),
    updated_at: link.updated_at.toISOString(),
    expires_at: link.expires_at.toISOString(),
    amount: transfer.amount,
    currency: link.currency,
    single_transfer: transfer,
    ...(method ? { payment_method: methodView(method, version) } : {}),
    ...(provider ? { service_provider: providerView(provider, d.publicUrl) } : {}),
    status_history: shown.map((h) => ({ status: h.status, at: h.at.toISOString() })),
    options: {
      redirect_url: link.redirect_url,
      webhook_url: link.webhook_url,
      ux_template: link.ux_template,
      language: link.language,
    },
    tracking: link.tracking ?? {},
  };
}

/** One links/list item; `keyset` is its cursor. */
export function linkSummary(link: LinkRow, version: ApiVersion, d: ViewDeps, keyset: string): LinkSummary {
  return {
    link_id: link.id,
    web_id: link.web_id,
    web_url: webUrlForGet(link, d.publicUrl),
    type: link.type,
    status: statusForVersion(link.status, version),
    is_expired: isExpired(link, d.now),
    created_at: link.created_at.toISOString(),
    expires_at: link.expires_at.toISOString(),
    amount: amountOf(link),
    currency: link.currency,
    provider_id: link.provider_id,
    keyset,
  };
}

/** A link's place in links/list: (created_at, link_id), the order of the list. */
export const keysetOf = (link: LinkRow): [string, string] => [link.created_at.toISOString(), link.id];
