import { html, type Lang, type Raw, raw, renderPage, translator } from '../webui/index.js';
import type { ClientView } from './client.view.js';
import type { AuditView } from './operator.service.js';

/** A search of links or consents as the form sent it (every field a string, empty when not given). */
export interface SearchForm {
  q: string;
  status: string;
  client: string;
  from: string;
  to: string;
}

const strings: Record<Lang, Record<string, string>> = {
  en: {
    'o.title': 'Ferry operator console',
    'o.signin': 'Sign in',
    'o.signin.hint':
      'Paste the operator token: FERRY_ADMIN_TOKEN, or the file admin.token in the data folder.',
    'o.token': 'Operator token',
    'o.token.wrong': 'That is not the operator token.',
    'o.signout': 'Sign out',
    'o.clients': 'API clients',
    'o.clients.none': 'No API clients yet.',
    'o.create': 'Create a client',
    'o.name': 'Name',
    'o.mode': 'Mode',
    'o.scopes': 'Scopes (comma-separated: pay, ais)',
    'o.webhook': 'Webhook URL',
    'o.template': 'Default template',
    'o.redirects': 'Redirect URIs (one per line)',
    'o.frames': 'Frame ancestors (origins, one per line)',
    'o.v1s': '/v1s identity (e-mail)',
    'o.tracking': 'Tracking ids required',
    'o.save': 'Save settings',
    'o.created': 'Client created. Copy the secret now: it is shown only once.',
    'o.rotated': 'New secret. Copy it now: it is shown only once; the old one no longer works.',
    'o.secret': 'Client secret',
    'o.rotate': 'Rotate the secret',
    'o.appkey': 'Rotate the client_app_key',
    'o.disable': 'Disable the client',
    'o.enable': 'Enable the client',
    'o.enabled': 'Enabled',
    'o.disabled': 'Disabled',
    'o.saved': 'Saved.',
    'o.audit': 'Recent operator actions',
    'o.back': 'All clients',
    'o.links': 'Payment links',
    'o.consents': 'Consents',
    'o.search': 'Search',
    'o.status': 'Status',
    'o.any': 'any',
    'o.from': 'Created from (YYYY-MM-DD)',
    'o.to': 'Created before (YYYY-MM-DD)',
    'o.webhooks': 'Webhooks',
    'o.keys': 'Signing keys',
    'o.providers': 'Banks',
  },
  ro: {
    'o.title': 'Consola operatorului Ferry',
    'o.signin': 'Autentificare',
    'o.signin.hint':
      'Lipiți tokenul de operator: FERRY_ADMIN_TOKEN sau fișierul admin.token din folderul de date.',
    'o.token': 'Token de operator',
    'o.token.wrong': 'Acesta nu este tokenul de operator.',
    'o.signout': 'Ieșire',
    'o.clients': 'Clienți API',
    'o.clients.none': 'Încă nu există clienți API.',
    'o.create': 'Creați un client',
    'o.name': 'Nume',
    'o.mode': 'Mod',
    'o.scopes': 'Permisiuni (separate prin virgulă: pay, ais)',
    'o.webhook': 'URL webhook',
    'o.template': 'Șablon implicit',
    'o.redirects': 'URI de redirecționare (câte unul pe rând)',
    'o.frames': 'Origini care pot încadra widgetul (câte una pe rând)',
    'o.v1s': 'Identitate /v1s (e-mail)',
    'o.tracking': 'ID-uri de urmărire obligatorii',
    'o.save': 'Salvați setările',
    'o.created': 'Client creat. Copiați secretul acum: este afișat o singură dată.',
    'o.rotated': 'Secret nou. Copiați-l acum: este afișat o singură dată; cel vechi nu mai funcționează.',
    'o.secret': 'Secretul clientului',
    'o.rotate': 'Schimbați secretul',
    'o.appkey': 'Schimbați client_app_key',
    'o.disable': 'Dezactivați clientul',
    'o.enable': 'Activați clientul',
    'o.enabled': 'Activ',
    'o.disabled': 'Dezactivat',
    'o.saved': 'Salvat.',
    'o.audit': 'Acțiuni recente ale operatorilor',
    'o.back': 'Toți clienții',
    'o.links': 'Linkuri de plată',
    'o.consents': 'Consimțăminte',
    'o.search': 'Căutați',
    'o.status': 'Stare',
    'o.any': 'oricare',
    'o.from': 'Create din (AAAA-LL-ZZ)',
    'o.to': 'Create înainte de (AAAA-LL-ZZ)',
    'o.webhooks': 'Webhookuri',
    'o.keys': 'Chei de semnare',
    'o.providers': 'Bănci',
  },
};

export interface ConsoleFrame {
  lang: Lang;
  nonce: string;
  csrf: string;
  path: string;
}

const tOf = (lang: Lang) => translator(lang, strings);
export const hiddenCsrf = (f: ConsoleFrame) => html`<input type="hidden" name="csrf" value="${f.csrf}">`;
export const langQuery = (f: ConsoleFrame) => `?lang=${f.lang}`;

const sections = [
  ['', 'o.clients'],
  ['/links', 'o.links'],
  ['/consents', 'o.consents'],
  ['/webhooks', 'o.webhooks'],
  ['/keys', 'o.keys'],
  ['/providers', 'o.providers'],
] as const;
const nav = (f: ConsoleFrame, t: (key: string) => string) =>
  html`<nav>${sections.map(
    ([path, key], i) => html`${i ? ' · ' : ''}<a href="${`/console${path}${langQuery(f)}`}">${t(key)}</a>`,
  )}</nav>`;

export function consolePage(f: ConsoleFrame, title: string, body: Raw, signedIn = true): string {
  const t = tOf(f.lang);
  const signOut = signedIn
    ? html`<form method="post" action="${`/console/sign-out${langQuery(f)}`}">${hiddenCsrf(f)}<button type="submit" class="btn secondary">${t('o.signout')}</button></form>`
    : html``;
  return renderPage({
    template: 'default',
    lang: f.lang,
    title,
    nonce: f.nonce,
    path: f.path,
    t,
    brand: t('o.title'),
    script: false,
    body: html`<main id="main" class="card">${signedIn ? nav(f, t) : html``}<h1>${title}</h1>${body}${signOut}</main>`,
  });
}

/** The search form of the links and consents pages: id or web_id, status, client_id, creation dates. */
export function searchForm(
  f: ConsoleFrame,
  action: string,
  form: SearchForm,
  statuses: readonly string[],
  qLabel: string,
): Raw {
  const t = tOf(f.lang);
  const input = (name: keyof SearchForm, label: string) =>
    html`<div class="field"><label>${label}<input type="text" name="${name}" value="${form[name]}"></label></div>`;
  return html`<form method="get" action="${action}"><input type="hidden" name="lang" value="${f.lang}">
${input('q', qLabel)}
<div class="field"><label>${t('o.status')}<select name="status"><option value="">${t('o.any')}</option>${statuses.map(
    (s) => html`<option value="${s}"${raw(s === form.status ? ' selected' : '')}>${s}</option>`,
  )}</select></label></div>
${input('client', 'client_id')}${input('from', t('o.from'))}${input('to', t('o.to'))}
<button type="submit" class="btn">${t('o.search')}</button></form>`;
}

const field = (label: string, input: Raw) => html`<div class="field"><label>${label}${input}</label></div>`;

export function signInPage(f: ConsoleFrame, wrong: boolean): string {
  const t = tOf(f.lang);
  return consolePage(
    f,
    t('o.signin'),
    html`${wrong ? html`<p class="alert" role="alert">${t('o.token.wrong')}</p>` : html``}
<p>${t('o.signin.hint')}</p>
<form method="post" action="${`/console/sign-in${langQuery(f)}`}">${hiddenCsrf(f)}
${field(t('o.token'), html`<input type="password" name="token" autocomplete="current-password" required>`)}
<button type="submit" class="btn">${t('o.signin')}</button></form>`,
    false,
  );
}

export function clientsPage(
  f: ConsoleFrame,
  clients: ClientView[],
  audit: AuditView[],
  error?: string,
): string {
  const t = tOf(f.lang);
  const list =
    clients.length === 0
      ? html`<p>${t('o.clients.none')}</p>`
      : html`<ul class="clients">${clients.map(
          (c) =>
            html`<li><a href="${`/console/clients/${c.client_id}${langQuery(f)}`}">${c.name}</a> <code>${c.client_id}</code> ${c.mode}, ${c.enabled ? t('o.enabled') : t('o.disabled')}</li>`,
        )}</ul>`;
  return consolePage(
    f,
    t('o.clients'),
    html`${error ? html`<p class="alert" role="alert">${error}</p>` : html``}${list}
<h2>${t('o.create')}</h2>
<form method="post" action="${`/console/clients${langQuery(f)}`}">${hiddenCsrf(f)}
${field(t('o.name'), html`<input type="text" name="name" required maxlength="128">`)}
${field(t('o.mode'), html`<select name="mode"><option value="test">test</option><option value="live">live</option></select>`)}
${field(t('o.webhook'), html`<input type="text" name="webhook_url" inputmode="url">`)}
<button type="submit" class="btn">${t('o.create')}</button></form>
<h2>${t('o.audit')}</h2>
<ul class="audit">${audit.map((e) => html`<li><time>${e.at}</time> ${e.actor}: ${e.action} ${e.target ?? ''} (${e.outcome})</li>`)}</ul>`,
  );
}

export function clientPage(
  f: ConsoleFrame,
  c: ClientView,
  notice?: { kind: 'created' | 'rotated' | 'saved' | 'error'; text?: string },
): string {
  const t = tOf(f.lang);
  const base = `/console/clients/${c.client_id}`;
  const action = (path: string, label: string, secondary = true) =>
    html`<form method="post" action="${`${base}/${path}${langQuery(f)}`}">${hiddenCsrf(f)}<button type="submit" class="${raw(secondary ? 'btn secondary' : 'btn')}">${label}</button></form>`;
  const shown =
    notice?.kind === 'created' || notice?.kind === 'rotated'
      ? html`<p class="alert" role="status">${t(notice.kind === 'created' ? 'o.created' : 'o.rotated')}</p>
<p>${t('o.secret')}: <code id="secret">${notice.text ?? ''}</code></p>`
      : notice?.kind === 'saved'
        ? html`<p role="status">${t('o.saved')}</p>`
        : notice?.kind === 'error'
          ? html`<p class="alert" role="alert">${notice.text ?? ''}</p>`
          : html``;
  return consolePage(
    f,
    c.name,
    html`${shown}
<dl class="details">
<div><dt>client_id</dt><dd><code>${c.client_id}</code></dd></div>
<div><dt>client_app_key</dt><dd><code>${c.client_app_key}</code></dd></div>
<div><dt>${t('o.mode')}</dt><dd>${c.mode}, ${c.enabled ? t('o.enabled') : t('o.disabled')}</dd></div>
</dl>
<form method="post" action="${`${base}/settings${langQuery(f)}`}">${hiddenCsrf(f)}
${field(t('o.name'), html`<input type="text" name="name" value="${c.name}" required maxlength="128">`)}
${field(t('o.scopes'), html`<input type="text" name="scopes" value="${c.scopes.join(',')}">`)}
${field(t('o.webhook'), html`<input type="text" name="webhook_url" value="${c.webhook_url ?? ''}" inputmode="url">`)}
${field(t('o.template'), html`<input type="text" name="ux_template" value="${c.ux_template}">`)}
${field(t('o.redirects'), html`<textarea name="redirect_uris" rows="3">${c.redirect_uris.join('\n')}</textarea>`)}
${field(t('o.frames'), html`<textarea name="frame_ancestors" rows="2">${c.frame_ancestors.join('\n')}</textarea>`)}
${field(t('o.v1s'), html`<input type="text" name="v1s_identity" value="${c.v1s_identity ?? ''}">`)}
<div class="field"><label><input type="checkbox" name="tracking_required" value="on"${raw(c.tracking_required ? ' checked' : '')}> ${t('o.tracking')}</label></div>
<button type="submit" class="btn">${t('o.save')}</button></form>
${action('rotate-secret', t('o.rotate'))}
${action('rotate-app-key', t('o.appkey'))}
${action(c.enabled ? 'disable' : 'enable', c.enabled ? t('o.disable') : t('o.enable'))}
<p><a href="${`/console${langQuery(f)}`}">${t('o.back')}</a></p>`,
  );
}
