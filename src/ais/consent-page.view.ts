import type { AisMethod, Catalogue } from '../providers/index.js';
import {
  bankPicker,
  displayDate,
  html,
  type Lang,
  type LiveState,
  type PageView,
  type Raw,
  returnUrl,
  statusBlock,
  stepOf,
  type Translate,
  type ViewInput,
} from '../webui/index.js';
import type { Consent } from './consent.repository.js';
import { type ConsentStatus, isFinalConsentStatus } from './consent-status.js';

/** The consent page's own strings; the kit's shared keys (secure, powered, redirect.*, ...) are overridden for AIS. */
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
    'redirect.title': 'Taking you to your bank…',
    'redirect.body': 'You will confirm access on {bank}’s own page.',
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
    'redirect.title': 'Te ducem la banca ta…',
    'redirect.body': 'Vei confirma accesul pe pagina {bank}.',
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

/** The statuses of the first three steps (choose, authorise, reading data); the rest are the last. */
const steps: readonly (readonly ConsentStatus[])[] = [
  ['created', 'started'],
  ['requested', 'sca_url_retrieved', 'awaiting_authz'],
  ['authorized'],
];

export function liveState(
  consent: Consent,
  client: string,
  t: Translate,
  lang: Lang,
): LiveState<ConsentStatus> {
  const final = consentViewOf(consent) === 'final';
  const s = consent.status;
  // The end of the flow: the client's redirect_url with the consent's id and status.
  const redirect = final ? returnUrl(consent.redirectUrl, { consent_id: consent.id, status: s }) : null;
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
    step: final ? 4 : stepOf(s, steps),
    resume: (s === 'sca_url_retrieved' || s === 'awaiting_authz') && !!consent.scaUrl,
    redirect,
    auto: redirect ? t('back.auto', { merchant: client }) : null,
  };
}

export interface ConsentPageInput extends ViewInput {
  consent: Consent;
  client: string;
  methods: readonly AisMethod[];
  catalogue: Catalogue;
}

export function consentRegions(i: ConsentPageInput): PageView {
  const { consent, t } = i;
  const view = consentViewOf(consent);
  const base = `/consent/${consent.webId}`;
  const heading = view === 'choose' ? t('c.title') : liveState(consent, i.client, t, i.lang).title;
  const hero = html`<p class="who">${t('c.asks', { client: i.client })}</p>`;
  const details = detailsList(i, view);
  const { alert } = i;
  const page = { heading, title: heading, progress: view === 'progress' };
  if (view === 'choose') {
    return {
      ...page,
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
      ...page,
      regions: {
        hero,
        details,
        main: html`${alert}<form id="consentform" method="post" action="${`${base}/authorize`}"><input type="hidden" name="csrf" value="${i.csrf}"><p>${t('c.bank')}: <strong>${bank}</strong></p></form>${other}`,
        actions: html`<button type="submit" form="consentform" class="btn">${t('c.button')}</button>`,
      },
    };
  }
  return { ...page, regions: { hero, details, main: html`${alert}${statusOf(i, base)}` } };
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
  const selector = bankPicker({
    selector: i.selector,
    legend: t('c.choose'),
    placeholder: t('c.choose.select'),
    choices: methods.map((m) => ({
      id: m.methodId,
      providerId: m.providerId,
      name: i.catalogue.provider(m.providerId)?.name ?? m.providerId,
    })),
    chosen: methods.length === 1 ? methods[0]!.methodId : (i.consent.methodId ?? ''),
  });
  return html`<form id="consentform" method="post" action="${`${base}/select`}">
<input type="hidden" name="csrf" value="${i.csrf}">
${selector}
</form>`;
}

function statusOf(i: ConsentPageInput, base: string): Raw {
  return statusBlock({
    base,
    lang: i.lang,
    t: i.t,
    csrf: i.csrf,
    state: liveState(i.consent, i.client, i.t, i.lang),
    steps: ['c.step.choose', 'c.step.authorise', 'c.step.fetch', 'c.step.done'],
    stepsLabel: i.t('c.steps'),
    busy: true,
    merchant: i.client,
  });
}
