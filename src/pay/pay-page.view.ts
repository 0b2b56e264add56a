import type { Catalogue, PaymentMethod } from '../providers/index.js';
import {
  bankPicker,
  displayAmount,
  displayDate,
  html,
  type Lang,
  type LiveState,
  type PageView,
  type Raw,
  raw,
  returnUrl,
  statusBlock,
  stepOf,
  type Translate,
  type ViewInput,
} from '../webui/index.js';
import { isFinal, type LinkStatus, pollingStatuses } from './link-status.js';
import type { LinkRow } from './links.repository.js';
import type { PageLink } from './payment-flow.service.js';

export type PayView = 'choose' | 'continue' | 'progress' | 'final' | 'expired';

export function viewOf(page: PageLink): PayView {
  const { link } = page;
  if (isFinal(link.status)) return 'final';
  if (page.expired) return 'expired';
  if (link.type === 'wrapped_sca' && link.status === 'intent_accepted') return 'continue';
  if (link.status === 'created' || link.status === 'started')
    return link.type === 'link' ? 'choose' : 'progress';
  return 'progress';
}

/** The statuses of the first three steps (choose, authorise, bank processing); the rest are the last. */
const steps: readonly (readonly LinkStatus[])[] = [
  ['created', 'started'],
  ['requested', 'intent_accepted', 'awaiting_authz'],
  ['received', 'submitted'],
];

const okStatuses: readonly LinkStatus[] = ['completed', 'funds_received'];

export function liveState(link: LinkRow, expired: boolean, t: Translate, lang: Lang): LiveState<LinkStatus> {
  const final = isFinal(link.status) || expired;
  // Where the payer goes back to: the client's redirect_url with the link's ids and status.
  const redirect = final
    ? returnUrl(link.redirect_url, { link_id: link.id, web_id: link.web_id, status: link.status })
    : null;
  const merchant = link.creditor_name;
  const amount = displayAmount(link.amount, link.currency, lang);
  const message = expired
    ? t('msg.expired')
    : link.status === 'completed' || link.status === 'funds_received'
      ? t('msg.completed', { amount, creditor: merchant })
      : link.status === 'failed' || link.status === 'revoked' || link.status === 'funds_rejected'
        ? t(`msg.${link.status}`)
        : t('msg.progress');
  return {
    status: link.status,
    title: expired && !isFinal(link.status) ? t('expired.title') : t(`status.${link.status}`),
    message,
    final,
    ok: okStatuses.includes(link.status),
    step: final ? 4 : stepOf(link.status, steps),
    resume:
      (link.status === 'awaiting_authz' || link.status === 'intent_accepted') && !!link.sca_url && !expired,
    redirect,
    auto: redirect ? t('back.auto', { merchant }) : null,
  };
}

export interface PayPageInput extends ViewInput {
  page: PageLink;
  catalogue: Catalogue;
}

interface PayViewInput extends PayPageInput {
  view: PayView;
}

export function payRegions(input: PayPageInput): PageView {
  const i: PayViewInput = { ...input, view: viewOf(input.page) };
  const { link } = i.page;
  const amount = displayAmount(link.amount, link.currency, i.lang);
  // One heading for every view: the status lives in the live region, which the page script keeps current.
  const heading = i.t('pay.heading', { creditor: link.creditor_name });
  const base = `/pay/${link.web_id}`;
  const hero = html`<p class="hero-line"><span class="label">${i.t('pay.total')}</span> <span class="amount">${amount}</span>${link.remittance_info ? html` <span class="who">${link.remittance_info}</span>` : ''}</p>`;
  const details = detailsList(link, i, amount);
  const { alert } = i;
  const view = { heading, title: heading, progress: i.view === 'progress' };
  const aside =
    i.view === 'choose' || i.view === 'continue'
      ? html`<figure class="qr"><img src="${`${base}/qr.svg`}" alt="${i.t('pay.qr.alt')}" width="168" height="168" loading="lazy"><figcaption>${i.t('pay.qr')}</figcaption></figure>`
      : undefined;
  const framing = { hero, details, aside };

  if (i.view === 'choose') {
    const form = chooseForm(i, base);
    return {
      ...view,
      regions: {
        ...framing,
        main: html`${alert}${form}`,
        actions:
          i.page.methods.length > 0
            ? html`<button type="submit" form="payform" class="btn">${i.t('pay.button', { amount })}</button>`
            : undefined,
      },
    };
  }
  if (i.view === 'continue') {
    const provider = link.provider_id ? i.catalogue.provider(link.provider_id) : undefined;
    return {
      ...view,
      regions: {
        ...framing,
        main: html`${alert}<form id="payform" method="post" action="${`${base}/authorize`}"><input type="hidden" name="csrf" value="${i.csrf}">${provider ? html`<p>${i.t('pay.method')}: <strong>${provider.name}</strong></p>` : ''}</form>`,
        actions: html`<button type="submit" form="payform" class="btn">${i.t('pay.continue')}</button>`,
      },
    };
  }
  return { ...view, regions: { hero, details, main: html`${alert}${statusOf(i, base)}` } };
}

function detailsList(link: LinkRow, i: PayViewInput, amount: string): Raw {
  const provider = link.provider_id ? i.catalogue.provider(link.provider_id) : undefined;
  return html`<dl class="details">
<div><dt>${i.t('pay.payee')}</dt><dd>${link.creditor_name}</dd></div>
<div><dt>${i.t('pay.iban')}</dt><dd>${link.creditor_iban.replace(/(.{4})/g, '$1 ').trim()}</dd></div>
${link.remittance_info ? html`<div><dt>${i.t('pay.reference')}</dt><dd>${link.remittance_info}</dd></div>` : ''}
<div><dt>${i.t('pay.amount')}</dt><dd class="amount">${amount}</dd></div>
${provider ? html`<div><dt>${i.t('pay.method')}</dt><dd>${provider.name}</dd></div>` : ''}
${i.view === 'choose' || i.view === 'continue' ? html`<div><dt>${i.t('pay.expires')}</dt><dd><time datetime="${link.expires_at.toISOString()}">${displayDate(link.expires_at, i.lang)}</time></dd></div>` : ''}
</dl>`;
}

function methodLabel(i: PayViewInput, m: PaymentMethod): { name: string; sub: string } {
  const provider = i.catalogue.provider(m.providerId);
  const corporateOnly = m.remitterType.length === 1 && m.remitterType[0] === 'corporate';
  const sub = `${i.t(`scheme.${m.paymentScheme}`)}${corporateOnly ? ` · ${i.t('remitter.corporate')}` : ''}`;
  return { name: provider?.name ?? m.providerId, sub };
}

function chooseForm(i: PayViewInput, base: string): Raw {
  const methods = i.page.methods;
  if (methods.length === 0) return html`<p class="alert">${i.t('pay.none')}</p>`;
  const selector = bankPicker({
    selector: i.selector,
    legend: i.t('pay.choose'),
    placeholder: i.t('pay.choose.select'),
    choices: methods.map((m) => ({ id: m.methodId, providerId: m.providerId, ...methodLabel(i, m) })),
    chosen: i.typed.method_id ?? (methods.length === 1 ? methods[0]!.methodId : ''),
  });
  const asks = methods.flatMap((m) => {
    const list = i.page.asks.get(m.methodId) ?? [];
    if (list.length === 0) return [];
    const l = methodLabel(i, m);
    const oneOf = list.filter((a) => a.rule === 'one_of').length > 1;
    return [
      html`<fieldset class="ask" data-method="${m.methodId}"><legend>${i.t('pay.inputs', { bank: `${l.name} — ${l.sub}` })}</legend>
${oneOf ? html`<p class="hint">${i.t('pay.one_of')}</p>` : ''}
${list.map(({ input, rule }) => {
  const id = `${input}-${m.methodId}`;
  const name = `${input}.${m.methodId}`;
  const optional = rule === 'optional' || rule === 'one_of';
  return html`<div class="field"><label for="${id}">${i.t(`pay.${input}`)}${optional ? html` <span class="hint">(${i.t('pay.optional')})</span>` : ''}</label>
<input type="text" id="${id}" name="${name}" value="${i.typed[name] ?? ''}" autocomplete="off" spellcheck="false" aria-describedby="${id}-hint"${raw(input === 'debtor_iban' ? ' autocapitalize="characters" maxlength="42"' : ' maxlength="64"')}${raw(rule === 'required' ? ' required' : '')}>
<span class="hint" id="${id}-hint">${i.t(`pay.${input}.hint`)}</span></div>`;
})}</fieldset>`,
    ];
  });
  return html`<form id="payform" method="post" action="${`${base}/pay`}" data-methods novalidate>
<input type="hidden" name="csrf" value="${i.csrf}">
${selector}
${asks}
</form>`;
}

function statusOf(i: PayViewInput, base: string): Raw {
  const { link } = i.page;
  return statusBlock({
    base,
    lang: i.lang,
    t: i.t,
    csrf: i.csrf,
    state: liveState(link, i.page.expired, i.t, i.lang),
    steps: ['step.choose', 'step.authorise', 'step.process', 'step.done'],
    stepsLabel: i.t('pay.steps'),
    busy: pollingStatuses.concat(['requested']).includes(link.status),
    merchant: link.creditor_name,
  });
}
