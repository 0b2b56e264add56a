import type {
  BankAccount,
  BankBalance,
  BankConnector,
  BankEndpoint,
  BankError,
  BankResult,
  BankTransaction,
  ConsentRequest,
  ConsentStatus,
  PaymentInitiation,
  TransactionStatus,
} from '../types.js';

/**
 * The one in-memory bank behind the BankConnector contract, for unit tests of the pay and AIS modules
 * (end-to-end tests use the sandbox bank over HTTP). Tests script it: accounts, balances, lines, consent and
 * payment statuses, and faults. Payments start RCVD and tests move them on.
 */
export interface FakeAccount {
  resourceId: string;
  iban: string;
  currency: string;
  name?: string;
  product?: string;
  cashAccountType?: string;
  balances: BankBalance[];
  transactions: BankTransaction[];
}

export type FakeOp =
  | 'createPayment'
  | 'getPaymentStatus'
  | 'cancelPayment'
  | 'createConsent'
  | 'getConsentStatus'
  | 'deleteConsent'
  | 'listAccounts'
  | 'getBalances'
  | 'listTransactions';

interface Fault {
  op: FakeOp;
  error: BankError;
  times: number;
  /** listTransactions: fail on this page (0-based) instead of the first. */
  page?: number;
}

export interface FakeBank extends BankConnector {
  accounts: FakeAccount[];
  consents: Map<string, { status: ConsentStatus; request: ConsentRequest }>;
  payments: Map<string, { bank: BankEndpoint; input: PaymentInitiation; status: TransactionStatus }>;
  calls: { op: FakeOp; args: unknown[] }[];
  pageSize: number;
  /** Makes the next `times` calls of `op` fail with `error`. */
  fail(
    op: FakeOp,
    error: Partial<BankError> & { kind: BankError['kind'] },
    times?: number,
    page?: number,
  ): void;
  setConsentStatus(bankConsentId: string, status: ConsentStatus): void;
  setPaymentStatus(paymentId: string, status: TransactionStatus): void;
  /** Every data call answers 403 SERVICE_BLOCKED (the bank blocked access). */
  blocked: boolean;
  /** Awaited at the start of an operation (tests hold a call in flight with it). */
  gates: Partial<Record<FakeOp, () => Promise<void>>>;
  lastConsentId(): string;
}

export function bankError(partial: Partial<BankError> & { kind: BankError['kind'] }): BankError {
  const retryable =
    partial.kind === 'unavailable' || partial.kind === 'timeout' || partial.kind === 'rate_limited';
  return {
    httpStatus: undefined,
    retryable,
    retryAfterSeconds: undefined,
    tppMessages: [],
    message: `${partial.kind} (fake bank)`,
    ...partial,
  };
}

/** The refusal a bank answers to a payment it cannot take: 400 with a FORMAT_ERROR tppMessage. */
export const formatRefusal = {
  kind: 'rejected',
  httpStatus: 400,
  tppMessages: [{ category: 'ERROR', code: 'FORMAT_ERROR', text: 'bad' }],
} as const satisfies Partial<BankError>;

export function tx(
  partial: Omit<Partial<BankTransaction>, 'amount'> & {
    amount: string;
    date: string;
    id?: string;
    currency?: string;
  },
): BankTransaction {
  const { amount, date, id, currency = 'RON', ...rest } = partial;
  const status = rest.status ?? 'booked';
  return {
    transactionId: id,
    entryReference: undefined,
    status,
    amount: { amount, currency },
    bookingDate: status === 'booked' ? date : undefined,
    valueDate: date,
    creditorName: amount.startsWith('-') ? 'SHOP SRL' : undefined,
    creditorIban: undefined,
    debtorName: amount.startsWith('-') ? undefined : 'EMPLOYER SA',
    debtorIban: undefined,
    remittanceInformationUnstructured: `line ${id ?? amount}`,
    bankTransactionCode: undefined,
    ...rest,
  };
}

export function createFakeBank(accounts: FakeAccount[] = defaultAccounts()): FakeBank {
  const faults: Fault[] = [];
  const calls: FakeBank['calls'] = [];
  const consents: FakeBank['consents'] = new Map();
  const payments: FakeBank['payments'] = new Map();
  let n = 0;
  let paymentsMade = 0;

  const fault = (op: FakeOp, page?: number): BankError | undefined => {
    const i = faults.findIndex((f) => f.op === op && (f.page === undefined || f.page === page));
    if (i < 0) return undefined;
    const f = faults[i]!;
    f.times -= 1;
    if (f.times <= 0) faults.splice(i, 1);
    return f.error;
  };
  const blockedError = () =>
    bankError({
      kind: 'unauthorized',
      httpStatus: 403,
      tppMessages: [{ category: 'ERROR', code: 'SERVICE_BLOCKED' }],
    });
  const check = <T>(op: FakeOp, consentId: string, value: () => T): BankResult<T> => {
    const f = fault(op);
    if (f) return { ok: false, error: f };
    if (bank.blocked) return { ok: false, error: blockedError() };
    const c = consents.get(consentId);
    if (c?.status !== 'valid') {
      return {
        ok: false,
        error: bankError({
          kind: 'unauthorized',
          httpStatus: 401,
          tppMessages: [{ category: 'ERROR', code: 'CONSENT_INVALID' }],
        }),
      };
    }
    return { ok: true, value: value() };
  };
  const visible = (consentId: string) => {
    const c = consents.get(consentId);
    const access = c?.request.access;
    return bank.accounts.filter((a) => access?.kind !== 'accounts' || access.ibans.includes(a.iban));
  };
  const unknownPayment = (): BankResult<never> => ({
    ok: false,
    error: bankError({ kind: 'not_found', httpStatus: 404, message: 'unknown payment' }),
  });

  const bank: FakeBank = {
    accounts,
    consents,
    payments,
    calls,
    pageSize: 50,
    blocked: false,
    gates: {},
    fail(op, error, times = 1, page) {
      faults.push({ op, error: bankError(error), times, ...(page !== undefined ? { page } : {}) });
    },
    setConsentStatus(id, status) {
      const c = consents.get(id);
      if (!c) throw new Error(`no fake consent ${id}`);
      c.status = status;
    },
    setPaymentStatus(id, status) {
      const p = payments.get(id);
      if (!p) throw new Error(`no fake payment ${id}`);
      p.status = status;
    },
    lastConsentId() {
      return [...consents.keys()].at(-1)!;
    },
    async createPayment(endpoint, input) {
      calls.push({ op: 'createPayment', args: [input] });
      const f = fault('createPayment');
      if (f) return { ok: false, error: f };
      paymentsMade += 1;
      const paymentId = `pay-${paymentsMade}`;
      payments.set(paymentId, { bank: endpoint, input, status: 'RCVD' });
      return {
        ok: true,
        value: {
          paymentId,
          transactionStatus: 'RCVD',
          scaRedirectUrl: `https://bank.example/sca/${paymentId}`,
        },
      };
    },
    async getPaymentStatus(_bank, _product, paymentId) {
      calls.push({ op: 'getPaymentStatus', args: [paymentId] });
      const f = fault('getPaymentStatus');
      if (f) return { ok: false, error: f };
      const p = payments.get(paymentId);
      return p ? { ok: true, value: { transactionStatus: p.status } } : unknownPayment();
    },
    async cancelPayment(_bank, _product, paymentId) {
      calls.push({ op: 'cancelPayment', args: [paymentId] });
      const f = fault('cancelPayment');
      if (f) return { ok: false, error: f };
      const p = payments.get(paymentId);
      if (!p) return unknownPayment();
      if (p.status === 'RCVD') p.status = 'CANC';
      return { ok: true, value: { transactionStatus: p.status } };
    },
    async createConsent(_bank, input) {
      calls.push({ op: 'createConsent', args: [input] });
      const f = fault('createConsent');
      if (f) return { ok: false, error: f };
      n += 1;
      const consentId = `fake-consent-${n}`;
      consents.set(consentId, { status: 'received', request: input });
      return {
        ok: true,
        value: { consentId, consentStatus: 'received', scaRedirectUrl: `https://bank.test/sca/${consentId}` },
      };
    },
    async getConsentStatus(_bank, consentId) {
      calls.push({ op: 'getConsentStatus', args: [consentId] });
      const f = fault('getConsentStatus');
      if (f) return { ok: false, error: f };
      const c = consents.get(consentId);
      if (!c) return { ok: false, error: bankError({ kind: 'not_found', httpStatus: 404 }) };
      return { ok: true, value: { consentStatus: c.status } };
    },
    async deleteConsent(_bank, consentId) {
      calls.push({ op: 'deleteConsent', args: [consentId] });
      const f = fault('deleteConsent');
      if (f) return { ok: false, error: f };
      const c = consents.get(consentId);
      if (c) c.status = 'terminatedByTpp';
      return { ok: true, value: undefined };
    },
    async listAccounts(_bank, consentId, options) {
      calls.push({ op: 'listAccounts', args: [consentId, options] });
      await bank.gates.listAccounts?.();
      return check('listAccounts', consentId, () =>
        visible(consentId).map(
          (a): BankAccount => ({
            resourceId: a.resourceId,
            iban: a.iban,
            currency: a.currency,
            name: a.name,
            ownerName: 'Ana Pop',
            product: a.product,
            cashAccountType: a.cashAccountType,
            bic: 'FAKEROBU',
            balances: [],
          }),
        ),
      );
    },
    async getBalances(_bank, consentId, accountId) {
      calls.push({ op: 'getBalances', args: [consentId, accountId] });
      await bank.gates.getBalances?.();
      return check(
        'getBalances',
        consentId,
        () => bank.accounts.find((a) => a.resourceId === accountId)!.balances,
      );
    },
    async *listTransactions(_bank, consentId, accountId, query) {
      calls.push({ op: 'listTransactions', args: [consentId, accountId, query] });
      const first = check('listTransactions', consentId, () => true);
      if (!first.ok) {
        yield first;
        return;
      }
      const account = bank.accounts.find((a) => a.resourceId === accountId)!;
      const lines = account.transactions.filter(
        (t) => t.status === 'pending' || (t.bookingDate ?? '') >= query.dateFrom,
      );
      for (let i = 0, page = 0; i < Math.max(lines.length, 1); i += bank.pageSize, page++) {
        const f = fault('listTransactions', page);
        if (f) {
          yield { ok: false, error: f };
          return;
        }
        yield { ok: true, value: lines.slice(i, i + bank.pageSize) };
      }
    },
  };
  return bank;
}

export function defaultAccounts(): FakeAccount[] {
  return [
    {
      resourceId: 'acc-ron',
      iban: 'RO49AAAA1B31007593840000',
      currency: 'RON',
      name: 'Cont curent',
      product: 'Personal current account',
      cashAccountType: 'CACC',
      balances: [
        {
          balanceType: 'closingBooked',
          amount: { amount: '1500.25', currency: 'RON' },
          creditLimitIncluded: false,
          referenceDate: '2025-12-31',
          lastChangeDateTime: undefined,
        },
        {
          balanceType: 'interimAvailable',
          amount: { amount: '1450.00', currency: 'RON' },
          creditLimitIncluded: false,
          referenceDate: '2026-01-01',
          lastChangeDateTime: '2026-01-01T08:00:00Z',
        },
        {
          balanceType: 'expected',
          amount: { amount: '-10.00', currency: 'RON' },
          creditLimitIncluded: false,
          referenceDate: undefined,
          lastChangeDateTime: undefined,
        },
      ],
      transactions: [
        tx({ id: 'T1', amount: '-25.50', date: '2025-12-20' }),
        tx({ id: 'T2', amount: '3500.00', date: '2025-12-10' }),
        tx({ id: 'T3', amount: '-120.00', date: '2025-12-28' }),
        tx({
          id: 'P1',
          amount: '-42.10',
          date: '2025-12-31',
          status: 'pending',
          remittanceInformationUnstructured: 'POS KAUFLAND card 1234',
        }),
      ],
    },
    {
      resourceId: 'acc-eur',
      iban: 'RO49AAAA1B31007593840001',
      currency: 'EUR',
      name: 'Savings',
      product: 'Savings account',
      cashAccountType: 'SVGS',
      balances: [
        {
          balanceType: 'closingBooked',
          amount: { amount: '200', currency: 'EUR' },
          creditLimitIncluded: undefined,
          referenceDate: '2025-12-31',
          lastChangeDateTime: undefined,
        },
      ],
      transactions: [tx({ id: 'E1', amount: '50.00', date: '2025-11-30', currency: 'EUR' })],
    },
  ];
}
