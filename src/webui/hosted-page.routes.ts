import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../shared/errors.js';
import type { Store } from '../store/index.js';
import { CSRF_FIELD, createCsrf } from './csrf.js';
import { html, type Raw } from './html.js';
import { type Lang, pickLanguage, type Translate, translator } from './i18n.js';
import { newNonce, renderPage, setPageHeaders } from './layout.js';
import { streamLiveStatus } from './live-stream.js';
import { createNotificationHub } from './notification-hub.js';
import { pageErrorText } from './page-errors.js';
import type { LiveState } from './page-parts.view.js';
import { isTemplate, type Regions, type SelectorStyle, selectorStyle, type Template } from './templates.js';

/** A language and its translator (the kit's strings under the page's own). */
export interface PageContext {
  lang: Lang;
  t: Translate;
}

/** What a page's view gets to draw the page. */
export interface ViewInput extends PageContext {
  /** The CSRF token for this response's forms (field `csrf`). */
  csrf: string;
  selector: SelectorStyle;
  /** Why the last action was refused, translated; empty markup when it was not. */
  alert: Raw;
  /** What the user posted, to refill the form after a refusal. */
  typed: Record<string, string>;
}

export interface PageView {
  title: string;
  heading: string;
  regions: Regions;
  /** Waiting for something else (the bank, a job): the page reloads itself where the script does not run. */
  progress: boolean;
}

/** What every response of a page needs from its object. */
export interface PageFrame {
  /** The client's template choice (unknown names fall back to `default`). */
  template: string | null;
  /** The client's language choice (`?lang=` and Accept-Language may override it). */
  language: string | null;
  /** The client named in the page header. */
  brand: string;
  /** The bank the user is handed to by an action. */
  bank: string;
}

/**
 * One hosted flow (the pay page, the consent page, ...): how to find its object by `web_id`, how to draw it, and
 * what its actions do. The kit owns everything else: routes, language, CSRF, the hand-off to the bank, errors as
 * translated pages, `/status` and live `/events`.
 */
export interface HostedPage<P> {
  /** Path prefix: the page is `{prefix}/{web_id}`. */
  prefix: string;
  /** The NOTIFY channel whose payloads are this flow's web_ids. */
  channel: string;
  /** The page's own strings, over the kit's (e.g. `secure`, `error.notfound`, `redirect.body`). */
  strings?: Partial<Record<Lang, Record<string, string>>>;
  /** The object behind a `web_id`, or undefined for an unknown (or malformed) one. */
  find(webId: string): Promise<P | undefined>;
  /** The page was opened (may move the object on, e.g. created → started); defaults to `find`. */
  open?(webId: string): Promise<P | undefined>;
  webId(page: P): string;
  frame(page: P): PageFrame;
  view(page: P, input: ViewInput): PageView;
  live(page: P, c: PageContext): LiveState;
  /**
   * `POST {prefix}/{web_id}/{name}` after the CSRF check: returns the bank's SCA URL to send the user there, or
   * nothing to show the page again. An ApiError below 500 shows the page with its translated reason.
   */
  actions: Record<
    string,
    (page: P, c: { form: Record<string, string>; ip: string }) => Promise<string | undefined>
  >;
  /**
   * `GET {prefix}/{web_id}/{path}`: the bank sent the user back; `run` asks the bank now, then the page shows the
   * live status. A failed `run` is logged, not shown: the worker catches up.
   */
  bankReturn: { path: string; run(page: P, query: Record<string, string | undefined>): Promise<void> };
  /** Other GETs under the page (the pay page's QR code): their handler answers the reply. */
  gets?: Record<string, (page: P, c: PageContext & { reply: FastifyReply }) => FastifyReply>;
}

export interface HostedPages {
  register<P>(page: HostedPage<P>): Promise<void>;
}

const html200 = 'text/html; charset=utf-8';

/**
 * The kit's plumbing, shared by every hosted page of the app: one CSRF key, one notification hub (one LISTEN
 * connection per process) and one set of open live streams, ended when the app closes.
 */
export function createHostedPages(
  app: FastifyInstance,
  deps: {
    store: Store;
    csrfKey: Buffer;
    secure: boolean;
    /** Seconds between SSE keep-alives (each also re-checks the status, in case a notification was missed). */
    heartbeatSeconds?: number;
  },
): HostedPages {
  const csrf = createCsrf(deps.csrfKey, { secure: deps.secure });
  const hub = createNotificationHub(deps.store, (m, d) => app.log.warn(d, m));
  const streams = new Set<() => void>();
  const heartbeatMs = (deps.heartbeatSeconds ?? 15) * 1000;
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });
  app.addHook('onClose', async () => hub.close());

  async function register<P>(page: HostedPage<P>): Promise<void> {
    const { prefix } = page;
    const contextOf = (request: FastifyRequest, chosen: string | null): PageContext => {
      const lang = pickLanguage(
        (request.query as { lang?: string }).lang,
        chosen,
        request.headers['accept-language'],
      );
      return { lang, t: translator(lang, page.strings) };
    };
    const templateOf = (p: P): Template => {
      const { template } = page.frame(p);
      return isTemplate(template) ? template : 'default';
    };
    const pathOf = (p: P) => `${prefix}/${page.webId(p)}`;
    const send = (reply: FastifyReply, status: number, nonce: string, body: string) => {
      setPageHeaders(reply, nonce);
      return reply.code(status).type(html200).send(body);
    };

    function sendPage(
      request: FastifyRequest,
      reply: FastifyReply,
      p: P,
      options: { status?: number; error?: string; typed?: Record<string, string> } = {},
    ) {
      const frame = page.frame(p);
      const c = contextOf(request, frame.language);
      const template = templateOf(p);
      const path = pathOf(p);
      const nonce = newNonce();
      const view = page.view(p, {
        ...c,
        csrf: csrf.issue(request, reply, path),
        selector: selectorStyle[template],
        alert: options.error ? html`<div class="alert" role="alert">${options.error}</div>` : html``,
        typed: options.typed ?? {},
      });
      const body = renderPage({
        template,
        lang: c.lang,
        t: c.t,
        title: view.title,
        heading: view.heading,
        nonce,
        regions: view.regions,
        brand: frame.brand,
        path,
        head: view.progress ? html`<noscript><meta http-equiv="refresh" content="5"></noscript>` : undefined,
      });
      return send(reply, options.status ?? 200, nonce, body);
    }

    function sendMessage(request: FastifyRequest, reply: FastifyReply, status: number, key: string) {
      const { lang, t } = contextOf(request, null);
      const nonce = newNonce();
      const body = renderPage({
        template: 'default',
        lang,
        t,
        title: t('error.title'),
        nonce,
        path: request.url.split('?')[0]!,
        regions: { hero: html``, main: html`<p role="alert">${t(key)}</p>` },
        script: false,
      });
      return send(reply, status, nonce, body);
    }

    /** Hands the user to the bank with a meta refresh (a redirect after a POST would hit form-action 'self'). */
    function sendToBank(request: FastifyRequest, reply: FastifyReply, p: P, scaUrl: string) {
      const frame = page.frame(p);
      const { lang, t } = contextOf(request, frame.language);
      const bank = frame.bank;
      const nonce = newNonce();
      const body = renderPage({
        template: templateOf(p),
        lang,
        t,
        title: t('redirect.title'),
        nonce,
        brand: frame.brand,
        path: pathOf(p),
        head: html`<meta http-equiv="refresh" content="${`0;url=${scaUrl}`}">`,
        regions: {
          hero: html`<p>${t('redirect.body', { bank })}</p>`,
          main: html`<p><a class="btn" href="${scaUrl}">${t('redirect.link', { bank })}</a></p>`,
        },
        script: false,
      });
      return send(reply, 200, nonce, body);
    }

    const webIdOf = (request: FastifyRequest) => (request.params as { web_id?: string }).web_id ?? '';

    async function load(request: FastifyRequest, reply: FastifyReply): Promise<P | undefined> {
      const p = await page.find(webIdOf(request));
      if (!p) await sendMessage(request, reply, 404, 'error.notfound');
      return p;
    }
    const reload = async (p: P) => (await page.find(page.webId(p))) ?? p;

    await app.register(async (scope) => {
      await scope.register(formbody, { bodyLimit: 8192 });

      // End users get a page, not the API's JSON envelope, when something breaks.
      scope.setErrorHandler((error, request, reply) => {
        const status = (error as { statusCode?: number }).statusCode ?? 500;
        if (status >= 500) request.log.error({ err: error }, 'hosted page failed');
        return sendMessage(request, reply, status >= 400 && status < 500 ? status : 500, 'error.generic');
      });

      scope.get(`${prefix}/:web_id`, { schema: { hide: true } }, async (request, reply) => {
        const webId = webIdOf(request);
        const p = await (page.open ? page.open(webId) : page.find(webId));
        if (!p) return sendMessage(request, reply, 404, 'error.notfound');
        return sendPage(request, reply, p);
      });

      for (const [name, run] of Object.entries(page.actions)) {
        scope.post(`${prefix}/:web_id/${name}`, { schema: { hide: true } }, async (request, reply) => {
          const p = await load(request, reply);
          if (!p) return reply;
          const form = formOf(request);
          const { t } = contextOf(request, page.frame(p).language);
          if (!csrf.verify(request, pathOf(p), form[CSRF_FIELD])) {
            return sendPage(request, reply, p, { status: 403, error: t('error.csrf') });
          }
          try {
            const scaUrl = await run(p, { form, ip: request.ip });
            if (scaUrl) return sendToBank(request, reply, await reload(p), scaUrl);
            return reply.redirect(pathOf(p), 303);
          } catch (error) {
            if (!(error instanceof ApiError) || error.status >= 500) throw error;
            const reason = pageErrorText(error, t);
            return sendPage(request, reply, await reload(p), {
              status: error.status,
              error: reason,
              typed: form,
            });
          }
        });
      }

      scope.get(
        `${prefix}/:web_id/${page.bankReturn.path}`,
        { schema: { hide: true } },
        async (request, reply) => {
          const p = await load(request, reply);
          if (!p) return reply;
          try {
            await page.bankReturn.run(p, request.query as Record<string, string | undefined>);
          } catch (error) {
            request.log.warn({ err: error }, 'bank return could not refresh the status');
          }
          return reply.redirect(pathOf(p), 303);
        },
      );

      scope.get(`${prefix}/:web_id/status`, { schema: { hide: true } }, async (request, reply) => {
        const p = await load(request, reply);
        if (!p) return reply;
        reply.header('cache-control', 'no-store');
        return page.live(p, contextOf(request, page.frame(p).language));
      });

      scope.get(`${prefix}/:web_id/events`, { schema: { hide: true } }, async (request, reply) => {
        const p = await load(request, reply);
        if (!p) return reply;
        const c = contextOf(request, page.frame(p).language);
        const webId = page.webId(p);
        streamLiveStatus({
          request,
          reply,
          subscribe: (listener) => hub.subscribe(page.channel, webId, listener),
          state: async () => {
            const now = await page.find(webId);
            return now ? page.live(now, c) : undefined;
          },
          heartbeatMs,
          streams,
        });
      });

      for (const [path, handle] of Object.entries(page.gets ?? {})) {
        scope.get(`${prefix}/:web_id/${path}`, { schema: { hide: true } }, async (request, reply) => {
          const p = await load(request, reply);
          if (!p) return reply;
          return handle(p, { ...contextOf(request, page.frame(p).language), reply });
        });
      }
    });
  }

  return { register };
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
