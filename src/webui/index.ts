/**
 * The hosted pages (webui/): layout, the seven templates, i18n, CSP, assets and the pay page. Other pages (the
 * consent page) build on `renderPage` with their own regions, and send them through `setPageHeaders`.
 */
import type { FastifyInstance } from 'fastify';
import type { PayService } from '../pay/index.js';
import type { Catalogue } from '../providers/index.js';
import type { Clock } from '../shared/clock.js';
import type { Store } from '../store/index.js';
import { createCsrf } from './csrf.js';
import { registerWebuiAssets } from './layout.js';
import { registerPayPages } from './pay.routes.js';

export type { Csrf } from './csrf.js';
export { CSRF_FIELD, createCsrf, readCookie } from './csrf.js';
export { escapeHtml, html, Raw, raw } from './html.js';
export type { Lang, MessageKey, Translate } from './i18n.js';
export { displayAmount, displayDate, isLang, languages, pickLanguage, translator } from './i18n.js';
export type { PageOptions } from './layout.js';
export {
  assetSizes,
  languageLinks,
  newNonce,
  renderPage,
  scriptPath,
  setPageHeaders,
  stylesheetPath,
} from './layout.js';
export { streamLiveStatus } from './live-stream.js';
export type { NotificationHub } from './notification-hub.js';
export { createNotificationHub } from './notification-hub.js';
export { qrSvg } from './qr.js';
export type { FrameContext, Regions, SelectorStyle, Template } from './templates.js';
export { frames, isTemplate, selectorStyle, templates } from './templates.js';

/** The CSRF key for hosted-page forms, derived from the master key so every process agrees on it. */
export function webuiCsrfKey(services: { deriveKey(purpose: string): Buffer }): Buffer {
  return services.deriveKey('ferry webui: csrf');
}

export async function registerWebui(
  app: FastifyInstance,
  deps: {
    pay: PayService;
    catalogue: Catalogue;
    clock: Clock;
    store: Store;
    publicUrl: string;
    csrfKey: Buffer;
  },
): Promise<void> {
  registerWebuiAssets(app);
  await registerPayPages(app, {
    pay: deps.pay,
    catalogue: deps.catalogue,
    clock: deps.clock,
    store: deps.store,
    publicUrl: deps.publicUrl,
    csrf: createCsrf(deps.csrfKey, { secure: deps.publicUrl.startsWith('https:') }),
  });
}
