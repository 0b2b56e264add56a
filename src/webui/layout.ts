import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { baseCss } from './assets/base.css.js';
import { payJs } from './assets/pay.js.js';
import { templateCss } from './assets/templates.css.js';
import { faviconIco, faviconSvg } from './favicon.js';
import { html, type Raw, raw } from './html.js';
import { type Lang, languages, type Translate, translator } from './i18n.js';
import { type FrameContext, frames, type Regions, type Template, templates } from './templates.js';

interface Asset {
  path: string;
  type: string;
  body: Buffer;
  etag: string;
}

const ASSET_PREFIX = '/webui/assets';

function asset(name: string, ext: string, type: string, text: string): Asset {
  const body = Buffer.from(text.replace(/\n+/g, '\n').trim(), 'utf8');
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 10);
  return { path: `${ASSET_PREFIX}/${name}.${hash}.${ext}`, type, body, etag: `"${hash}"` };
}

/** Content-hashed file names: cached for a year, and a new deploy changes the name. */
const cssAssets = new Map<Template, Asset>(
  templates.map((t) => [t, asset(t, 'css', 'text/css; charset=utf-8', baseCss + templateCss[t])]),
);
const scriptAsset = asset('pay', 'js', 'text/javascript; charset=utf-8', payJs);
const iconAsset = asset('favicon', 'svg', 'image/svg+xml', faviconSvg);
const byPath = new Map([...cssAssets.values(), scriptAsset, iconAsset].map((a) => [a.path, a]));

export const stylesheetPath = (template: Template) => cssAssets.get(template)!.path;
export const scriptPath = scriptAsset.path;
export const faviconPath = iconAsset.path;
/** Sizes in bytes (uncompressed), for the page-weight budget. */
export const assetSizes = (template: Template) => ({
  css: cssAssets.get(template)!.body.length,
  js: scriptAsset.body.length,
});

export function registerWebuiAssets(app: FastifyInstance): void {
  app.get(`${ASSET_PREFIX}/:file`, { schema: { hide: true } }, async (request, reply) => {
    const found = byPath.get(`${ASSET_PREFIX}/${(request.params as { file: string }).file}`);
    if (!found) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    reply
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('etag', found.etag)
      .header('x-content-type-options', 'nosniff')
      .header('cross-origin-resource-policy', 'same-origin');
    if (request.headers['if-none-match'] === found.etag) return reply.code(304).send();
    return reply.type(found.type).send(found.body);
  });
  // Asked for by browsers on their own (and by pages that declare no icon); one day, not a year: no hash.
  app.get('/favicon.ico', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .header('cache-control', 'public, max-age=86400')
      .header('x-content-type-options', 'nosniff')
      .type('image/x-icon')
      .send(faviconIco),
  );
}

export const newNonce = (): string => randomBytes(18).toString('base64');

/**
 * Strict CSP for every hosted page: scripts only with this response's nonce, styles and images from Ferry
 * itself, no framing, forms post only back to Ferry, and no referrer (the bank never sees the web_id).
 */
export function setPageHeaders(reply: FastifyReply, nonce: string): FastifyReply {
  return reply
    .header(
      'content-security-policy',
      [
        "default-src 'none'",
        `script-src 'nonce-${nonce}'`,
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
      ].join('; '),
    )
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()')
    .header('cache-control', 'no-store');
}

export interface PageOptions {
  template: Template;
  lang: Lang;
  /** <title>; also the h1 unless `heading` is given. */
  title: string;
  nonce: string;
  /** The page's regions, arranged by the template's frame. */
  regions?: Regions;
  /** Or a ready body (inside the template's stylesheet, without its frame). */
  body?: Raw;
  heading?: string;
  brand?: string;
  /** Language switcher target: the current path; `?lang=xx` is appended. */
  path: string;
  /** Extra strings for translators of other pages (the consent page). */
  t?: Translate;
  /** Markup before </head>, e.g. a noscript refresh. */
  head?: Raw;
  script?: boolean;
}

export function languageLinks(path: string, lang: Lang): Raw {
  return html`<ul class="langs">${languages.map(
    (l) =>
      html`<li><a href="${`${path}?lang=${l}`}" lang="${l}" hreflang="${l}"${raw(l === lang ? ' aria-current="true"' : '')}>${translator(l)('lang.name')}</a></li>`,
  )}</ul>`;
}

/** A complete hosted page in one of the seven templates. */
export function renderPage(o: PageOptions): string {
  const t = o.t ?? translator(o.lang);
  const ctx: FrameContext = {
    t,
    lang: o.lang,
    langs: languageLinks(o.path, o.lang),
    brand: o.brand ?? 'Ferry',
    heading: o.heading ?? o.title,
  };
  const content = o.regions ? frames[o.template](o.regions, ctx) : (o.body ?? html``);
  const doc = html`<!doctype html>
<html lang="${o.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${o.title}</title>
<link rel="icon" href="${faviconPath}" type="image/svg+xml">
<link rel="stylesheet" href="${stylesheetPath(o.template)}">
${o.head}
</head>
<body class="t-${o.template}">
<a class="skip" href="#main">${t('skip')}</a>
${content}
${o.script === false ? '' : html`<script src="${scriptPath}" nonce="${o.nonce}" defer></script>`}
</body>
</html>`;
  return doc.value;
}
