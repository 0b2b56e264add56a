import type { HistoryRow, LinkRow } from '../pay/index.js';
import type { EventView } from '../webhooks/index.js';
import { html, type Lang, raw, translator } from '../webui/index.js';
import { type ConsoleFrame, consolePage, langQuery } from './console.view.js';
import { type AttemptLine, attemptList, redeliverForm } from './console-webhooks.view.js';

const strings: Record<Lang, Record<string, string>> = {
  en: {
    'l.title': 'Payment links',
    'l.search': 'Search',
    'l.q': 'Link id or web_id',
    'l.status': 'Status',
    'l.any': 'any',
    'l.client': 'client_id',
    'l.from': 'Created from (YYYY-MM-DD)',
    'l.to': 'Created before (YYYY-MM-DD)',
    'l.none': 'No link matches.',
    'l.history': 'Status history',
    'l.webhooks': 'Webhooks sent',
    'l.nowebhooks': 'No webhook for this link.',
    'l.attempts': 'Attempts',
    'l.redelivered': 'Queued for delivery again.',
  },
  ro: {
    'l.title': 'Linkuri de plată',
    'l.search': 'Căutați',
    'l.q': 'ID-ul linkului sau web_id',
    'l.status': 'Stare',
    'l.any': 'oricare',
    'l.client': 'client_id',
    'l.from': 'Create din (AAAA-LL-ZZ)',
    'l.to': 'Create înainte de (AAAA-LL-ZZ)',
    'l.none': 'Niciun link nu corespunde.',
    'l.history': 'Istoricul stărilor',
    'l.webhooks': 'Webhookuri trimise',
    'l.nowebhooks': 'Niciun webhook pentru acest link.',
    'l.attempts': 'Încercări',
    'l.redelivered': 'Pus din nou la livrare.',
  },
};
const tOf = (lang: Lang) => translator(lang, strings);

export interface LinkSearchForm {
  q: string;
  status: string;
  client: string;
  from: string;
  to: string;
}

export function linksPage(
  f: ConsoleFrame,
  form: LinkSearchForm,
  statuses: readonly string[],
  rows: (LinkRow & { clientName: string })[],
  error?: string,
): string {
  const t = tOf(f.lang);
  const input = (name: keyof LinkSearchForm, label: string) =>
    html`<div class="field"><label>${label}<input type="text" name="${name}" value="${form[name]}"></label></div>`;
  const list =
    rows.length === 0
      ? html`<p>${t('l.none')}</p>`
      : html`<ul class="links">${rows.map(
          (l) =>
            html`<li><a href="${`/console/links/${l.id}${langQuery(f)}`}"><code>${l.web_id}</code></a> ${l.status} ${l.amount} ${l.currency}, ${l.clientName}, <time>${l.created_at.toISOString()}</time></li>`,
        )}</ul>`;
  return consolePage(
    f,
    t('l.title'),
    html`${error ? html`<p class="alert" role="alert">${error}</p>` : html``}
<form method="get" action="/console/links"><input type="hidden" name="lang" value="${f.lang}">
${input('q', t('l.q'))}
<div class="field"><label>${t('l.status')}<select name="status"><option value="">${t('l.any')}</option>${statuses.map(
      (s) => html`<option value="${s}"${raw(s === form.status ? ' selected' : '')}>${s}</option>`,
    )}</select></label></div>
${input('client', t('l.client'))}${input('from', t('l.from'))}${input('to', t('l.to'))}
<button type="submit" class="btn">${t('l.search')}</button></form>
${list}`,
  );
}

export interface EventWithAttempts {
  event: EventView;
  attempts: AttemptLine[];
}

export function linkPage(
  f: ConsoleFrame,
  link: LinkRow,
  clientName: string,
  history: HistoryRow[],
  events: EventWithAttempts[],
  notice?: string,
): string {
  const t = tOf(f.lang);
  const row = (k: string, v: string | null) => html`<div><dt>${k}</dt><dd>${v ?? '—'}</dd></div>`;
  const webhooks =
    events.length === 0
      ? html`<p>${t('l.nowebhooks')}</p>`
      : html`<ul class="events">${events.map(
          ({
            event,
            attempts,
          }) => html`<li id="${`e-${event.event_id}`}"><strong>${event.type}</strong> ${event.status}, <time>${event.created_at}</time>
<p>${t('l.attempts')}:</p>${attemptList(attempts)}
${redeliverForm(f, `/console/links/${link.id}/events/${event.event_id}/redeliver`)}</li>`,
        )}</ul>`;
  return consolePage(
    f,
    `${t('l.title')}: ${link.web_id}`,
    html`${notice ? html`<p role="status">${notice === 'redelivered' ? t('l.redelivered') : notice}</p>` : html``}
<dl class="details">
${row('link_id', link.id)}${row('web_id', link.web_id)}${row('status', link.status)}${row('client', clientName)}
${row('amount', `${link.amount} ${link.currency}`)}${row('provider', link.provider_id)}${row('bank_status', link.bank_status)}
${row('created_at', link.created_at.toISOString())}
</dl>
<h2>${t('l.history')}</h2>
<ol class="history">${history.map((h) => html`<li><time>${h.at.toISOString()}</time> ${h.status} (${h.event}${h.bank_status ? `, ${h.bank_status}` : ''})</li>`)}</ol>
<h2>${t('l.webhooks')}</h2>
${webhooks}
<p><a href="${`/console/links${langQuery(f)}`}">${t('l.title')}</a></p>`,
  );
}
