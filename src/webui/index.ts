/**
 * The hosted-page kit (webui/): layout, the seven templates, i18n with translated errors, CSP, assets and the
 * favicon, CSRF, live status over SSE through one notification hub. A flow's page lives beside its domain
 * (pay/pay-page.*, ais/consent-page.*) as a `HostedPage` and a view, registered with `pages.register`.
 * Imports nothing from the domains that use it.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/index.js';
import { createHostedPages, type HostedPages } from './hosted-page.routes.js';
import { registerWebuiAssets } from './layout.js';

export type { Csrf } from './csrf.js';
export { CSRF_FIELD, createCsrf, readCookie } from './csrf.js';
export type {
  HostedPage,
  HostedPages,
  PageContext,
  PageFrame,
  PageView,
  ViewInput,
} from './hosted-page.routes.js';
export { escapeHtml, html, Raw, raw } from './html.js';
export type { Lang, MessageKey, Translate } from './i18n.js';
export { displayAmount, displayDate, isLang, languages, pickLanguage, translator } from './i18n.js';
export type { PageOptions } from './layout.js';
export {
  assetSizes,
  faviconPath,
  languageLinks,
  newNonce,
  registerWebuiAssets,
  renderPage,
  scriptPath,
  setPageHeaders,
  stylesheetPath,
} from './layout.js';
export type { PageErrorCode } from './page-errors.js';
export { pageErrorCodes, pageErrorKey, pageErrorText } from './page-errors.js';
export type { BankChoice, LiveState } from './page-parts.view.js';
export { bankPicker, returnUrl, statusBlock, stepOf } from './page-parts.view.js';
export { qrSvg } from './qr.js';
export type { FrameContext, Regions, SelectorStyle, Template } from './templates.js';
export { frames, isTemplate, selectorStyle, templates } from './templates.js';

/**
 * Serves the assets and the favicon and returns the kit every flow registers its page with. One CSRF key for
 * every page, derived from the master key so every process agrees on it.
 */
export function registerWebui(
  app: FastifyInstance,
  deps: { store: Store; publicUrl: string; deriveKey(purpose: string): Buffer; heartbeatSeconds?: number },
): HostedPages {
  registerWebuiAssets(app);
  return createHostedPages(app, {
    store: deps.store,
    csrfKey: deps.deriveKey('ferry webui: csrf'),
    secure: deps.publicUrl.startsWith('https:'),
    ...(deps.heartbeatSeconds !== undefined ? { heartbeatSeconds: deps.heartbeatSeconds } : {}),
  });
}
