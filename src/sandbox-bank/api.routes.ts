import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  accountFor,
  accountJson,
  authoriseAisCall,
  balancesJson,
  checkTransactionQuery,
  listAccountsJson,
  type TransactionQuery,
  transactionDetails,
  transactionsPage,
} from './accounts.service.js';
import { banks } from './banks.js';
import {
  consentAuthorisationIds,
  consentInformation,
  consentStatusNow,
  createConsent,
  deleteConsent,
  loadConsent,
  startConsentAuthorisation,
} from './consents.service.js';
import { todayIso } from './context.js';
import { bankOf, baseFor, clientCertificateState, headerOf, type RouteDeps } from './deps.js';
import { applyResponseFaults } from './faults.service.js';
import {
  authorisationIds,
  cancelPayment,
  initiatePayment,
  loadPayment,
  paymentInformation,
  paymentStatusNow,
  type RequestInfo,
  startPaymentAuthorisation,
} from './payments.service.js';
import { formatError, Psd2Error, resourceUnknown } from './psd2-error.js';
import { findAuthorisation } from './sandbox.repository.js';
import { verifySignedRequest } from './signature.js';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

type Params = Record<string, string>;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Where the bank sends the PSU after SCA: https, or http to loopback (development) or to the bank's own public
 * origin (Ferry mounting the sandbox over http); never `javascript:`, `data:` or another scheme (400 FORMAT_ERROR).
 */
function redirectUriOf(request: FastifyRequest, deps: RouteDeps, name: string): string | undefined {
  const value = headerOf(request, name);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw formatError(`${name} must be an absolute URL.`, name);
  }
  const ownOrigin = deps.publicUrl ? new URL(deps.publicUrl).origin : undefined;
  const allowed =
    url.protocol === 'https:' ||
    (url.protocol === 'http:' && (LOOPBACK.has(url.hostname) || url.origin === ownOrigin));
  if (!allowed) throw formatError(`${name} must be an https URL (http only to loopback).`, name);
  return value;
}

function requestInfo(request: FastifyRequest, deps: RouteDeps): RequestInfo {
  return {
    psuId: headerOf(request, 'PSU-ID'),
    psuIpAddress: headerOf(request, 'PSU-IP-Address'),
    redirectUri: redirectUriOf(request, deps, 'TPP-Redirect-URI'),
    nokRedirectUri: redirectUriOf(request, deps, 'TPP-Nok-Redirect-URI'),
  };
}

/** The NextGenPSD2 API of one simulated bank: /{bank}/v1/... */
export async function apiRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { ctx, faults } = deps;

  app.addHook('preHandler', async (request) => {
    const bank = bankOf(request);
    if (deps.requireClientCertificate) {
      const state = clientCertificateState(request);
      if (state === 'none')
        throw new Psd2Error(401, 'CERTIFICATE_MISSING', 'A client certificate (QWAC) is required.');
      if (state === 'unauthorized')
        throw new Psd2Error(401, 'CERTIFICATE_INVALID', 'The client certificate is not trusted.');
    }
    const requestId = headerOf(request, 'X-Request-ID');
    if (!requestId || !UUID.test(requestId))
      throw formatError('X-Request-ID must be a UUID.', 'X-Request-ID');
    if (banks[bank].requiresSignature) {
      verifySignedRequest({
        method: request.method,
        target: request.url,
        headers: request.headers,
        body: request.sandboxRawBody ?? '',
        // Certificates live in real time; the injected clock only drives the bank's business time.
        now: new Date(),
      });
    }
  });

  const base = (request: FastifyRequest) => baseFor(deps, request, bankOf(request));

  // Payments

  app.post('/:bank/v1/:service/:product', async (request, reply) => {
    const bank = bankOf(request);
    const { service, product } = request.params as Params;
    const info = requestInfo(request, deps);
    const body = request.body as { instructedAmount?: { amount?: unknown } } | undefined;
    const amount =
      typeof body?.instructedAmount?.amount === 'string' ? body.instructedAmount.amount : undefined;
    await applyResponseFaults(faults, bank, { operation: 'initiatePayment', psuId: info.psuId, amount });
    const created = await initiatePayment(
      ctx,
      faults,
      bank,
      service!,
      product!,
      info,
      request.body,
      base(request),
    );
    return reply
      .code(201)
      .header('location', created.location)
      .header('aspsp-sca-approach', 'REDIRECT')
      .send(created.body);
  });

  const payment = async (request: FastifyRequest, operation: string) => {
    const bank = bankOf(request);
    const { service, product, paymentId } = request.params as Params;
    if (service !== 'payments') throw resourceUnknown('payment');
    const p = await loadPayment(ctx, bank, product!, paymentId!);
    await applyResponseFaults(faults, bank, { operation, psuId: p.psu_id, amount: p.amount });
    return p;
  };

  app.get('/:bank/v1/:service/:product/:paymentId', async (request) =>
    paymentInformation(ctx, await payment(request, 'getPaymentInformation')),
  );

  app.get('/:bank/v1/:service/:product/:paymentId/status', async (request) => ({
    transactionStatus: paymentStatusNow(ctx, await payment(request, 'getPaymentInitiationStatus')),
  }));

  app.delete('/:bank/v1/:service/:product/:paymentId', async (request, reply) => {
    await cancelPayment(ctx, await payment(request, 'cancelPayment'));
    return reply.code(204).send();
  });

  app.post('/:bank/v1/:service/:product/:paymentId/authorisations', async (request, reply) => {
    const p = await payment(request, 'startPaymentAuthorisation');
    return reply
      .code(201)
      .header('aspsp-sca-approach', 'REDIRECT')
      .send(await startPaymentAuthorisation(ctx, p, requestInfo(request, deps), base(request)));
  });

  app.get('/:bank/v1/:service/:product/:paymentId/authorisations', async (request) => ({
    authorisationIds: await authorisationIds(
      ctx,
      (await payment(request, 'getPaymentInitiationAuthorisation')).id,
    ),
  }));

  app.get('/:bank/v1/:service/:product/:paymentId/authorisations/:authorisationId', async (request) => {
    const p = await payment(request, 'getPaymentInitiationScaStatus');
    const auth = await findAuthorisation(ctx.db, (request.params as Params).authorisationId!);
    if (!auth || auth.parent_id !== p.id) throw resourceUnknown('authorisation');
    return { scaStatus: auth.sca_status };
  });

  // Consents

  app.post('/:bank/v1/consents', async (request, reply) => {
    const bank = bankOf(request);
    const info = requestInfo(request, deps);
    await applyResponseFaults(faults, bank, { operation: 'createConsent', psuId: info.psuId });
    const created = await createConsent(ctx, bank, info, request.body, base(request));
    return reply
      .code(201)
      .header('location', created.location)
      .header('aspsp-sca-approach', 'REDIRECT')
      .send(created.body);
  });

  const consent = async (request: FastifyRequest, operation: string) => {
    const bank = bankOf(request);
    const c = await loadConsent(ctx, bank, (request.params as Params).consentId!);
    await applyResponseFaults(faults, bank, { operation, psuId: c.psu_id });
    return c;
  };

  app.get('/:bank/v1/consents/:consentId', async (request) =>
    consentInformation(ctx, await consent(request, 'getConsentInformation'), base(request)),
  );

  app.get('/:bank/v1/consents/:consentId/status', async (request) => ({
    consentStatus: consentStatusNow(ctx, await consent(request, 'getConsentStatus')),
  }));

  app.delete('/:bank/v1/consents/:consentId', async (request, reply) => {
    await deleteConsent(ctx, await consent(request, 'deleteConsent'));
    return reply.code(204).send();
  });

  app.post('/:bank/v1/consents/:consentId/authorisations', async (request, reply) => {
    const c = await consent(request, 'startConsentAuthorisation');
    return reply
      .code(201)
      .header('aspsp-sca-approach', 'REDIRECT')
      .send(await startConsentAuthorisation(ctx, c, requestInfo(request, deps), base(request)));
  });

  app.get('/:bank/v1/consents/:consentId/authorisations', async (request) => ({
    authorisationIds: await consentAuthorisationIds(
      ctx,
      (await consent(request, 'getConsentAuthorisation')).id,
    ),
  }));

  app.get('/:bank/v1/consents/:consentId/authorisations/:authorisationId', async (request) => {
    const c = await consent(request, 'getConsentScaStatus');
    const auth = await findAuthorisation(ctx.db, (request.params as Params).authorisationId!);
    if (!auth || auth.parent_id !== c.id) throw resourceUnknown('authorisation');
    return { scaStatus: auth.sca_status };
  });

  // Accounts

  const ais = (request: FastifyRequest, operation: string, resource: string | undefined) =>
    authoriseAisCall(ctx, faults, {
      bank: bankOf(request),
      consentId: headerOf(request, 'Consent-ID'),
      psuIpAddress: headerOf(request, 'PSU-IP-Address'),
      operation,
      resource,
    });
  const withBalance = (request: FastifyRequest) => {
    const value = (request.query as Record<string, string | undefined>).withBalance;
    if (value !== undefined && value !== 'true' && value !== 'false')
      throw formatError('withBalance must be true or false.', 'withBalance');
    return value === 'true';
  };

  app.get('/:bank/v1/accounts', async (request) => {
    const wb = withBalance(request);
    const c = await ais(request, 'getAccountList', `accounts${wb ? '+balances' : ''}`);
    return listAccountsJson(ctx, c, base(request), wb);
  });

  app.get('/:bank/v1/accounts/:accountId', async (request) => {
    const id = (request.params as Params).accountId!;
    const wb = withBalance(request);
    const c = await ais(request, 'readAccountDetails', `account:${id}`);
    return {
      account: await accountJson(ctx, c, accountFor(c, id, wb ? 'balances' : 'accounts'), base(request), wb),
    };
  });

  app.get('/:bank/v1/accounts/:accountId/balances', async (request) => {
    const id = (request.params as Params).accountId!;
    const c = await ais(request, 'getBalances', `balances:${id}`);
    const acc = accountFor(c, id, 'balances');
    return { account: { iban: acc.iban, currency: acc.currency }, balances: await balancesJson(ctx, acc) };
  });

  app.get('/:bank/v1/accounts/:accountId/transactions', async (request, reply: FastifyReply) => {
    const id = (request.params as Params).accountId!;
    const raw = request.query as TransactionQuery;
    const query = checkTransactionQuery(raw, todayIso(ctx));
    // Pages after the first follow _links.next (entryReferenceFrom) and are part of the same access.
    const c = await ais(request, 'getTransactionList', query.cursor ? undefined : `transactions:${id}`);
    const acc = accountFor(c, id, 'transactions');
    return reply.send(await transactionsPage(ctx, acc, query, base(request), raw));
  });

  app.get('/:bank/v1/accounts/:accountId/transactions/:transactionId', async (request) => {
    const { accountId, transactionId } = request.params as Params;
    const c = await ais(request, 'getTransactionDetails', `transaction:${accountId}`);
    return transactionDetails(ctx, accountFor(c, accountId!, 'transactions'), transactionId!);
  });
}
