import type { BankCallRow, BankHealthRow, DashboardRow } from '../providers/index.js';
import { html, type Lang, type Raw, translator } from '../webui/index.js';
import { type ConsoleFrame, consolePage } from './console.view.js';

const strings: Record<Lang, Record<string, string>> = {
  en: {
    'b.calls': 'Bank calls',
    'b.nocalls': 'No bank call for this object.',
    'b.title': 'Banks',
    'b.hint':
      'The catalogue as /dashboard/providers shows it, with each bank’s calls over the last 24 hours (every page of a transaction listing is one call).',
    'b.health': 'Last 24 h',
    'b.nohealth': 'no call',
    'b.payments': 'Payment methods',
    'b.ais': 'Account information methods',
  },
  ro: {
    'b.calls': 'Apeluri către bancă',
    'b.nocalls': 'Niciun apel către bancă pentru acest obiect.',
    'b.title': 'Bănci',
    'b.hint':
      'Catalogul așa cum îl arată /dashboard/providers, cu apelurile fiecărei bănci din ultimele 24 de ore (fiecare pagină de tranzacții este un apel).',
    'b.health': 'Ultimele 24 h',
    'b.nohealth': 'niciun apel',
    'b.payments': 'Metode de plată',
    'b.ais': 'Metode de informare despre conturi',
  },
};
const tOf = (lang: Lang) => translator(lang, strings);

/** The bank calls made for a link or consent: when, which operation, the outcome, the HTTP status, latency. */
export function bankCallList(f: ConsoleFrame, calls: readonly BankCallRow[]): Raw {
  const t = tOf(f.lang);
  return html`<h2>${t('b.calls')}</h2>
${
  calls.length === 0
    ? html`<p>${t('b.nocalls')}</p>`
    : html`<ol class="bank-calls">${calls.map(
        (c) =>
          html`<li><time>${c.at.toISOString()}</time> ${c.provider_id} ${c.operation}: ${c.outcome}${c.http_status ? ` (HTTP ${c.http_status})` : ''}, ${c.latency_ms} ms</li>`,
      )}</ol>`
}`;
}

const healthText = (h: BankHealthRow) =>
  `${h.calls} calls, ${((100 * h.ok) / h.calls).toFixed(1)}% ok, p50 ${h.p50_ms} ms, p95 ${h.p95_ms} ms`;

/** Every bank of the catalogue with its methods, and its recent success rate and latency. */
export function providersPage(
  f: ConsoleFrame,
  rows: readonly DashboardRow[],
  health: ReadonlyMap<string, BankHealthRow>,
): string {
  const t = tOf(f.lang);
  return consolePage(
    f,
    t('b.title'),
    html`<p>${t('b.hint')}</p>
<ul class="providers">${rows.map(({ provider: p, payments, ais }) => {
      const h = health.get(p.providerId);
      return html`<li id="${`p-${p.providerId}`}"><strong>${p.name}</strong> <code>${p.providerId}</code> · ${p.bic} · ${p.country}
<p class="health">${t('b.health')}: ${h ? healthText(h) : t('b.nohealth')}</p>
<p>${t('b.payments')}: ${payments.length === 0 ? '—' : payments.map((m, i) => html`${i ? ', ' : ''}<code>${m.methodId}</code> (${m.env}, ${m.paymentScheme}, ${m.currencies.join('/')})`)}</p>
<p>${t('b.ais')}: ${ais.length === 0 ? '—' : ais.map((m, i) => html`${i ? ', ' : ''}<code>${m.methodId}</code> (${m.interfaceEnv}, ${m.maxConsentValidityDays} days, ${m.frequencyPerDay}/day)`)}</p></li>`;
    })}</ul>`,
  );
}
