import type { HistoryRow, LinkRow } from '../pay/index.js';
import type { BankCallRow } from '../providers/index.js';
import { html, type Lang, translator } from '../webui/index.js';
import { type ConsoleFrame, consolePage, langQuery, type SearchForm, searchForm } from './console.view.js';
import { bankCallList } from './console-banks.view.js';
import { attemptList, type EventWithAttempts, redeliverForm } from './console-webhooks.view.js';

const strings: Record<Lang, Record<string, string>> = {
  en: {
    'l.title': 'Payment links',
    'l.q': 'Link id or web_id',
    'l.none': 'No link matches.',
    'l.history': 'Status history',
    'l.webhooks': 'Webhooks sent',
    'l.nowebhooks': 'No webhook for this link.',
    'l.attempts': 'Attempts',
    'l.redelivered': 'Queued for delivery again.',
  },
  ro: {
    'l.title': 'Linkuri de plată',
    'l.q': 'ID-ul linkului sau web_id',
    'l.none': 'Niciun link nu corespunde.',
    'l.history': 'Istoricul stărilor',
    'l.webhooks': 'Webhookuri trimise',
    'l.nowebhooks': 'Niciun webhook pentru acest link.',
    'l.attempts': 'Încercări',
    'l.redelivered': 'Pus din nou la livrare.',
  },
};
const tOf = (lang: Lang) => translator(lang, strings);

export function linksPage(
  f: ConsoleFrame,
  form: SearchForm,
  statuses: readonly string[],
  rows: (LinkRow & { clientName: string })[],
  error?: string,
): string {
  const t = tOf(f.lang);
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
${searchForm(f, '/console/links', form, statuses, t('l.q'))}
${list}`,
  );
}

export function linkPage(
  f: ConsoleFrame,
  link: LinkRow,
  clientName: string,
  seen: { history: HistoryRow[]; events: EventWithAttempts[]; calls: readonly BankCallRow[] },
  notice?: string,
): string {
  const { history, events, calls } = seen;
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
${bankCallList(f, calls)}
<h2>${t('l.webhooks')}</h2>
${webhooks}
<p><a href="${`/console/links${langQuery(f)}`}">${t('l.title')}</a></p>`,
  );
}
