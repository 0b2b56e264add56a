import type { Consent, Job } from '../ais/index.js';
import type { BankCallRow } from '../providers/index.js';
import { html, type Lang, translator } from '../webui/index.js';
import { type ConsoleFrame, consolePage, langQuery, type SearchForm, searchForm } from './console.view.js';
import { bankCallList } from './console-banks.view.js';
import { attemptList, type EventWithAttempts } from './console-webhooks.view.js';

const strings: Record<Lang, Record<string, string>> = {
  en: {
    'c.title': 'Consents',
    'c.q': 'Consent id or web_id',
    'c.none': 'No consent matches.',
    'c.jobs': 'Refresh jobs',
    'c.nojobs': 'No refresh job yet.',
    'c.phases': 'Phases',
    'c.errors': 'Errors',
    'c.webhooks': 'Webhooks sent',
    'c.nowebhooks': 'No webhook for this consent.',
    'c.open': 'Open (redeliver)',
  },
  ro: {
    'c.title': 'Consimțăminte',
    'c.q': 'ID-ul consimțământului sau web_id',
    'c.none': 'Niciun consimțământ nu corespunde.',
    'c.jobs': 'Actualizări',
    'c.nojobs': 'Încă nicio actualizare.',
    'c.phases': 'Etape',
    'c.errors': 'Erori',
    'c.webhooks': 'Webhookuri trimise',
    'c.nowebhooks': 'Niciun webhook pentru acest consimțământ.',
    'c.open': 'Deschideți (retrimitere)',
  },
};
const tOf = (lang: Lang) => translator(lang, strings);
const iso = (d: Date | null) => d?.toISOString() ?? null;

export function consentsPage(
  f: ConsoleFrame,
  form: SearchForm,
  statuses: readonly string[],
  rows: (Consent & { clientName: string })[],
  error?: string,
): string {
  const t = tOf(f.lang);
  const list =
    rows.length === 0
      ? html`<p>${t('c.none')}</p>`
      : html`<ul class="consents">${rows.map(
          (c) =>
            html`<li><a href="${`/console/consents/${c.id}${langQuery(f)}`}"><code>${c.webId}</code></a> ${c.status} ${c.providerId ?? ''}, ${c.clientName}, <time>${c.createdAt.toISOString()}</time></li>`,
        )}</ul>`;
  return consolePage(
    f,
    t('c.title'),
    html`${error ? html`<p class="alert" role="alert">${error}</p>` : html``}
${searchForm(f, '/console/consents', form, statuses, t('c.q'))}
${list}`,
  );
}

/** One refresh job: its status, and per phase what it fetched and wrote and how long it took. */
function jobItem(t: (key: string) => string, job: Job) {
  const r = job.results;
  const ms = r.durations_ms;
  return html`<li id="${`j-${job.id}`}"><strong>${job.kind}</strong> ${job.status}, <time>${job.createdAt.toISOString()}</time>${job.finishedAt ? html` → <time>${job.finishedAt.toISOString()}</time>` : html``} (${job.attempts}×)
<p>${t('c.phases')}:</p><ul class="phases">
<li>accounts: ${r.accounts.fetched} fetched, ${r.accounts.inserted} new, ${r.accounts.updated} updated, ${ms.accounts} ms</li>
<li>balances: ${r.balances.inserted} new, ${ms.balances} ms</li>
<li>transactions: ${r.transactions.inserted} new, ${r.transactions.updated} updated, ${r.transactions.pending_replaced} pending replaced, ${r.transactions.pending_removed} pending removed, ${ms.transactions} ms</li>
</ul>${
    r.errors.length || job.error
      ? html`<p>${t('c.errors')}:</p><ul class="job-errors">${job.error ? html`<li>${job.error}</li>` : html``}${r.errors.map(
          (e) => html`<li>${e.stage}${e.account_id ? ` ${e.account_id}` : ''}: ${e.code} ${e.message}</li>`,
        )}</ul>`
      : html``
  }</li>`;
}

export function consentPage(
  f: ConsoleFrame,
  consent: Consent,
  clientName: string,
  jobs: Job[],
  events: EventWithAttempts[],
  calls: readonly BankCallRow[],
): string {
  const t = tOf(f.lang);
  const row = (k: string, v: string | null) => html`<div><dt>${k}</dt><dd>${v ?? '—'}</dd></div>`;
  const c = consent;
  // No PSU data (IBAN, PSU id) and no bank consent id: the console shows what an operator needs to follow a case.
  return consolePage(
    f,
    `${t('c.title')}: ${c.webId}`,
    html`<dl class="details">
${row('consent_id', c.id)}${row('web_id', c.webId)}${row('status', c.status)}${row('status_reason', c.statusReason)}
${row('client', clientName)}${row('provider', c.providerId)}${row('method', c.methodId)}${row('flow', c.flowType)}
${row('scope', c.scope.join(', '))}${row('created_at', iso(c.createdAt))}${row('expires_at', iso(c.expiresAt))}
${row('authorized_at', iso(c.authorizedAt))}${row('authorized_until', iso(c.authorizedUntil))}${row('bank_checked_at', iso(c.bankCheckedAt))}
</dl>
<h2>${t('c.jobs')}</h2>
${jobs.length === 0 ? html`<p>${t('c.nojobs')}</p>` : html`<ol class="jobs">${jobs.map((j) => jobItem(t, j))}</ol>`}
${bankCallList(f, calls)}
<h2>${t('c.webhooks')}</h2>
${
  events.length === 0
    ? html`<p>${t('c.nowebhooks')}</p>`
    : html`<ul class="events">${events.map(
        ({ event, attempts }) =>
          html`<li><strong>${event.type}</strong> ${event.status}, <time>${event.created_at}</time>${attemptList(attempts)}<a href="${`/console/webhooks/${event.event_id}${langQuery(f)}`}">${t('c.open')}</a></li>`,
      )}</ul>`
}
<p><a href="${`/console/consents${langQuery(f)}`}">${t('c.title')}</a></p>`,
  );
}
