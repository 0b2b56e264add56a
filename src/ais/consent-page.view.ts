import type { AisMethod, Catalogue } from '../providers/index.js';
import {
  displayDate,
  html,
  type Lang,
  type Raw,
  type Regions,
  raw,
  type SelectorStyle,
  type Translate,
} from '../webui/index.js';
import type { Consent } from './consent.repository.js';
import { type ConsentStatus, isFinalConsentStatus } from './consent-status.js';

/** The consent page's own strings; the layout's shared keys (secure, powered, ...) are overridden for AIS. */
export const consentStrings: Record<Lang, Record<string, string>> = {
  en: {
    secure: 'Secure connection',
    powered: 'Account access through Ferry over your bank’s open-banking interface.',
    'pay.reference': 'Details',
    'c.title': 'Share your account data',
    'c.asks': '{client} asks to see your bank account data.',
    'c.client': 'Requested by',
    'c.scope': 'Data shared',
    'c.scope.accounts': 'Your accounts (IBAN, name, currency)',
    'c.scope.balances': 'Balances',
    'c.scope.transactions': 'Transaction history',
    'c.validity': 'Access lasts',
    'c.validity.days': '{days} days after you confirm',
    'c.expires': 'Link valid until',
    'c.bank': 'Bank',
    'c.choose': 'Choose your bank',
    'c.choose.select': 'Select a bank',
    'c.none': 'No bank is available for this request. Please contact {client}.',
    'c.button': 'Continue to your bank',
    'c.other': 'Choose another bank',
    'c.steps': 'Progress',
    'c.step.choose': 'Choose bank',
    'c.step.authorise': 'Confirm at bank',
    'c.step.fetch': 'Reading data',
    'c.step.done': 'Done',
    'c.redirect.title': 'Taking you to your bank…',
    'c.redirect.body': 'You will confirm access on {bank}’s own page.',
    'cs.created': 'Waiting for you',
    'cs.started': 'Waiting for you',
    'cs.requested': 'Contacting your bank…',
    'cs.sca_url_retrieved': 'Your bank is ready for your confirmation',
    'cs.awaiting_authz': 'Waiting for your confirmation at the bank',
    'cs.authorized': 'Confirmed — reading your data…',
    'cs.active': 'Access granted',
    'cs.expired': 'Link expired',
    'cs.revoked': 'Access revoked',
    'cs.failed': 'Access not granted',
    'cs.suspended': 'Access suspended',
    'cm.progress': 'This page updates by itself. You can close it: {client} will be told the result.',
    'cm.active': '{client} can now read the data you shared until {until}.',
    'cm.expired': 'This link has expired. Ask {client} for a new one.',
    'cm.revoked': 'Access to your data has ended.',
    'cm.failed': 'Your bank did not confirm access. Nothing was shared.',
    'cm.suspended': 'Your bank suspended access to this data.',
    'error.notfound': 'This consent link does not exist.',
  },
  ro: {
    secure: 'Conexiune securizată',
    powered: 'Acces la cont prin Ferry, prin interfața open-banking a băncii tale.',
    'pay.reference': 'Detalii',
    'c.title': 'Partajează datele contului',
    'c.asks': '{client} cere acces la datele contului tău bancar.',
    'c.client': 'Solicitat de',
    'c.scope': 'Date partajate',
    'c.scope.accounts': 'Conturile tale (IBAN, nume, monedă)',
    'c.scope.balances': 'Soldurile',
    'c.scope.transactions': 'Istoricul tranzacțiilor',
    'c.validity': 'Acces valabil',
    'c.validity.days': '{days} zile de la confirmare',
    'c.expires': 'Link valabil până la',
    'c.bank': 'Banca',
    'c.choose': 'Alege banca ta',
    'c.choose.select': 'Selectează o bancă',
    'c.none': 'Nicio bancă nu este disponibilă pentru această cerere. Contactează {client}.',
    'c.button': 'Continuă la banca ta',
    'c.other': 'Alege altă bancă',
    'c.steps': 'Progres',
    'c.step.choose': 'Alege banca',
    'c.step.authorise': 'Confirmă la bancă',
    'c.step.fetch': 'Citim datele',
    'c.step.done': 'Gata',
    'c.redirect.title': 'Te ducem la banca ta…',
    'c.redirect.body': 'Vei confirma accesul pe pagina {bank}.',
    'cs.created': 'Te așteptăm',
    'cs.started': 'Te așteptăm',
    'cs.requested': 'Contactăm banca ta…',
    'cs.sca_url_retrieved': 'Banca ta așteaptă confirmarea',
    'cs.awaiting_authz': 'Se așteaptă confirmarea ta la bancă',
    'cs.authorized': 'Confirmat — citim datele…',
    'cs.active': 'Acces acordat',
    'cs.expired': 'Link expirat',
    'cs.revoked': 'Acces revocat',
    'cs.failed': 'Accesul nu a fost acordat',
    'cs.suspended': 'Acces suspendat',
    'cm.progress': 'Pagina se actualizează singură. O poți închide: {client} va afla rezultatul.',
    'cm.active': '{client} poate citi datele partajate până la {until}.',
    'cm.expired': 'Acest link a expirat. Cere un link nou de la {client}.',
    'cm.revoked': 'Accesul la datele tale s-a încheiat.',
    'cm.failed': 'Banca ta nu a confirmat accesul. Nu s-a partajat nimic.',
    'cm.suspended': 'Banca ta a suspendat accesul la aceste date.',
    'error.notfound': 'Acest link de consimțământ nu există.',
  },
};

export type ConsentView = 'choose' | 'continue' | 'progress' | 'final';

export function consentViewOf(consent: Consent): ConsentView {
  if (isFinalConsentStatus(consent.status) || consent.status === 'active') return 'final';
  if (consent.status === 'created' || consent.status === 'started') {
    return consent.flowType === 'link' ? 'choose' : 'progress';
  }
  if (consent.status === 'sca_url_retrieved' || consent.status === 'awaiting_authz') return 'continue';
  return 'progress';
}

/** The client's redirect_url with the consent's id and status (the end of the flow). */
export function redirectTarget(consent: Consent): string | null {
  if (!consent.redirectUrl) return null;
  try {
    const url = new URL(consent.redirectUrl);
    url.searchParams.set('consent_id', consent.id);
    url.searchParams.set('status', consent.status);
    return url.href;
  } catch {
    return null;
  }
}

const stepOf = (s: ConsentStatus): number =>
  s === 'created' || s === 'started'
    ? 0
    : s === 'requested' || s === 'sca_url_retrieved' || s === 'awaiting_authz'
      ? 1
      : s === 'authorized'
        ? 2
        : 3;

/** The state the shared page script applies (SSE, polling endpoint, first render): the pay page's shape. */
export interface LiveState {
  status: ConsentStatus;
  title: string;
  message: string;
  final: boolean;
  ok: boolean;
  step: number;
  resume: boolean;
  redirect: string | null;
  auto: string | null;
}

export function liveState(consent: Consent, client: string, t: Translate, lang: Lang): LiveState {
  const final = consentViewOf(consent) === 'final';
  const redirect = final ? redirectTarget(consent) : null;
  const s = consent.status;
  const message = !final
    ? t('cm.progress', { client })
    : s === 'active'
      ? t('cm.active', {
          client,
          until: consent.authorizedUntil ? displayDate(consent.authorizedUntil, lang) : '',
        })
      : t(`cm.${s}`, { client });
  return {
    status: s,
    title: t(`cs.${s}`),
    message,
    final,
    ok: s === 'active',
    step: final ? 4 : stepOf(s),
    resume: (s === 'sca_url_retrieved' || s === 'awaiting_authz') && !!consent.scaUrl,
    redirect,
    auto: redirect ? t('back.auto', { merchant: client }) : null,
  };
}

export interface ConsentPageInput {
  consent: Consent;
  client: string;
  methods: readonly AisMethod[];
  catalogue: Catalogue;
  t: Translate;
  lang: Lang;
  selector: SelectorStyle;
  csrf: string;
  error?: string | undefined;
}

export function consentRegions(i: ConsentPageInput): { regions: Regions; heading: string } {
  const { consent, t } = i;
  const view = consentViewOf(consent);
  const base = `/consent/${consent.webId}`;
  const heading = view === 'choose' ? t('c.title') : liveState(consent, i.client, t, i.lang).title;
  const hero = html`<p class="who">${t('c.asks', { client: i.client })}</p>`;
  const details = detailsList(i, view);
  const alert = i.error ? html`<div class="alert" role="alert">${i.error}</div>` : html``;
  if (view === 'choose') {
    return {
      heading,
      regions: {
        hero,
        details,
        main: html`${alert}${chooseForm(i, base)}`,
        actions:
          i.methods.length > 0
            ? html`<button type="submit" form="consentform" class="btn">${t('c.button')}</button>`
            : undefined,
      },
    };
  }
  if (view === 'continue') {
    const bank = consent.providerId ? (i.catalogue.provider(consent.providerId)?.name ?? '') : '';
    const other =
      consent.flowType === 'link' && i.methods.length > 1
        ? html`<form method="post" action="${`${base}/reset`}"><input type="hidden" name="csrf" value="${i.csrf}"><button type="submit" class="btn secondary">${t('c.other')}</button></form>`
        : html``;
    return {
      heading,
      regions: {
        hero,
        details,
        main: html`${alert}<form id="consentform" method="post" action="${`${base}/authorize`}"><input type="hidden" name="csrf" value="${i.csrf}"><p>${t('c.bank')}: <strong>${bank}</strong></p></form>${other}`,
        actions: html`<button type="submit" form="consentform" class="btn">${t('c.button')}</button>`,
      },
    };
  }
  return { heading, regions: { hero, details, main: html`${alert}${statusBlock(i, base)}` } };
}

function detailsList(i: ConsentPageInput, view: ConsentView): Raw {
  const { consent, t } = i;
  const provider = consent.providerId ? i.catalogue.provider(consent.providerId) : undefined;
  return html`<dl class="details">
<div><dt>${t('c.client')}</dt><dd>${i.client}</dd></div>
<div><dt>${t('c.scope')}</dt><dd><ul class="scope">${consent.scope.map((s) => html`<li>${t(`c.scope.${s}`)}</li>`)}</ul></dd></div>
<div><dt>${t('c.validity')}</dt><dd>${t('c.validity.days', { days: String(consent.consentValidityDays) })}</dd></div>
${provider ? html`<div><dt>${t('c.bank')}</dt><dd>${provider.name}</dd></div>` : ''}
${view === 'choose' || view === 'continue' ? html`<div><dt>${t('c.expires')}</dt><dd><time datetime="${consent.expiresAt.toISOString()}">${displayDate(consent.expiresAt, i.lang)}</time></dd></div>` : ''}
</dl>`;
}

function chooseForm(i: ConsentPageInput, base: string): Raw {
  const { t, methods } = i;
  if (methods.length === 0) return html`<p class="alert">${t('c.none', { client: i.client })}</p>`;
  const chosen = methods.length === 1 ? methods[0]!.methodId : (i.consent.methodId ?? '');
  const name = (m: AisMethod) => i.catalogue.provider(m.providerId)?.name ?? m.providerId;
  const selector =
    i.selector === 'select'
      ? html`<div class="field"><label for="method">${t('c.choose')}</label><select id="method" name="method_id" required>
<option value="">${t('c.choose.select')}</option>
${methods.map((m) => html`<option value="${m.methodId}"${raw(m.methodId === chosen ? ' selected' : '')}>${name(m)}</option>`)}</select></div>`
      : html`<fieldset><legend>${t('c.choose')}</legend><div class="${i.selector === 'grid' ? 'tiles' : i.selector === 'chips' ? 'methods-chips' : 'methods'}">${methods.map(
          (m) => {
            const id = `m-${m.methodId}`;
            return html`<label class="method" for="${id}"><input type="radio" id="${id}" name="method_id" value="${m.methodId}" required${raw(m.methodId === chosen ? ' checked' : '')}><img src="${`/providers/logos/${m.providerId}.svg`}" alt="" width="36" height="36"><span><span class="m-name">${name(m)}</span></span></label>`;
          },
        )}</div></fieldset>`;
  return html`<form id="consentform" method="post" action="${`${base}/select`}">
<input type="hidden" name="csrf" value="${i.csrf}">
${selector}
</form>`;
}

function statusBlock(i: ConsentPageInput, base: string): Raw {
  const { consent, t } = i;
  const s = liveState(consent, i.client, t, i.lang);
  const steps = ['c.step.choose', 'c.step.authorise', 'c.step.fetch', 'c.step.done'];
  const lang = `?lang=${i.lang}`;
  return html`<div class="status" data-live="${`${base}/events${lang}`}" data-poll="${`${base}/status${lang}`}" data-status="${consent.status}" data-final="${s.final ? '1' : '0'}" data-state="${JSON.stringify(s)}">
<div role="status" aria-live="polite" aria-atomic="true">
<p><span class="badge"${raw(s.final ? ` data-final="${s.ok ? 'ok' : 'bad'}"` : '')}>${s.title}</span> ${s.final ? '' : html`<span class="spin" aria-hidden="true"></span>`}</p>
<h2 class="sr" data-s="title">${s.title}</h2>
<p data-s="message">${s.message}</p>
</div>
<ol class="steps" aria-label="${t('c.steps')}">${steps.map((k, n) => html`<li data-state="${n < s.step ? 'done' : n === s.step ? 'current' : 'todo'}"${raw(n === s.step ? ' aria-current="step"' : '')}>${t(k)}</li>`)}</ol>
<form method="post" action="${`${base}/authorize`}" data-s="resume"${raw(s.resume ? '' : ' hidden')}><input type="hidden" name="csrf" value="${i.csrf}"><button type="submit" class="btn secondary">${t('resume')}</button></form>
<a class="btn" data-s="back" href="${s.redirect ?? '#'}"${raw(s.redirect ? '' : ' hidden')}>${t('back', { merchant: i.client })}</a>
<p class="hint" data-s="auto"></p>
</div>`;
}
