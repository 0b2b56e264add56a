import { createHash } from 'node:crypto';
import type { Catalogue } from './catalogue.js';
import {
  type AisMethod,
  type Env,
  envs,
  type PaymentMethod,
  type PaymentScheme,
  type Provider,
  paymentSchemes,
  type RemitterType,
  remitterTypes,
} from './catalogue.types.js';
import { Html, html } from './html.js';
import { logoPath } from './provider-view.js';

export const dashboardPath = '/dashboard/providers';

export interface DashboardFilter {
  env: Env | undefined;
  remitter: RemitterType | undefined;
  /** Payment schemes only: choosing one hides AIS methods, which have none. */
  scheme: PaymentScheme | undefined;
  show: 'all' | 'pay' | 'ais';
  /** Case-insensitive match on name, provider_id or BIC. */
  q: string | undefined;
}

const shows = ['all', 'pay', 'ais'] as const;

/** Lenient on purpose: a public page answers unknown filter values with "any", not an error. */
export function parseDashboardQuery(query: unknown): DashboardFilter {
  const q = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  const pick = <T extends string>(key: string, allowed: readonly T[]): T | undefined => {
    const v = q[key];
    return typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
  };
  const text = typeof q.q === 'string' ? q.q.trim().slice(0, 64) : '';
  return {
    env: pick('env', envs),
    remitter: pick('remitter', remitterTypes),
    scheme: pick('scheme', paymentSchemes),
    show: pick('show', shows) ?? 'all',
    q: text || undefined,
  };
}

export interface DashboardRow {
  provider: Provider;
  payments: PaymentMethod[];
  ais: AisMethod[];
}

export function dashboardRows(catalogue: Catalogue, f: DashboardFilter): DashboardRow[] {
  const needle = f.q?.toLowerCase();
  return catalogue.providers.flatMap((provider) => {
    if (
      needle &&
      ![provider.name, provider.providerId, provider.bic].some((s) => s.toLowerCase().includes(needle))
    ) {
      return [];
    }
    const payments =
      f.show === 'ais'
        ? []
        : catalogue.findPaymentMethods(
            {
              providerId: provider.providerId,
              ...(f.env ? { env: f.env } : {}),
              ...(f.remitter ? { remitterType: f.remitter } : {}),
              ...(f.scheme ? { paymentScheme: f.scheme } : {}),
            },
            'any',
          );
    const ais =
      f.show === 'pay' || (f.scheme && f.show === 'all')
        ? []
        : catalogue.findAisMethods(
            {
              providerId: provider.providerId,
              ...(f.env ? { interfaceEnv: f.env } : {}),
              ...(f.remitter ? { accountOwnerType: f.remitter } : {}),
            },
            'any',
          );
    return payments.length + ais.length > 0 ? [{ provider, payments, ais }] : [];
  });
}

const css = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1f24;background:#f4f5f7}
.wrap{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0}
h2{font-size:1.15rem;margin:0}
h3{font-size:.8rem;text-transform:uppercase;letter-spacing:.05em;color:#5b6470;margin:1rem 0 .4rem}
code{font:.85em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
.muted{color:#5b6470}
form.filters{display:flex;flex-wrap:wrap;gap:.6rem;align-items:flex-end;background:#fff;border:1px solid #dde1e6;border-radius:.6rem;padding:.8rem;margin:1rem 0}
form.filters label{display:flex;flex-direction:column;font-size:.8rem;color:#5b6470;flex:1 1 9rem;min-width:0}
select,input,button{font:inherit;font-size:.95rem;padding:.4rem .5rem;border:1px solid #c3c9d1;border-radius:.4rem;background:#fff;color:inherit;width:100%;min-width:0}
.actions{display:flex;gap:.6rem;align-items:center;flex:1 1 9rem}
button{background:#1f4fd1;border-color:#1f4fd1;color:#fff;cursor:pointer;width:auto}
.provider{background:#fff;border:1px solid #dde1e6;border-radius:.6rem;padding:1rem;margin:0 0 1rem}
.provider>header{display:flex;gap:.75rem;align-items:center}
.provider>header img{flex:none;border-radius:.5rem}
.provider>header p{margin:.1rem 0 0;font-size:.85rem}
ul.methods{list-style:none;margin:0;padding:0;display:grid;gap:.5rem;grid-template-columns:repeat(auto-fill,minmax(min(100%,16rem),1fr))}
ul.methods li{border:1px solid #e6e9ed;border-radius:.5rem;padding:.55rem .65rem;min-width:0}
.tags{display:flex;flex-wrap:wrap;gap:.3rem;margin-top:.35rem}
.tag{font-size:.75rem;border-radius:1rem;padding:.05rem .55rem;background:#eef1f5;white-space:nowrap}
.env-sandbox{background:#fff2cc}.env-stage{background:#e0ecff}.env-prod{background:#dcf5e3}
.inputs{font-size:.8rem;margin:.35rem 0 0}
footer{font-size:.85rem;color:#5b6470;padding:1rem 0 2rem}
`.trim();

/** For the CSP: the one inline stylesheet is allowed by hash, so no 'unsafe-inline' and no extra request. */
export const dashboardStyleHash = `sha256-${createHash('sha256').update(css).digest('base64')}`;

const labels: Record<string, string> = {
  sandbox: 'Sandbox',
  stage: 'Stage',
  prod: 'Production',
  retail: 'Retail',
  corporate: 'Corporate',
  instant: 'Instant',
  domestic: 'Domestic',
  sepa: 'SEPA',
  all: 'All',
  pay: 'Payments',
  ais: 'AIS',
};

function select(
  name: string,
  label: string,
  values: readonly string[],
  current: string | undefined,
  any?: string,
) {
  return html`<label>${label}<select name="${name}">${any ? html`<option value="">${any}</option>` : ''}${values.map(
    (v) => html`<option value="${v}"${v === current ? new Html(' selected') : ''}>${labels[v] ?? v}</option>`,
  )}</select></label>`;
}

function inputsNote(m: PaymentMethod): Html | '' {
  const entries = Object.entries(m.inputs);
  if (entries.length === 0) return '';
  const names: Record<string, string> = { debtor_iban: 'payer IBAN', psu_id: 'bank user ID' };
  const oneOf = entries.filter(([, r]) => r === 'one_of').map(([n]) => names[n] ?? n);
  const parts = [
    ...entries.filter(([, r]) => r === 'required').map(([n]) => `${names[n] ?? n} (required)`),
    ...(oneOf.length ? [`${oneOf.join(' or ')}`] : []),
    ...entries.filter(([, r]) => r === 'optional').map(([n]) => `${names[n] ?? n} (optional)`),
  ];
  return html`<p class="inputs muted">Needs: ${parts.join('; ')}</p>`;
}

function paymentItem(m: PaymentMethod): Html {
  return html`<li><strong>${m.name}</strong><br><code>${m.methodId}</code>
<div class="tags"><span class="tag env-${m.env}">${labels[m.env]}</span><span class="tag">${labels[m.paymentScheme]}</span>${m.remitterType.map(
    (r) => html`<span class="tag">${labels[r]}</span>`,
  )}${m.currencies.map((c) => html`<span class="tag">${c}</span>`)}</div>${inputsNote(m)}</li>`;
}

function aisItem(m: AisMethod): Html {
  return html`<li><strong>${m.name}</strong><br><code>${m.methodId}</code>
<div class="tags"><span class="tag env-${m.interfaceEnv}">${labels[m.interfaceEnv]}</span><span class="tag">${m.interfaceType}</span>${m.accountOwnerType.map(
    (r) => html`<span class="tag">${labels[r]}</span>`,
  )}</div><p class="inputs muted">Consent up to ${m.maxConsentValidityDays} days, ${m.frequencyPerDay} unattended refreshes a day</p></li>`;
}

function providerCard({ provider: p, payments, ais }: DashboardRow): Html {
  return html`<section class="provider" id="p-${p.providerId}">
<header><img src="${logoPath(p.providerId)}" alt="" width="40" height="40"><div><h2>${p.name}</h2><p class="muted"><code>${p.providerId}</code> · ${p.bic} · ${p.country}</p></div></header>
${payments.length ? html`<h3>Payment methods</h3><ul class="methods">${payments.map(paymentItem)}</ul>` : ''}
${ais.length ? html`<h3>Account information (AIS)</h3><ul class="methods">${ais.map(aisItem)}</ul>` : ''}
</section>`;
}

export function renderDashboard(rows: DashboardRow[], f: DashboardFilter): string {
  const payments = rows.reduce((n, r) => n + r.payments.length, 0);
  const ais = rows.reduce((n, r) => n + r.ais.length, 0);
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>Providers · Ferry</title><style>${new Html(css)}</style></head>
<body><div class="wrap">
<header><h1>Providers</h1><p class="muted">Banks reachable through this Ferry, with their payment and account-information methods. Sandbox methods answer on the <code>/test</code> paths; stage and production on <code>/v1</code> and <code>/v2</code>.</p></header>
<main>
<form class="filters" method="get" action="${dashboardPath}">
${select('env', 'Environment', envs, f.env, 'Any')}
${select('remitter', 'Remitter / owner', remitterTypes, f.remitter, 'Any')}
${select('scheme', 'Payment scheme', paymentSchemes, f.scheme, 'Any')}
${select('show', 'Methods', shows, f.show)}
<label>Search<input type="search" name="q" value="${f.q ?? ''}" maxlength="64" placeholder="name, id or BIC"></label>
<div class="actions"><button type="submit">Filter</button><a href="${dashboardPath}">Reset</a></div>
</form>
<p class="muted" id="summary">${rows.length} ${rows.length === 1 ? 'provider' : 'providers'}, ${payments} payment ${payments === 1 ? 'method' : 'methods'}, ${ais} AIS ${ais === 1 ? 'method' : 'methods'}.</p>
${rows.length ? rows.map(providerCard) : html`<p>No provider matches these filters.</p>`}
</main>
<footer>The same data as JSON: <code>POST /test/providers/list</code> (sandbox) or <code>POST /v2/providers/list</code> with <code>{"options":{"show_payment_methods":true,"show_ais_methods":true}}</code>.</footer>
</div></body></html>`;
  return page.value;
}
