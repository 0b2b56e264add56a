import type { JWK } from 'jose';
import type { EventView, OperatorEvent } from '../webhooks/index.js';
import { html, type Lang, type Raw, raw, translator } from '../webui/index.js';
import { type ConsoleFrame, consolePage, hiddenCsrf, langQuery } from './console.view.js';
import type { RedeliveredSet } from './operator.service.js';

const strings: Record<Lang, Record<string, string>> = {
  en: {
    'w.title': 'Webhook deliveries',
    'w.state': 'State',
    'w.any': 'any',
    'w.client': 'client_id',
    'w.filter': 'Filter',
    'w.none': 'No webhook event matches.',
    'w.attempts': 'Attempts',
    'w.noattempts': 'No attempt yet.',
    'w.redeliver': 'Redeliver',
    'w.redeliver.set': 'Redeliver every event shown by this filter',
    'w.redeliver.needstate': 'Choose a state to redeliver a set.',
    'w.redelivered': 'Queued for delivery again.',
    'w.set': 'Queued again: {n}; could not go again: {s}.',
    'w.more': 'More events match: redeliver again for the next ones.',
    'w.url': 'URL',
    'w.payload': 'Payload',
    'k.title': 'Webhook signing keys',
    'k.current': 'current',
    'k.previous': 'previous',
    'k.hint': 'Webhooks are signed with the current key; receivers accept both while they refresh the JWKS.',
    'k.rotate': 'Rotate the keys',
    'k.rotated': 'Rotated: {kid} is the current key.',
  },
  ro: {
    'w.title': 'Livrări de webhookuri',
    'w.state': 'Stare',
    'w.any': 'oricare',
    'w.client': 'client_id',
    'w.filter': 'Filtrați',
    'w.none': 'Niciun eveniment nu corespunde.',
    'w.attempts': 'Încercări',
    'w.noattempts': 'Încă nicio încercare.',
    'w.redeliver': 'Retrimiteți',
    'w.redeliver.set': 'Retrimiteți toate evenimentele acestui filtru',
    'w.redeliver.needstate': 'Alegeți o stare pentru a retrimite un set.',
    'w.redelivered': 'Pus din nou la livrare.',
    'w.set': 'Puse din nou la livrare: {n}; nu pot fi retrimise: {s}.',
    'w.more': 'Mai sunt evenimente: retrimiteți din nou pentru următoarele.',
    'w.url': 'URL',
    'w.payload': 'Conținut',
    'k.title': 'Cheile de semnare a webhookurilor',
    'k.current': 'curentă',
    'k.previous': 'anterioară',
    'k.hint':
      'Webhookurile sunt semnate cu cheia curentă; destinatarii le acceptă pe amândouă cât timp reîncarcă JWKS.',
    'k.rotate': 'Schimbați cheile',
    'k.rotated': 'Schimbate: {kid} este cheia curentă.',
  },
};
const tOf = (lang: Lang) => translator(lang, strings);

export interface DeliveryFilterForm {
  state: string;
  client: string;
}

export interface AttemptLine {
  attempt: number;
  started_at: string;
  status_code: number | null;
  latency_ms: number | null;
  outcome: string;
  error: string | null;
}

/** One event's attempt log (the link page and the delivery page show the same). */
export interface EventWithAttempts {
  event: EventView;
  attempts: AttemptLine[];
}

export function attemptList(attempts: AttemptLine[]): Raw {
  return html`<ol class="attempts">${attempts.map(
    (a) =>
      html`<li><time>${a.started_at}</time>: ${a.outcome} ${a.status_code === null ? '' : String(a.status_code)} ${a.latency_ms === null ? '' : `${a.latency_ms} ms`} ${a.error ?? ''}</li>`,
  )}</ol>`;
}

/** A form that redelivers one event, posting to `action`. */
export const redeliverForm = (f: ConsoleFrame, action: string): Raw =>
  html`<form method="post" action="${`${action}${langQuery(f)}`}">${hiddenCsrf(f)}<button type="submit" class="btn secondary">${tOf(f.lang)('w.redeliver')}</button></form>`;

export type DeliveryNotice =
  | { kind: 'one' }
  | { kind: 'set'; result: RedeliveredSet }
  | { kind: 'error'; text: string };

function noticeOf(f: ConsoleFrame, notice: DeliveryNotice | undefined): Raw {
  const t = tOf(f.lang);
  if (!notice) return html``;
  if (notice.kind === 'error') return html`<p class="alert" role="alert">${notice.text}</p>`;
  if (notice.kind === 'one') return html`<p role="status">${t('w.redelivered')}</p>`;
  const { redelivered, skipped, more } = notice.result;
  return html`<p role="status">${t('w.set', { n: String(redelivered), s: String(skipped) })}${more ? ` ${t('w.more')}` : ''}</p>`;
}

export function deliveriesPage(
  f: ConsoleFrame,
  form: DeliveryFilterForm,
  states: readonly string[],
  rows: (OperatorEvent & { clientName: string })[],
  notice?: DeliveryNotice,
): string {
  const t = tOf(f.lang);
  const list =
    rows.length === 0
      ? html`<p>${t('w.none')}</p>`
      : html`<ul class="events">${rows.map(
          (e) =>
            html`<li><a href="${`/console/webhooks/${e.event_id}${langQuery(f)}`}"><code>${e.type}</code></a> ${e.status}, ${e.attempts} × ${e.last_status_code === null ? '' : String(e.last_status_code)}, ${e.clientName}, <time>${e.created_at}</time></li>`,
        )}</ul>`;
  const setForm = form.state
    ? html`<form method="post" action="${`/console/webhooks/redeliver${langQuery(f)}`}">${hiddenCsrf(f)}
<input type="hidden" name="state" value="${form.state}"><input type="hidden" name="client" value="${form.client}">
<button type="submit" class="btn secondary">${t('w.redeliver.set')}</button></form>`
    : html`<p>${t('w.redeliver.needstate')}</p>`;
  return consolePage(
    f,
    t('w.title'),
    html`${noticeOf(f, notice)}
<form method="get" action="/console/webhooks"><input type="hidden" name="lang" value="${f.lang}">
<div class="field"><label>${t('w.state')}<select name="state"><option value="">${t('w.any')}</option>${states.map(
      (s) => html`<option value="${s}"${raw(s === form.state ? ' selected' : '')}>${s}</option>`,
    )}</select></label></div>
<div class="field"><label>${t('w.client')}<input type="text" name="client" value="${form.client}"></label></div>
<button type="submit" class="btn">${t('w.filter')}</button></form>
${list}
${rows.length > 0 ? setForm : html``}`,
  );
}

export function deliveryPage(
  f: ConsoleFrame,
  event: OperatorEvent,
  clientName: string,
  attempts: AttemptLine[],
  notice?: DeliveryNotice,
): string {
  const t = tOf(f.lang);
  const row = (k: string, v: string | null) => html`<div><dt>${k}</dt><dd>${v ?? '—'}</dd></div>`;
  return consolePage(
    f,
    `${t('w.title')}: ${event.type}`,
    html`${noticeOf(f, notice)}
<dl class="details">
${row('event_id', event.event_id)}${row('object_id', event.object_id)}${row('status', event.status)}${row('client', clientName)}
${row(t('w.url'), event.url)}${row('created_at', event.created_at)}${row('delivered_at', event.delivered_at)}
${row('next_attempt_at', event.next_attempt_at)}${row('last_error', event.last_error)}
</dl>
<h2>${t('w.attempts')}</h2>
${attempts.length === 0 ? html`<p>${t('w.noattempts')}</p>` : attemptList(attempts)}
${redeliverForm(f, `/console/webhooks/${event.event_id}/redeliver`)}
<h2>${t('w.payload')}</h2>
<pre class="payload">${JSON.stringify(event.payload, null, 2)}</pre>
<p><a href="${`/console/webhooks${langQuery(f)}`}">${t('w.title')}</a></p>`,
  );
}

export function keysPage(f: ConsoleFrame, keys: JWK[], rotatedTo?: string): string {
  const t = tOf(f.lang);
  return consolePage(
    f,
    t('k.title'),
    html`${rotatedTo ? html`<p role="status">${t('k.rotated', { kid: rotatedTo })}</p>` : html``}
<p>${t('k.hint')}</p>
<ul class="keys">${keys.map(
      (k, i) =>
        html`<li><code>${k.kid ?? ''}</code> ${k.alg ?? ''} ${k.crv ?? ''} (${i === 0 ? t('k.current') : t('k.previous')})</li>`,
    )}</ul>
<form method="post" action="${`/console/keys/rotate${langQuery(f)}`}">${hiddenCsrf(f)}<button type="submit" class="btn">${t('k.rotate')}</button></form>`,
  );
}
