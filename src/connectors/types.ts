/**
 * The contract between Ferry and any bank: NextGenPSD2 operations as typed values. Results are never raw
 * HTTP: either `ok` with a value or a typed bank error. Changes to this file must be additive (pay/ and ais/
 * are written against it).
 */

export type BankResult<T> = { ok: true; value: T } | { ok: false; error: BankError };

export type BankErrorKind =
  | 'rejected' // the bank refused the request (4xx with tppMessages, e.g. FORMAT_ERROR, PRODUCT_INVALID)
  | 'unauthorized' // certificate / signature / consent invalid (401, 403 CERTIFICATE_*, CONSENT_INVALID)
  | 'not_found' // 404 RESOURCE_UNKNOWN
  | 'access_exceeded' // 429 ACCESS_EXCEEDED (frequencyPerDay)
  | 'rate_limited' // 429 with Retry-After
  | 'unavailable' // 5xx
  | 'timeout'
  | 'invalid_response'; // unparseable or schema-invalid body

export interface TppMessage {
  category: 'ERROR' | 'WARNING';
  code: string;
  text?: string;
  path?: string;
}

export interface BankError {
  kind: BankErrorKind;
  httpStatus: number | undefined;
  retryable: boolean;
  retryAfterSeconds: number | undefined;
  tppMessages: TppMessage[];
  message: string;
}

/** ISO 20022 transaction status as NextGenPSD2 reports it. */
export type TransactionStatus =
  | 'ACCC'
  | 'ACCP'
  | 'ACSC'
  | 'ACSP'
  | 'ACTC'
  | 'ACWC'
  | 'ACWP'
  | 'ACFC'
  | 'PATC'
  | 'PART'
  | 'PDNG'
  | 'RCVD'
  | 'RJCT'
  | 'CANC';

export type ConsentStatus =
  | 'received'
  | 'rejected'
  | 'valid'
  | 'revokedByPsu'
  | 'expired'
  | 'terminatedByTpp'
  | 'partiallyAuthorised';

/** Where and how to reach one provider's NextGenPSD2 API (from the providers catalogue). */
export interface BankEndpoint {
  providerId: string;
  /** e.g. http://localhost:3000/sandbox-bank/bt_ro (the connector appends /v1/...). */
  baseUrl: string;
  /** Ferry payment scheme/product key → the bank's payment-product path segment. */
  paymentProducts: Record<string, string>;
  /** Bank needs TPP-Signature-Certificate / QSealC signing (cec_ro). */
  requiresSignature?: boolean;
  /** QWAC for mTLS to the bank, PEM. */
  tls?: { cert: string; key: string; ca?: string };
  timeoutMs?: number;
  /** QSealC (PEM certificate and private key) to sign requests to this bank; else the connector's default. */
  qsealc?: QsealcCredentials;
}

/** A qualified electronic seal certificate and its key, PEM: signs requests as Berlin Group defines. */
export interface QsealcCredentials {
  cert: string;
  key: string;
}

export interface Amount {
  currency: string;
  /** Decimal string, e.g. "100.50"; never a float. */
  amount: string;
}

export interface PaymentInitiation {
  /** Bank payment product, e.g. sepa-credit-transfers, instant-sepa-credit-transfers, ron-payment, domestic. */
  product: string;
  instructedAmount: Amount;
  creditorName: string;
  creditorIban: string;
  debtorIban?: string;
  remittanceInformationUnstructured?: string;
  endToEndIdentification?: string;
  psuId?: string;
  psuIpAddress?: string;
  redirectUri: string;
  nokRedirectUri: string;
}

export interface PaymentCreated {
  paymentId: string;
  transactionStatus: TransactionStatus;
  /** Where to send the user for redirect SCA. */
  scaRedirectUrl: string;
}

export interface ConsentRequest {
  access:
    | { kind: 'allAccounts'; withBalances: boolean; withTransactions: boolean }
    | { kind: 'allPsd2' }
    | { kind: 'accounts'; ibans: string[]; withBalances: boolean; withTransactions: boolean };
  recurringIndicator: boolean;
  /** ISO date (YYYY-MM-DD). */
  validUntil: string;
  frequencyPerDay: number;
  psuId?: string;
  psuIpAddress?: string;
  redirectUri: string;
  nokRedirectUri: string;
}

export interface ConsentCreated {
  consentId: string;
  consentStatus: ConsentStatus;
  scaRedirectUrl: string;
}

export interface BankAccount {
  resourceId: string;
  iban: string | undefined;
  currency: string;
  name: string | undefined;
  ownerName: string | undefined;
  product: string | undefined;
  cashAccountType: string | undefined;
  bic: string | undefined;
  balances: BankBalance[];
}

export interface BankBalance {
  /** NextGenPSD2 balanceType: closingBooked, interimAvailable, expected, ... */
  balanceType: string;
  /** Signed decimal string as the bank sends it. */
  amount: Amount;
  creditLimitIncluded: boolean | undefined;
  referenceDate: string | undefined;
  lastChangeDateTime: string | undefined;
}

export interface BankTransaction {
  transactionId: string | undefined;
  entryReference: string | undefined;
  status: 'booked' | 'pending';
  /** Signed decimal string: negative for debits. */
  amount: Amount;
  bookingDate: string | undefined;
  valueDate: string | undefined;
  creditorName: string | undefined;
  creditorIban: string | undefined;
  debtorName: string | undefined;
  debtorIban: string | undefined;
  remittanceInformationUnstructured: string | undefined;
  bankTransactionCode: string | undefined;
}

export interface TransactionQuery {
  dateFrom: string;
  dateTo?: string;
  bookingStatus: 'booked' | 'pending' | 'both';
  /** Asks the bank for this many booked lines per page (NextGenPSD2 itemsPerPage); the bank may ignore it. */
  pageSize?: number;
}

/** A call made without the PSU present counts against frequencyPerDay; with psuIpAddress it does not. */
export interface CallContext {
  psuIpAddress?: string;
}

export interface BankConnector {
  createPayment(bank: BankEndpoint, input: PaymentInitiation): Promise<BankResult<PaymentCreated>>;
  getPaymentStatus(
    bank: BankEndpoint,
    product: string,
    paymentId: string,
  ): Promise<BankResult<{ transactionStatus: TransactionStatus }>>;
  cancelPayment(
    bank: BankEndpoint,
    product: string,
    paymentId: string,
  ): Promise<BankResult<{ transactionStatus: TransactionStatus }>>;

  createConsent(bank: BankEndpoint, input: ConsentRequest): Promise<BankResult<ConsentCreated>>;
  getConsentStatus(
    bank: BankEndpoint,
    consentId: string,
  ): Promise<BankResult<{ consentStatus: ConsentStatus }>>;
  deleteConsent(bank: BankEndpoint, consentId: string): Promise<BankResult<void>>;

  listAccounts(
    bank: BankEndpoint,
    consentId: string,
    options: { withBalance: boolean } & CallContext,
  ): Promise<BankResult<BankAccount[]>>;
  getBalances(
    bank: BankEndpoint,
    consentId: string,
    accountId: string,
    context?: CallContext,
  ): Promise<BankResult<BankBalance[]>>;
  /** Pages through `_links.next`; yields one page of transactions at a time. */
  listTransactions(
    bank: BankEndpoint,
    consentId: string,
    accountId: string,
    query: TransactionQuery,
    context?: CallContext,
  ): AsyncIterable<BankResult<BankTransaction[]>>;
}
