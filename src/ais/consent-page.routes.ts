import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../shared/errors.js';
import type { Store } from '../store/index.js';
import {
  CSRF_FIELD,
  type Csrf,
  createNotificationHub,
  html,
  isTemplate,
  type Lang,
  newNonce,
  pickLanguage,
  renderPage,
  selectorStyle,
  setPageHeaders,
  streamLiveStatus,
  type Template,
  translator,
} from '../webui/index.js';
import type { AisDeps } from './ais.context.js';
import { CONSENT_STATUS_CHANNEL } from './consent-events.js';
import {
  bankReturned,
  type ConsentPage,
  continueAtBank,
  findPage,
  openPage,
  reset,
  selectBank,
} from './consent-flow.js';
import { consentRegions, consentStrings, consentViewOf, liveState } from './consent-page.view.js';

export interface ConsentPagesDeps {
  ais: AisDeps;
  store: Store;
  csrf: Csrf;
  /** A job may now be due (the authorisation created the first one). */
  onWork: () => void;
  heartbeatSeconds?: number;
}

/**
 * The hosted consent page, GET /consent/{web_id}: who asks for what and for how long, the bank choice
 * (filtered by ais_method), the hand-off to the bank's SCA, live status until active, then back to the client's
 * redirect_url. Same layout, templates, languages, script and CSP as the pay page (webui/).
 */
export async function registerConsentPages(app: FastifyInstance, deps: ConsentPagesDeps): Promise<void> {
  const { ais } = deps;
  const hub = createNotificationHub(deps.store, CONSENT_STATUS_CHANNEL, (m, d) => app.log.warn(d, m));
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });
  app.addHook('onClose', async () => hub.close());

  await app.register(async (scope) => {
    await scope.register(formbody, { bodyLimit: 8192 });

    const langOf = (request: FastifyRequest, chosen: string | null): Lang =>
      pickLanguage((request.query as { lang?: string }).lang, chosen, request.headers['accept-language']);
    const tOf = (lang: Lang) => translator(lang, consentStrings);
    const templateOf = (page: ConsentPage): Template =>
      isTemplate(page.consent.uxTemplate) ? page.consent.uxTemplate : 'default';

    function sendPage(
      request: FastifyRequest,
      reply: FastifyReply,
      page: ConsentPage,
      options: { status?: number; error?: string } = {},
    ) {
      const { consent } = page;
      const lang = langOf(request, consent.language);
      const t = tOf(lang);
      const template = templateOf(page);
      const path = `/consent/${consent.webId}`;
      const nonce = newNonce();
      const { regions, heading } = consentRegions({
        consent,
        client: page.clientName,
        methods: page.methods,
        catalogue: ais.catalogue,
        t,
        lang,
        selector: selectorStyle[template],
        csrf: deps.csrf.issue(request, reply, path),
        error: options.error,
      });
      const view = consentViewOf(consent);
      const body = renderPage({
        template,
        lang,
        title: heading,
        heading,
        nonce,
        regions,
        brand: page.clientName,
        path,
        t,
        head:
          view === 'progress'
            ? html`<noscript><meta http-equiv="refresh" content="5"></noscript>`
            : undefined,
      });
      setPageHeaders(reply, nonce);
      return reply
        .code(options.status ?? 200)
        .type('text/html; charset=utf-8')
        .send(body);
    }

    function sendMessage(request: FastifyRequest, reply: FastifyReply, status: number, key: string) {
      const lang = langOf(request, null);
      const t = tOf(lang);
      const nonce = newNonce();
      const body = renderPage({
        template: 'default',
        lang,
        title: t('error.title'),
        nonce,
        t,
        path: request.url.split('?')[0]!,
        regions: { hero: html``, main: html`<p role="alert">${t(key)}</p>` },
        script: false,
      });
      setPageHeaders(reply, nonce);
      return reply.code(status).type('text/html; charset=utf-8').send(body);
    }

    /** Hands the user to the bank with a meta refresh (a redirect after a POST would hit form-action 'self'). */
    function sendToBank(request: FastifyRequest, reply: FastifyReply, page: ConsentPage, scaUrl: string) {
      const lang = langOf(request, page.consent.language);
      const t = tOf(lang);
      const provider = page.consent.providerId ? ais.catalogue.provider(page.consent.providerId) : undefined;
      const bank = provider?.name ?? '';
      const nonce = newNonce();
      const body = renderPage({
        template: templateOf(page),
        lang,
        title: t('c.redirect.title'),
        nonce,
        t,
        brand: page.clientName,
        path: `/consent/${page.consent.webId}`,
        head: html`<meta http-equiv="refresh" content="${`0;url=${scaUrl}`}">`,
        regions: {
          hero: html`<p>${t('c.redirect.body', { bank })}</p>`,
          main: html`<p><a class="btn" href="${scaUrl}">${t('redirect.link', { bank })}</a></p>`,
        },
        script: false,
      });
      setPageHeaders(reply, nonce);
      return reply.code(200).type('text/html; charset=utf-8').send(body);
    }

    const webIdOf = (request: FastifyRequest) => (request.params as { web_id?: string }).web_id ?? '';

    async function load(request: FastifyRequest, reply: FastifyReply): Promise<ConsentPage | undefined> {
      const page = await findPage(ais, webIdOf(request));
      if (!page) await sendMessage(request, reply, 404, 'error.notfound');
      return page;
    }

    /** POST actions: the CSRF token first, then the action; a refused action shows the page with the reason. */
    async function action(
      request: FastifyRequest,
      reply: FastifyReply,
      run: (page: ConsentPage, form: Record<string, string>) => Promise<string | undefined>,
    ) {
      const page = await load(request, reply);
      if (!page) return reply;
      const form = formOf(request);
      const t = tOf(langOf(request, page.consent.language));
      if (!deps.csrf.verify(request, `/consent/${page.consent.webId}`, form[CSRF_FIELD])) {
        return sendPage(request, reply, page, { status: 403, error: t('error.csrf') });
      }
      try {
        const scaUrl = await run(page, form);
        const fresh = (await findPage(ais, page.consent.webId)) ?? page;
        if (scaUrl) return sendToBank(request, reply, fresh, scaUrl);
        return reply.redirect(`/consent/${page.consent.webId}`, 303);
      } catch (error) {
        if (!(error instanceof ApiError) || error.status >= 500) throw error;
        const fresh = (await findPage(ais, page.consent.webId)) ?? page;
        return sendPage(request, reply, fresh, { status: error.status, error: error.message });
      }
    }

    scope.get('/consent/:web_id', { schema: { hide: true } }, async (request, reply) => {
      const page = await openPage(ais, webIdOf(request));
      if (!page) return sendMessage(request, reply, 404, 'error.notfound');
      return sendPage(request, reply, page);
    });

    scope.post('/consent/:web_id/select', { schema: { hide: true } }, (request, reply) =>
      action(request, reply, (page, form) => selectBank(ais, page, form.method_id ?? '', request.ip)),
    );

    scope.post('/consent/:web_id/authorize', { schema: { hide: true } }, (request, reply) =>
      action(request, reply, (page) => continueAtBank(ais, page.consent)),
    );

    scope.post('/consent/:web_id/reset', { schema: { hide: true } }, (request, reply) =>
      action(request, reply, async (page) => {
        await reset(ais, page.consent);
        return undefined;
      }),
    );

    /** The bank's redirect after the SCA: ask the bank, then show the live status. */
    scope.get('/consent/:web_id/callback', { schema: { hide: true } }, async (request, reply) => {
      const page = await load(request, reply);
      if (!page) return reply;
      const query = request.query as Record<string, string | undefined>;
      try {
        await bankReturned(ais, page.consent, query.result === 'nok' || query.error !== undefined);
        deps.onWork();
      } catch (error) {
        request.log.warn({ err: error }, 'bank return could not complete the authorisation');
      }
      return reply.redirect(`/consent/${page.consent.webId}`, 303);
    });

    scope.get('/consent/:web_id/status', { schema: { hide: true } }, async (request, reply) => {
      const page = await load(request, reply);
      if (!page) return reply;
      const lang = langOf(request, page.consent.language);
      reply.header('cache-control', 'no-store');
      return liveState(page.consent, page.clientName, tOf(lang), lang);
    });

    scope.get('/consent/:web_id/events', { schema: { hide: true } }, async (request, reply) => {
      const page = await load(request, reply);
      if (!page) return reply;
      const lang = langOf(request, page.consent.language);
      const t = tOf(lang);
      const webId = page.consent.webId;
      streamLiveStatus({
        request,
        reply,
        hub,
        key: webId,
        state: async () => {
          const now = await findPage(ais, webId);
          return now ? liveState(now.consent, now.clientName, t, lang) : undefined;
        },
        heartbeatMs: (deps.heartbeatSeconds ?? 15) * 1000,
        streams,
      });
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
