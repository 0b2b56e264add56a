import type { BankAccount, BankBalance, BankTransaction, ConsentStatus, TransactionStatus } from './types.js';

/** Thrown inside a mapper when the bank's JSON lacks what the spec promises; becomes `invalid_response`. */
export class ShapeError extends Error {}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function obj(v: unknown, where: string): Obj {
  if (!isObj(v)) throw new ShapeError(`${where} is not an object`);
  return v;
}
export function str(o: Obj, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new ShapeError(`${where}.${key} is missing`);
  return v;
}
const optStr = (o: Obj | undefined, key: string): string | undefined =>
  o && typeof o[key] === 'string' ? (o[key] as string) : undefined;
const optBool = (o: Obj, key: string): boolean | undefined =>
  typeof o[key] === 'boolean' ? (o[key] as boolean) : undefined;

const TRANSACTION_STATUSES: readonly TransactionStatus[] = [
  'ACCC',
  'ACCP',
  'ACSC',
  'ACSP',
  'ACTC',
  'ACWC',
  'ACWP',
  'ACFC',
  'PATC',
  'PART',
  'PDNG',
  'RCVD',
  'RJCT',
  'CANC',
];
const CONSENT_STATUSES: readonly ConsentStatus[] = [
  'received',
  'rejected',
  'valid',
  'revokedByPsu',
  'expired',
  'terminatedByTpp',
  'partiallyAuthorised',
];

export function transactionStatus(o: Obj, where: string): TransactionStatus {
  const v = str(o, 'transactionStatus', where);
  if (!(TRANSACTION_STATUSES as readonly string[]).includes(v))
    throw new ShapeError(`${where}.transactionStatus ${v} is unknown`);
  return v as TransactionStatus;
}

export function consentStatus(o: Obj, where: string): ConsentStatus {
  const v = str(o, 'consentStatus', where);
  if (!(CONSENT_STATUSES as readonly string[]).includes(v))
    throw new ShapeError(`${where}.consentStatus ${v} is unknown`);
  return v as ConsentStatus;
}

export function href(links: unknown, name: string): string | undefined {
  if (!isObj(links)) return undefined;
  const link = links[name];
  if (typeof link === 'string') return link; // some banks send a bare string
  return isObj(link) && typeof link.href === 'string' ? link.href : undefined;
}

const AMOUNT = /^-?\d{1,14}(\.\d{1,3})?$/;
function amount(v: unknown, where: string) {
  const o = obj(v, where);
  const currency = str(o, 'currency', where);
  const value = str(o, 'amount', where);
  if (!AMOUNT.test(value)) throw new ShapeError(`${where}.amount ${value} is not a decimal`);
  return { currency, amount: value };
}

export function balance(v: unknown, where: string): BankBalance {
  const o = obj(v, where);
  return {
    balanceType: str(o, 'balanceType', where),
    amount: amount(o.balanceAmount, `${where}.balanceAmount`),
    creditLimitIncluded: optBool(o, 'creditLimitIncluded'),
    referenceDate: optStr(o, 'referenceDate'),
    lastChangeDateTime: optStr(o, 'lastChangeDateTime'),
  };
}

export function balances(v: unknown, where: string): BankBalance[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ShapeError(`${where} is not a list`);
  return v.map((b, i) => balance(b, `${where}[${i}]`));
}

export function account(v: unknown, where: string): BankAccount {
  const o = obj(v, where);
  const resourceId = str(o, 'resourceId', where);
  return {
    resourceId,
    iban: optStr(o, 'iban'),
    currency: str(o, 'currency', where),
    name: optStr(o, 'name') ?? optStr(o, 'displayName'),
    ownerName: optStr(o, 'ownerName'),
    product: optStr(o, 'product'),
    cashAccountType: optStr(o, 'cashAccountType'),
    bic: optStr(o, 'bic'),
    balances: balances(o.balances, `${where}.balances`),
  };
}

export function transaction(v: unknown, status: 'booked' | 'pending', where: string): BankTransaction {
  const o = obj(v, where);
  const creditor = isObj(o.creditorAccount) ? o.creditorAccount : undefined;
  const debtor = isObj(o.debtorAccount) ? o.debtorAccount : undefined;
  const code = o.bankTransactionCode;
  return {
    transactionId: optStr(o, 'transactionId'),
    entryReference: optStr(o, 'entryReference'),
    status,
    amount: amount(o.transactionAmount, `${where}.transactionAmount`),
    bookingDate: optStr(o, 'bookingDate'),
    valueDate: optStr(o, 'valueDate'),
    creditorName: optStr(o, 'creditorName'),
    creditorIban: optStr(creditor, 'iban'),
    debtorName: optStr(o, 'debtorName'),
    debtorIban: optStr(debtor, 'iban'),
    remittanceInformationUnstructured:
      optStr(o, 'remittanceInformationUnstructured') ??
      (Array.isArray(o.remittanceInformationUnstructuredArray)
        ? (o.remittanceInformationUnstructuredArray as unknown[])
            .filter((x) => typeof x === 'string')
            .join(' ')
        : undefined),
    bankTransactionCode: typeof code === 'string' ? code : undefined,
  };
}
