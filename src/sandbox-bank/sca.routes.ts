import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bankOf, baseFor, type RouteDeps } from './deps.js';
import { contentSecurityPolicy } from './pages/render.js';
import { donePage, loginPage, notFoundPage, pinPage, reviewPage } from './pages/sca.pages.js';
import { bankStylesheet } from './pages/style.js';
import { Psd2Error } from './psd2-error.js';
import {
  loadFlow,
  type ScaFlow,
  type ScaOutcome,
  submitDecision,
  submitLogin,
  submitPin,
  tokenMatches,
} from './sca.service.js';

type Form = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const many = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The redirect-SCA pages a PSU's browser sees: sign in, (PIN), review, approve or deny, back to the TPP. */
export async function scaRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { ctx } = deps;

  app.setErrorHandler((error, request, reply) => {
    const bank = bankOf(request);
    const unknown = error instanceof Psd2Error && error.status === 404;
    const status = (error as { statusCode?: number }).statusCode;
    // A bad request (bad text, a malformed form) is the browser's fault: 400, not a failure of the bank.
    const client = !unknown && status !== undefined && status >= 400 && status < 500;
    if (!unknown && !client) request.log.error({ err: error }, 'sandbox SCA page failed');
    return html(
      reply,
      unknown ? 404 : client ? 400 : 500,
      notFoundPage(bank, baseFor(deps, request, bank)),
      [],
    );
  });

  app.get('/:bank/sca/assets/style.css', async (request, reply) =>
    reply
      .type('text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(bankStylesheet(bankOf(request))),
  );

  const flowOf = async (request: FastifyRequest) =>
    loadFlow(ctx, bankOf(request), (request.params as { authId: string }).authId);

  function render(request: FastifyRequest, reply: FastifyReply, flow: ScaFlow, error?: string) {
    const base = baseFor(deps, request, flow.bank);
    const parent = (flow.payment ?? flow.consent)!;
    const page =
      flow.auth.step === 'login'
        ? loginPage(base, flow, error)
        : flow.auth.step === 'pin'
          ? pinPage(base, flow, error)
          : flow.auth.step === 'review'
            ? reviewPage(base, flow, error)
            : donePage(base, flow);
    return html(reply, 200, page, [parent.redirect_uri, parent.nok_redirect_uri]);
  }

  async function after(request: FastifyRequest, reply: FastifyReply, outcome: ScaOutcome) {
    if (outcome.kind === 'redirect') return reply.code(303).header('location', outcome.url).send();
    const flow = await flowOf(request);
    if (outcome.kind === 'error') return render(request, reply, flow, outcome.message);
    return reply
      .code(303)
      .header('location', `${baseFor(deps, request, flow.bank)}/sca/${flow.auth.id}`)
      .send();
  }

  app.get('/:bank/sca/:authId', async (request, reply) => render(request, reply, await flowOf(request)));

  const post = (step: string, handle: (flow: ScaFlow, form: Form) => Promise<ScaOutcome>) =>
    app.post(`/:bank/sca/:authId/${step}`, async (request, reply) => {
      const flow = await flowOf(request);
      const form = (request.body ?? {}) as Form;
      if (!tokenMatches(flow, one(form.token)))
        return render(request, reply, flow, 'Sesiunea a expirat; reîncercați.');
      return after(request, reply, await handle(flow, form));
    });

  post('login', (flow, form) =>
    submitLogin(ctx, flow, {
      username: one(form.username),
      password: one(form.password),
      psuId: one(form.psuId),
      iban: one(form.iban),
    }),
  );
  post('pin', (flow, form) => submitPin(ctx, flow, one(form.pin)));
  post('decision', (flow, form) =>
    submitDecision(ctx, flow, {
      decision: one(form.decision),
      debtor: one(form.debtor),
      accounts: many(form.accounts),
    }),
  );
}

function html(reply: FastifyReply, status: number, body: string, redirects: (string | null | undefined)[]) {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', contentSecurityPolicy(redirects))
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .send(body);
}
