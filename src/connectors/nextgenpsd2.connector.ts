import { type Clock, systemClock } from '../shared/clock.js';
import { type Ids, randomIds } from '../shared/ids.js';
import { bankError } from './bank-error.js';
import { type Exchange, type HttpResult, Transport, type TransportOptions } from './http.js';
import * as map from './mappers.js';
import { type PreparedSigner, prepareSigner, signRequest } from './signing.js';
import type {
  BankAccount,
  BankBalance,
  BankConnector,
  BankEndpoint,
  BankResult,
  BankTransaction,
  CallContext,
  ConsentCreated,
  ConsentRequest,
  ConsentStatus,
  PaymentCreated,
  PaymentInitiation,
  QsealcCredentials,
  TransactionQuery,
  TransactionStatus,
} from './types.js';

export interface NextGenPsd2ConnectorOptions {
  ids?: Ids;
  clock?: Clock;
  /**
   * Default QSealC for banks that want signed requests (an endpoint's own `qsealc` wins); a function is called
   * once, on the first signed request (the development QSealC is made then, not at start).
   */
  qsealc?: QsealcCredentials | (() => Promise<QsealcCredentials>);
  /**
   * PSU-IP-Address is mandatory on payment initiation and consent creation; used when the caller has
   * no end-user address (a server-to-server flow).
   */
  fallbackPsuIpAddress?: string;
  timeoutMs?: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  maxRetryAfterMs?: number;
  /** Stops paging after this many pages (a bank whose next links never end). */
  maxPages?: number;
  /** Sees every exchange (tests validate them against the spec; never log bodies in production). */
  onExchange?: (exchange: Exchange) => void;
}

export interface NextGenPsd2Connector extends BankConnector {
  /** Closes the keep-alive connection pools. */
  close(): Promise<void>;
}

type Headers = Record<string, string>;

/** IPv4-mapped IPv6 (::ffff:1.2.3.4) is sent as IPv4, the form the spec declares. */
export function psuIp(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address;
}

function paymentBody(input: PaymentInitiation): Record<string, unknown> {
  return {
    ...(input.endToEndIdentification ? { endToEndIdentification: input.endToEndIdentification } : {}),
    // Omitted when the PSU picks the account at the bank (a documented deviation from the spec's schema).
    ...(input.debtorIban ? { debtorAccount: { iban: input.debtorIban } } : {}),
    instructedAmount: { currency: input.instructedAmount.currency, amount: input.instructedAmount.amount },
    creditorAccount: { iban: input.creditorIban },
    creditorName: input.creditorName,
    ...(input.remittanceInformationUnstructured
      ? { remittanceInformationUnstructured: input.remittanceInformationUnstructured }
      : {}),
  };
}

function consentAccess(access: ConsentRequest['access']): Record<string, unknown> {
  switch (access.kind) {
    case 'allPsd2':
      return { allPsd2: 'allAccounts' };
    case 'allAccounts':
      if (access.withTransactions) return { accounts: [], balances: [], transactions: [] }; // bank-offered: PSU picks
      return access.withBalances
        ? { availableAccountsWithBalance: 'allAccounts' }
        : { availableAccounts: 'allAccounts' };
    case 'accounts': {
      const refs = access.ibans.map((iban) => ({ iban }));
      return {
        accounts: refs,
        ...(access.withBalances ? { balances: refs } : {}),
        ...(access.withTransactions ? { transactions: refs } : {}),
      };
    }
  }
}

/** The one bank connector: NextGenPSD2 (Berlin Group 1.3.x) over HTTP, for every provider. */
export function createNextGenPsd2Connector(options: NextGenPsd2ConnectorOptions = {}): NextGenPsd2Connector {
  const ids = options.ids ?? randomIds;
  const clock = options.clock ?? systemClock;
  const transportOptions: TransportOptions = {
    timeoutMs: options.timeoutMs ?? 10_000,
    maxAttempts: options.maxAttempts ?? 3,
    backoffBaseMs: options.backoffBaseMs ?? 250,
    backoffMaxMs: options.backoffMaxMs ?? 5_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 10_000,
    keepAliveTimeoutMs: 30_000,
    now: () => clock.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    ...(options.onExchange ? { onExchange: options.onExchange } : {}),
  };
  const transport = new Transport(transportOptions);
  const signers = new Map<string, PreparedSigner>();
  const maxPages = options.maxPages ?? 100_000;

  let defaultQsealc: Promise<QsealcCredentials> | undefined;
  const fallbackQsealc = () => {
    const given = options.qsealc;
    if (typeof given !== 'function') return given;
    defaultQsealc ??= given();
    return defaultQsealc;
  };

  async function signerFor(bank: BankEndpoint): Promise<PreparedSigner | undefined> {
    if (!bank.requiresSignature) return undefined;
    const creds = bank.qsealc ?? (await fallbackQsealc());
    if (!creds) return undefined;
    let signer = signers.get(creds.cert);
    if (!signer) {
      signer = prepareSigner(creds);
      signers.set(creds.cert, signer);
    }
    return signer;
  }

  const url = (bank: BankEndpoint, path: string) => `${bank.baseUrl.replace(/\/+$/, '')}/v1${path}`;

  /** Sends one NextGenPSD2 call; every attempt gets a fresh X-Request-ID (and signature). */
  async function call(
    bank: BankEndpoint,
    method: 'GET' | 'POST' | 'DELETE',
    target: string,
    extra: Headers,
    body?: unknown,
  ) {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const signer = await signerFor(bank);
    return transport.send(
      bank,
      method,
      target,
      () => {
        const headers: Headers = { Accept: 'application/json', 'X-Request-ID': ids.uuid(), ...extra };
        if (text !== undefined) headers['Content-Type'] = 'application/json';
        if (signer) {
          headers['Date'] = clock.now().toUTCString();
          signRequest(signer, headers, text ?? '');
        }
        return headers;
      },
      text,
    );
  }

  /** Maps a 2xx body; a body that lacks what the spec promises is an invalid_response. */
  function mapped<T>(result: HttpResult, fn: (json: unknown, status: number) => T): BankResult<T> {
    if (!result.ok) return result;
    try {
      return { ok: true, value: fn(result.json, result.status) };
    } catch (error) {
      if (!(error instanceof map.ShapeError)) throw error;
      return {
        ok: false,
        error: bankError('invalid_response', `The bank's answer is not valid: ${error.message}`, {
          httpStatus: result.status,
          retryable: false,
        }),
      };
    }
  }

  const psuHeaders = (psuId: string | undefined, ip: string | undefined): Headers => ({
    ...(psuId ? { 'PSU-ID': psuId } : {}),
    ...(ip ? { 'PSU-IP-Address': ip } : {}),
  });
  const requiredIp = (ip: string | undefined) => psuIp(ip) ?? options.fallbackPsuIpAddress;
  const redirectHeaders = (ok: string, nok: string): Headers => ({
    'TPP-Redirect-Preferred': 'true',
    'TPP-Redirect-URI': ok,
    'TPP-Nok-Redirect-URI': nok,
  });
  const aisHeaders = (consentId: string, context?: CallContext): Headers => ({
    'Consent-ID': consentId,
    ...psuHeaders(undefined, psuIp(context?.psuIpAddress)),
  });
  const paymentPath = (product: string, paymentId: string) =>
    `/payments/${encodeURIComponent(product)}/${encodeURIComponent(paymentId)}`;

  const connector: NextGenPsd2Connector = {
    async createPayment(bank, input) {
      const headers = {
        ...psuHeaders(input.psuId, requiredIp(input.psuIpAddress)),
        ...redirectHeaders(input.redirectUri, input.nokRedirectUri),
      };
      const result = await call(
        bank,
        'POST',
        url(bank, `/payments/${encodeURIComponent(input.product)}`),
        headers,
        paymentBody(input),
      );
      return mapped<PaymentCreated>(result, (json) => {
        const o = map.obj(json, 'payment');
        const scaRedirectUrl = map.href(o._links, 'scaRedirect');
        if (!scaRedirectUrl)
          throw new map.ShapeError('payment._links.scaRedirect is missing (only redirect SCA is supported)');
        return {
          paymentId: map.str(o, 'paymentId', 'payment'),
          transactionStatus: map.transactionStatus(o, 'payment'),
          scaRedirectUrl: new URL(scaRedirectUrl, bank.baseUrl).href,
        };
      });
    },

    async getPaymentStatus(bank, product, paymentId) {
      const result = await call(bank, 'GET', url(bank, `${paymentPath(product, paymentId)}/status`), {});
      return mapped<{ transactionStatus: TransactionStatus }>(result, (json) => ({
        transactionStatus: map.transactionStatus(map.obj(json, 'status'), 'status'),
      }));
    },

    async cancelPayment(bank, product, paymentId) {
      const result = await call(bank, 'DELETE', url(bank, paymentPath(product, paymentId)), {});
      // 204: cancelled at once; 202: the bank wants the cancellation authorised and reports the status.
      return mapped<{ transactionStatus: TransactionStatus }>(result, (json, status) =>
        status === 204 || json === undefined
          ? { transactionStatus: 'CANC' }
          : { transactionStatus: map.transactionStatus(map.obj(json, 'cancellation'), 'cancellation') },
      );
    },

    async createConsent(bank, input) {
      const headers = {
        ...psuHeaders(input.psuId, requiredIp(input.psuIpAddress)),
        ...redirectHeaders(input.redirectUri, input.nokRedirectUri),
      };
      const body = {
        access: consentAccess(input.access),
        recurringIndicator: input.recurringIndicator,
        validUntil: input.validUntil,
        frequencyPerDay: input.frequencyPerDay,
        combinedServiceIndicator: false,
      };
      const result = await call(bank, 'POST', url(bank, '/consents'), headers, body);
      return mapped<ConsentCreated>(result, (json) => {
        const o = map.obj(json, 'consent');
        const scaRedirectUrl = map.href(o._links, 'scaRedirect');
        if (!scaRedirectUrl)
          throw new map.ShapeError('consent._links.scaRedirect is missing (only redirect SCA is supported)');
        return {
          consentId: map.str(o, 'consentId', 'consent'),
          consentStatus: map.consentStatus(o, 'consent'),
          scaRedirectUrl: new URL(scaRedirectUrl, bank.baseUrl).href,
        };
      });
    },

    async getConsentStatus(bank, consentId) {
      const result = await call(
        bank,
        'GET',
        url(bank, `/consents/${encodeURIComponent(consentId)}/status`),
        {},
      );
      return mapped<{ consentStatus: ConsentStatus }>(result, (json) => ({
        consentStatus: map.consentStatus(map.obj(json, 'status'), 'status'),
      }));
    },

    async deleteConsent(bank, consentId) {
      const result = await call(bank, 'DELETE', url(bank, `/consents/${encodeURIComponent(consentId)}`), {});
      return mapped<void>(result, () => undefined);
    },

    async listAccounts(bank, consentId, opts) {
      const query = opts.withBalance ? '?withBalance=true' : '';
      const result = await call(bank, 'GET', url(bank, `/accounts${query}`), aisHeaders(consentId, opts));
      return mapped<BankAccount[]>(result, (json) => {
        const list = map.obj(json, 'accounts').accounts;
        if (!Array.isArray(list)) throw new map.ShapeError('accounts is not a list');
        return list.map((a, i) => map.account(a, `accounts[${i}]`));
      });
    },

    async getBalances(bank, consentId, accountId, context) {
      const target = url(bank, `/accounts/${encodeURIComponent(accountId)}/balances`);
      const result = await call(bank, 'GET', target, aisHeaders(consentId, context));
      return mapped<BankBalance[]>(result, (json) => {
        const list = map.obj(json, 'balances').balances;
        if (!Array.isArray(list)) throw new map.ShapeError('balances is not a list');
        return map.balances(list, 'balances');
      });
    },

    async *listTransactions(bank, consentId, accountId, query: TransactionQuery, context) {
      const params = new URLSearchParams({ dateFrom: query.dateFrom, bookingStatus: query.bookingStatus });
      if (query.dateTo) params.set('dateTo', query.dateTo);
      if (query.pageSize) params.set('itemsPerPage', String(query.pageSize));
      let next: string | undefined = url(
        bank,
        `/accounts/${encodeURIComponent(accountId)}/transactions?${params}`,
      );
      const seen = new Set<string>();
      for (let page = 0; next !== undefined; page++) {
        if (page >= maxPages || seen.has(next)) {
          yield {
            ok: false,
            error: bankError('invalid_response', 'The bank keeps sending next pages.', { retryable: false }),
          };
          return;
        }
        seen.add(next);
        const result = await call(bank, 'GET', next, aisHeaders(consentId, context));
        let following: string | undefined;
        const mappedPage = mapped<BankTransaction[]>(result, (json) => {
          const report = map.obj(
            map.obj(json, 'transactions').transactions ?? {},
            'transactions.transactions',
          );
          const link = map.href(report._links, 'next');
          following = link ? new URL(link, bank.baseUrl).href : undefined;
          const lines = (key: 'booked' | 'pending') => {
            const list = report[key];
            if (list === undefined) return [];
            if (!Array.isArray(list)) throw new map.ShapeError(`transactions.${key} is not a list`);
            return list.map((t, i) => map.transaction(t, key, `transactions.${key}[${i}]`));
          };
          return [...lines('booked'), ...lines('pending')];
        });
        yield mappedPage;
        if (!mappedPage.ok) return;
        next = following;
      }
    },

    close: () => transport.close(),
  };
  return connector;
}
