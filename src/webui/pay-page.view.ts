import type { PageLink } from '../pay/index.js';
import { isFinal, type LinkRow, type LinkStatus, pollingStatuses } from '../pay/index.js';
import type { Catalogue, PaymentMethod } from '../providers/index.js';
import { html, type Raw, raw } from './html.js';
import { displayAmount, displayDate, type Lang, type Translate } from './i18n.js';
import type { Regions, SelectorStyle } from './templates.js';

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

/** Where the payer goes back to: the client's redirect_url with the link's ids and status. */
export function redirectTarget(link: LinkRow): string | undefined {
  if (!link.redirect_url) return undefined;
  try {
    const url = new URL(link.redirect_url);
    url.searchParams.set('link_id', link.id);
    url.searchParams.set('web_id', link.web_id);
    url.searchParams.set('status', link.status);
    return url.href;
  } catch {
    return undefined;
  }
}

const stepOf = (s: LinkStatus): number =>
  s === 'created' || s === 'started'
    ? 0
    : s === 'requested' || s === 'intent_accepted' || s === 'awaiting_authz'
      ? 1
      : s === 'received' || s === 'submitted'
        ? 2
        : 3;

const okStatuses: readonly LinkStatus[] = ['completed', 'funds_received'];

/** The state the page script applies (also sent over SSE and the polling endpoint). */
export interface LiveState {
  status: LinkStatus;
  title: string;
  message: string;
  final: boolean;
  ok: boolean;
  step: number;
  resume: boolean;
  redirect: string | null;
  auto: string | null;
}

export function liveState(link: LinkRow, expired: boolean, t: Translate, lang: Lang): LiveState {
  const final = isFinal(link.status) || expired;
  const redirect = final ? (redirectTarget(link) ?? null) : null;
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
    step: final ? 4 : stepOf(link.status),
    resume:
      (link.status === 'awaiting_authz' || link.status === 'intent_accepted') && !!link.sca_url && !expired,
    redirect,
    auto: redirect ? t('back.auto', { merchant }) : null,
  };
}

export interface PayPageInput {
  page: PageLink;
  view: PayView;
  t: Translate;
  lang: Lang;
  catalogue: Catalogue;
  selector: SelectorStyle;
  csrf: string;
  error?: string | undefined;
  /** Values the payer typed, to refill the form after an error. */
  typed?: Record<string, string>;
  now: Date;
}

export function payRegions(i: PayPageInput): { regions: Regions; heading: string; title: string } {
  const { link } = i.page;
  const amount = displayAmount(link.amount, link.currency, i.lang);
  // One heading for every view: the status lives in the live region, which the page script keeps current.
  const heading = i.t('pay.heading', { creditor: link.creditor_name });
  const base = `/pay/${link.web_id}`;
  const hero = html`<p class="hero-line"><span class="label">${i.t('pay.total')}</span> <span class="amount">${amount}</span>${link.remittance_info ? html` <span class="who">${link.remittance_info}</span>` : ''}</p>`;
  const details = detailsList(link, i, amount);
  const alert = i.error ? html`<div class="alert" role="alert">${i.error}</div>` : html``;
  const aside =
    i.view === 'choose' || i.view === 'continue'
      ? html`<figure class="qr"><img src="${`${base}/qr.svg`}" alt="${i.t('pay.qr.alt')}" width="168" height="168" loading="lazy"><figcaption>${i.t('pay.qr')}</figcaption></figure>`
      : undefined;

  if (i.view === 'choose') {
    const form = chooseForm(i, base);
    return {
      heading,
      title: heading,
      regions: {
        hero,
        details,
        aside,
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
      heading,
      title: heading,
      regions: {
        hero,
        details,
        aside,
        main: html`${alert}<form id="payform" method="post" action="${`${base}/authorize`}"><input type="hidden" name="csrf" value="${i.csrf}">${provider ? html`<p>${i.t('pay.method')}: <strong>${provider.name}</strong></p>` : ''}</form>`,
        actions: html`<button type="submit" form="payform" class="btn">${i.t('pay.continue')}</button>`,
      },
    };
  }
  return { heading, title: heading, regions: { hero, details, main: html`${alert}${statusBlock(i, base)}` } };
}

function detailsList(link: LinkRow, i: PayPageInput, amount: string): Raw {
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

function methodLabel(i: PayPageInput, m: PaymentMethod): { name: string; sub: string } {
  const provider = i.catalogue.provider(m.providerId);
  const corporateOnly = m.remitterType.length === 1 && m.remitterType[0] === 'corporate';
  const sub = `${i.t(`scheme.${m.paymentScheme}`)}${corporateOnly ? ` · ${i.t('remitter.corporate')}` : ''}`;
  return { name: provider?.name ?? m.providerId, sub };
}

function chooseForm(i: PayPageInput, base: string): Raw {
  const methods = i.page.methods;
  if (methods.length === 0) return html`<p class="alert">${i.t('pay.none')}</p>`;
  const chosen = i.typed?.method_id ?? (methods.length === 1 ? methods[0]!.methodId : '');
  const selector =
    i.selector === 'select'
      ? html`<div class="field"><label for="method">${i.t('pay.choose')}</label><select id="method" name="method_id" required>
<option value="">${i.t('pay.choose.select')}</option>
${methods.map((m) => {
  const l = methodLabel(i, m);
  return html`<option value="${m.methodId}"${raw(m.methodId === chosen ? ' selected' : '')}>${l.name} — ${l.sub}</option>`;
})}</select></div>`
      : html`<fieldset><legend>${i.t('pay.choose')}</legend><div class="${i.selector === 'grid' ? 'tiles' : i.selector === 'chips' ? 'methods-chips' : 'methods'}">${methods.map(
          (m) => {
            const l = methodLabel(i, m);
            const id = `m-${m.methodId}`;
            return html`<label class="method" for="${id}"><input type="radio" id="${id}" name="method_id" value="${m.methodId}" required${raw(m.methodId === chosen ? ' checked' : '')}><img src="${`/providers/logos/${m.providerId}.svg`}" alt="" width="36" height="36"><span><span class="m-name">${l.name}</span><span class="m-sub">${l.sub}</span></span></label>`;
          },
        )}</div></fieldset>`;
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
<input type="text" id="${id}" name="${name}" value="${i.typed?.[name] ?? ''}" autocomplete="off" spellcheck="false" aria-describedby="${id}-hint"${raw(input === 'debtor_iban' ? ' autocapitalize="characters" maxlength="42"' : ' maxlength="64"')}${raw(rule === 'required' ? ' required' : '')}>
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

function statusBlock(i: PayPageInput, base: string): Raw {
  const { link } = i.page;
  const s = liveState(link, i.page.expired, i.t, i.lang);
  const steps = ['step.choose', 'step.authorise', 'step.process', 'step.done'];
  const lang = `?lang=${i.lang}`;
  const live = !s.final && pollingStatuses.concat(['requested']).includes(link.status);
  return html`<div class="status" data-live="${`${base}/events${lang}`}" data-poll="${`${base}/status${lang}`}" data-status="${link.status}" data-final="${s.final ? '1' : '0'}" data-state="${JSON.stringify(s)}">
<div role="status" aria-live="polite" aria-atomic="true">
<p><span class="badge"${raw(s.final ? ` data-final="${s.ok ? 'ok' : 'bad'}"` : '')}>${s.title}</span> ${live ? html`<span class="spin" aria-hidden="true"></span>` : ''}</p>
<h2 class="sr" data-s="title">${s.title}</h2>
<p data-s="message">${s.message}</p>
</div>
<ol class="steps" aria-label="${i.t('pay.steps')}">${steps.map((k, n) => html`<li data-state="${n < s.step ? 'done' : n === s.step ? 'current' : 'todo'}"${raw(n === s.step ? ' aria-current="step"' : '')}>${i.t(k)}</li>`)}</ol>
<form method="post" action="${`${base}/authorize`}" data-s="resume"${raw(s.resume ? '' : ' hidden')}><input type="hidden" name="csrf" value="${i.csrf}"><button type="submit" class="btn secondary">${i.t('resume')}</button></form>
<a class="btn" data-s="back" href="${s.redirect ?? '#'}"${raw(s.redirect ? '' : ' hidden')}>${i.t('back', { merchant: link.creditor_name })}</a>
<p class="hint" data-s="auto"></p>
</div>`;
}
