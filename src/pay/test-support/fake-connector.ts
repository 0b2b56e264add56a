import type {
  BankConnector,
  BankEndpoint,
  BankError,
  BankErrorKind,
  PaymentInitiation,
  TransactionStatus,
} from '../../connectors/types.js';

/**
 * A bank in memory for unit tests of the pay module: payments start RCVD, tests move them on. End-to-end tests use
 * the real sandbox bank over HTTP instead.
 */
export interface FakeBank extends BankConnector {
  payments: Map<string, { bank: BankEndpoint; input: PaymentInitiation; status: TransactionStatus }>;
  setStatus(paymentId: string, status: TransactionStatus): void;
  /** The next calls of this operation fail with this error kind. */
  failNext(
    op: 'createPayment' | 'getPaymentStatus' | 'cancelPayment',
    kind: BankErrorKind,
    times?: number,
  ): void;
  calls: { op: string; paymentId?: string }[];
}

export function createFakeBank(): FakeBank {
  const payments: FakeBank['payments'] = new Map();
  const failures = new Map<string, { kind: BankErrorKind; times: number }>();
  const calls: FakeBank['calls'] = [];
  let n = 0;
  const failure = (op: string): BankError | undefined => {
    const f = failures.get(op);
    if (!f || f.times <= 0) return undefined;
    f.times -= 1;
    const retryable = f.kind === 'unavailable' || f.kind === 'timeout' || f.kind === 'rate_limited';
    return {
      kind: f.kind,
      httpStatus: f.kind === 'rejected' ? 400 : 503,
      retryable,
      retryAfterSeconds: undefined,
      tppMessages: f.kind === 'rejected' ? [{ category: 'ERROR', code: 'FORMAT_ERROR', text: 'bad' }] : [],
      message: f.kind,
    };
  };
  const notSupported = async () => {
    throw new Error('not used by pay tests');
  };
  return {
    payments,
    calls,
    setStatus(id, status) {
      const p = payments.get(id);
      if (!p) throw new Error(`no payment ${id}`);
      p.status = status;
    },
    failNext(op, kind, times = 1) {
      failures.set(op, { kind, times });
    },
    async createPayment(bank, input) {
      calls.push({ op: 'createPayment' });
      const error = failure('createPayment');
      if (error) return { ok: false, error };
      n += 1;
      const paymentId = `pay-${n}`;
      payments.set(paymentId, { bank, input, status: 'RCVD' });
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
      calls.push({ op: 'getPaymentStatus', paymentId });
      const error = failure('getPaymentStatus');
      if (error) return { ok: false, error };
      const p = payments.get(paymentId);
      if (!p) return { ok: false, error: { ...failureOf('not_found'), message: 'unknown payment' } };
      return { ok: true, value: { transactionStatus: p.status } };
    },
    async cancelPayment(_bank, _product, paymentId) {
      calls.push({ op: 'cancelPayment', paymentId });
      const error = failure('cancelPayment');
      if (error) return { ok: false, error };
      const p = payments.get(paymentId);
      if (!p) return { ok: false, error: { ...failureOf('not_found'), message: 'unknown payment' } };
      if (p.status === 'RCVD') p.status = 'CANC';
      return { ok: true, value: { transactionStatus: p.status } };
    },
    createConsent: notSupported,
    getConsentStatus: notSupported,
    deleteConsent: notSupported,
    listAccounts: notSupported,
    getBalances: notSupported,
    listTransactions: () => {
      throw new Error('not used by pay tests');
    },
  };
}

function failureOf(kind: BankErrorKind): BankError {
  return {
    kind,
    httpStatus: 404,
    retryable: false,
    retryAfterSeconds: undefined,
    tppMessages: [],
    message: kind,
  };
}
