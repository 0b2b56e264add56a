import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LIVE_STATUS_CHANNEL, type PageLink, type PayService } from '../pay/index.js';
import type { Catalogue } from '../providers/index.js';
import type { Clock } from '../shared/clock.js';
import { ApiError } from '../shared/errors.js';
import type { Store } from '../store/index.js';
import { CSRF_FIELD, type Csrf } from './csrf.js';
import { html } from './html.js';
import { type Lang, pickLanguage, translator } from './i18n.js';
import { newNonce, renderPage, setPageHeaders } from './layout.js';
import { streamLiveStatus } from './live-stream.js';
import { createNotificationHub } from './notification-hub.js';
import { liveState, payRegions, viewOf } from './pay-page.view.js';
import { qrSvg } from './qr.js';
import { isTemplate, selectorStyle, type Template } from './templates.js';

export interface PayPagesDeps {
  pay: PayService;
  catalogue: Catalogue;
  clock: Clock;
  store: Store;
  publicUrl: string;
  csrf: Csrf;
  /** Seconds between SSE keep-alives (each also re-checks the status, in case a notification was missed). */
  heartbeatSeconds?: number;
}

const WEB_ID = /^[A-Za-z0-9_-]{22,64}$/;

/** The hosted pay page: GET /pay/{web_id} and its actions, live status, QR code. */
export async function registerPayPages(app: FastifyInstance, deps: PayPagesDeps): Promise<void> {
  const { pay, clock } = deps;
  const hub = createNotificationHub(deps.store, LIVE_STATUS_CHANNEL, (m, d) => app.log.warn(d, m));
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });
  app.addHook('onClose', async () => hub.close());

  await app.register(async (scope) => {
    await scope.register(formbody, { bodyLimit: 8192 });

    const langOf = (request: FastifyRequest, chosen: string | null) =>
      pickLanguage((request.query as { lang?: string }).lang, chosen, request.headers['accept-language']);

    function sendPage(
      request: FastifyRequest,
      reply: FastifyReply,
      page: PageLink,
      options: { status?: number; error?: string; typed?: Record<string, string> } = {},
    ) {
      const { link } = page;
      const lang = langOf(request, link.language);
      const t = translator(lang);
      const template: Template = isTemplate(link.ux_template) ? link.ux_template : 'default';
      const view = viewOf(page);
      const scope = `/pay/${link.web_id}`;
      const nonce = newNonce();
      const token = deps.csrf.issue(request, reply, scope);
      const { regions, heading, title } = payRegions({
        page,
        view,
        t,
        lang,
        catalogue: deps.catalogue,
        selector: selectorStyle[template],
        csrf: token,
        error: options.error,
        typed: options.typed,
        now: clock.now(),
      });
      const refresh =
        view === 'progress' ? html`<noscript><meta http-equiv="refresh" content="5"></noscript>` : undefined;
      const body = renderPage({
        template,
        lang,
        title,
        heading,
        nonce,
        regions,
        brand: link.creditor_name,
        path: scope,
        head: refresh,
      });
      setPageHeaders(reply, nonce);
      return reply
        .code(options.status ?? 200)
        .type('text/html; charset=utf-8')
        .send(body);
    }

    function sendMessage(
      request: FastifyRequest,
      reply: FastifyReply,
      status: number,
      text: string,
      lang?: Lang,
    ) {
      const l = lang ?? langOf(request, null);
      const t = translator(l);
      const nonce = newNonce();
      const body = renderPage({
        template: 'default',
        lang: l,
        title: t('error.title'),
        nonce,
        path: request.url.split('?')[0]!,
        regions: { hero: html``, main: html`<p role="alert">${text}</p>` },
        script: false,
      });
      setPageHeaders(reply, nonce);
      return reply.code(status).type('text/html; charset=utf-8').send(body);
    }

    /** An interstitial that hands the payer to the bank: a meta refresh (a form redirect would hit form-action). */
    function sendToBank(request: FastifyRequest, reply: FastifyReply, page: PageLink, scaUrl: string) {
      const lang = langOf(request, page.link.language);
      const t = translator(lang);
      const template: Template = isTemplate(page.link.ux_template) ? page.link.ux_template : 'default';
      const bank = page.link.provider_id ? (deps.catalogue.provider(page.link.provider_id)?.name ?? '') : '';
      const nonce = newNonce();
      const body = renderPage({
        template,
        lang,
        title: t('redirect.title'),
        nonce,
        brand: page.link.creditor_name,
        path: `/pay/${page.link.web_id}`,
        head: html`<meta http-equiv="refresh" content="${`0;url=${scaUrl}`}">`,
        regions: {
          hero: html`<p>${t('redirect.body', { bank })}</p>`,
          main: html`<p><a class="btn" href="${scaUrl}">${t('redirect.link', { bank })}</a></p>`,
        },
        script: false,
      });
      setPageHeaders(reply, nonce);
      return reply.code(200).type('text/html; charset=utf-8').send(body);
    }

    // Payers get a page, not the API's JSON envelope, when something breaks.
    scope.setErrorHandler((error, request, reply) => {
      const status = (error as { statusCode?: number }).statusCode ?? 500;
      if (status >= 500) request.log.error({ err: error }, 'hosted page failed');
      const t = translator(langOf(request, null));
      return sendMessage(request, reply, status >= 400 && status < 500 ? status : 500, t('error.generic'));
    });

    const webIdOf = (request: FastifyRequest): string | undefined => {
      const id = (request.params as { web_id?: string }).web_id ?? '';
      return WEB_ID.test(id) ? id : undefined;
    };

    async function load(request: FastifyRequest, reply: FastifyReply): Promise<PageLink | undefined> {
      const webId = webIdOf(request);
      const page = webId
        ? await pay.flow.find(webId).then(
            (link) => pay.flow.describe(link),
            (error) => {
              if (error instanceof ApiError && error.status === 404) return undefined;
              throw error;
            },
          )
        : undefined;
      if (!page) await sendMessage(request, reply, 404, translator(langOf(request, null))('error.notfound'));
      return page;
    }

    scope.get('/pay/:web_id', { schema: { hide: true } }, async (request, reply) => {
      const webId = webIdOf(request);
      if (!webId)
        return sendMessage(request, reply, 404, translator(langOf(request, null))('error.notfound'));
      let page: PageLink;
      try {
        page = await pay.flow.open(webId);
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) {
          return sendMessage(request, reply, 404, translator(langOf(request, null))('error.notfound'));
        }
        throw error;
      }
      return sendPage(request, reply, page);
    });

    scope.post('/pay/:web_id/pay', { schema: { hide: true } }, async (request, reply) => {
      const page = await load(request, reply);
      if (!page) return reply;
      const form = formOf(request);
      const t = translator(langOf(request, page.link.language));
      if (!deps.csrf.verify(request, `/pay/${page.link.web_id}`, form[CSRF_FIELD])) {
        return sendPage(request, reply, page, { status: 403, error: t('error.csrf') });
      }
      const methodId = form.method_id ?? '';
      try {
        const scaUrl = await pay.flow.pay(page.link.web_id, {
          methodId,
          debtorIban: form[`debtor_iban.${methodId}`],
          psuId: form[`psu_id.${methodId}`],
          psuIpAddress: request.ip,
        });
        const fresh = pay.flow.describe(await pay.flow.find(page.link.web_id));
        return sendToBank(request, reply, fresh, scaUrl);
      } catch (error) {
        if (!(error instanceof ApiError) || error.status >= 500) throw error;
        const fresh = pay.flow.describe(await pay.flow.find(page.link.web_id));
        return sendPage(request, reply, fresh, { status: error.status, error: error.message, typed: form });
      }
    });

    scope.post('/pay/:web_id/authorize', { schema: { hide: true } }, async (request, reply) => {
      const page = await load(request, reply);
      if (!page) return reply;
      const form = formOf(request);
      const t = translator(langOf(request, page.link.language));
      if (!deps.csrf.verify(request, `/pay/${page.link.web_id}`, form[CSRF_FIELD])) {
        return sendPage(request, reply, page, { status: 403, error: t('error.csrf') });
      }
      try {
        const scaUrl = await pay.flow.authorize(page.link.web_id);
        return sendToBank(request, reply, page, scaUrl);
      } catch (error) {
        if (!(error instanceof ApiError) || error.status >= 500) throw error;
        const fresh = pay.flow.describe(await pay.flow.find(page.link.web_id));
        return sendPage(request, reply, fresh, { status: error.status, error: error.message });
      }
    });

    /** The bank's TPP redirect: ask the bank now, then show the live status page. */
    scope.get('/pay/:web_id/return', { schema: { hide: true } }, async (request, reply) => {
      const page = await load(request, reply);
      if (!page) return reply;
      const outcome = (request.query as { outcome?: string }).outcome === 'nok' ? 'nok' : 'ok';
      try {
        await pay.flow.returned(page.link.web_id, outcome);
      } catch (error) {
        request.log.warn({ err: error }, 'bank return could not refresh the status');
      }
      return reply.redirect(`/pay/${page.link.web_id}`, 303);
    });

    scope.get('/pay/:web_id/status', { schema: { hide: true } }, async (request, reply) => {
      const page = await load(request, reply);
      if (!page) return reply;
      const lang = langOf(request, page.link.language);
      reply.header('cache-control', 'no-store');
      return liveState(page.link, page.expired, translator(lang), lang);
    });

    scope.get('/pay/:web_id/events', { schema: { hide: true } }, async (request, reply) => {
      const page = await load(request, reply);
      if (!page) return reply;
      const lang = langOf(request, page.link.language);
      const t = translator(lang);
      const webId = page.link.web_id;
      streamLiveStatus({
        request,
        reply,
        hub,
        key: webId,
        state: async () => {
          const now = pay.flow.describe(await pay.flow.find(webId));
          return liveState(now.link, now.expired, t, lang);
        },
        heartbeatMs: (deps.heartbeatSeconds ?? 15) * 1000,
        streams,
      });
    });

    scope.get('/pay/:web_id/qr.svg', { schema: { hide: true } }, async (request, reply) => {
      const page = await load(request, reply);
      if (!page) return reply;
      const t = translator(langOf(request, page.link.language));
      return reply
        .header('cache-control', 'private, max-age=3600')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; frame-ancestors 'none'")
        .type('image/svg+xml; charset=utf-8')
        .send(qrSvg(`${deps.publicUrl}/pay/${page.link.web_id}`, { label: t('pay.qr.alt') }));
    });
  });
}

function formOf(request: FastifyRequest): Record<string, string> {
  const body = request.body;
  const out: Record<string, string> = {};
  if (!body || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}
