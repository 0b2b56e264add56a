import { type BankId, banks } from './banks.js';
import { effectiveConsentStatus, type SandboxConsentStatus } from './consent-status.js';
import { type SandboxContext, todayIso, todayOf } from './context.js';
import { dayOf, dayOfInstant, isIsoDate, isoOf } from './data/calendar.js';
import { fromMinor, toMinor } from './data/money.js';
import { findAccountByIban, findAccountById, type SandboxAccount } from './data/users.js';
import { applyResponseFaults, type Faults } from './faults.service.js';
import { consentInvalid, consentUnknown, formatError, Psd2Error, resourceUnknown } from './psd2-error.js';
import {
  type ConsentRow,
  countAccess,
  findConsent,
  type LedgerRow,
  ledgerFor,
  logAccess,
  revokeConsentsOf,
  updateConsent,
} from './sandbox.repository.js';
import {
  balancesAt,
  bookedOn,
  type LedgerLine,
  parseEntryRef,
  pendingAt,
  type StatementTxn,
} from './statement.js';

export type Right = 'accounts' | 'balances' | 'transactions';

export interface AisCall {
  bank: BankId;
  consentId: string | undefined;
  psuIpAddress: string | undefined;
  operation: string;
  /** What frequencyPerDay counts: one resource per endpoint and account; undefined = not counted. */
  resource: string | undefined;
}

const DAY_MS = 86_400_000;

/** Checks the consent behind an account-information call and counts it against frequencyPerDay. */
export async function authoriseAisCall(
  ctx: SandboxContext,
  faults: Faults,
  call: AisCall,
): Promise<ConsentRow> {
  if (!call.consentId) throw formatError('Consent-ID is required.', 'Consent-ID');
  let consent = await findConsent(ctx.db, call.bank, call.consentId);
  if (!consent) throw consentUnknown();
  const revoke = await faults.take(call.bank, { operation: call.operation, psuId: consent.psu_id }, [
    'revoke_consent',
  ]);
  if (revoke && consent.status === 'valid') {
    await updateConsent(ctx.db, consent.id, 'valid', { status: 'revokedByPsu', updated_at: ctx.clock.now() });
    consent = (await findConsent(ctx.db, call.bank, call.consentId))!;
  }
  await applyResponseFaults(faults, call.bank, { operation: call.operation, psuId: consent.psu_id });
  const status = effectiveConsentStatus(
    consent.status as SandboxConsentStatus,
    consent.valid_until,
    todayIso(ctx),
  );
  if (status === 'expired') throw new Psd2Error(401, 'CONSENT_EXPIRED', 'The consent has expired.');
  if (status !== 'valid') throw consentInvalid(`The consent is ${status}.`);
  // A call with PSU-IP-Address is made with the PSU present and does not count (NextGenPSD2 frequencyPerDay).
  if (!call.psuIpAddress && call.resource) {
    const now = ctx.clock.now();
    const used = await countAccess(ctx.db, consent.id, call.resource, new Date(now.getTime() - DAY_MS));
    if (used >= consent.frequency_per_day)
      throw new Psd2Error(
        429,
        'ACCESS_EXCEEDED',
        `frequencyPerDay (${consent.frequency_per_day}) used up for this resource.`,
      );
    await logAccess(ctx.db, consent.id, call.resource, now);
  }
  const today = todayIso(ctx);
  if (consent.last_action_date !== today) {
    await updateConsent(ctx.db, consent.id, consent.status, {
      last_action_date: today,
      updated_at: ctx.clock.now(),
    });
  }
  return consent;
}

function granted(consent: ConsentRow, acc: SandboxAccount, right: Right): boolean {
  return consent.granted?.[right].includes(acc.iban) ?? false;
}

/** The account behind `accountId`, if the consent covers it for `right`. */
export function accountFor(consent: ConsentRow, accountId: string, right: Right): SandboxAccount {
  const acc = findAccountById(accountId);
  if (!acc || acc.bank !== consent.bank) throw resourceUnknown('account');
  if (!granted(consent, acc, 'accounts')) throw resourceUnknown('account');
  if (!granted(consent, acc, right))
    throw consentInvalid(`The consent does not cover ${right} of this account.`);
  return acc;
}

const toLine = (r: LedgerRow): LedgerLine => ({
  id: r.id,
  amountMinor: toMinor(r.amount)!,
  currency: r.currency,
  counterpartyName: r.counterparty_name,
  counterpartyIban: r.counterparty_iban ?? undefined,
  remittance: r.remittance ?? undefined,
  settlesAt: r.settles_at,
});

async function ledgerSplit(ctx: SandboxContext, acc: SandboxAccount) {
  const now = ctx.clock.now();
  const rows = (await ledgerFor(ctx.db, acc.iban)).map(toLine);
  const booked = rows.filter((l) => l.settlesAt <= now);
  const pending = rows.filter((l) => l.settlesAt > now);
  return { booked, pending };
}

export async function balanceFigures(ctx: SandboxContext, acc: SandboxAccount) {
  const today = todayOf(ctx);
  const { booked, pending } = await ledgerSplit(ctx, acc);
  const pendingLines = pendingAt(acc, today, pending);
  return balancesAt(
    acc,
    today,
    booked.map((l) => ({ day: dayOfInstant(l.settlesAt), amountMinor: l.amountMinor })),
    pendingLines,
  );
}

export async function availableBalanceMinor(ctx: SandboxContext, acc: SandboxAccount): Promise<number> {
  return (await balanceFigures(ctx, acc)).interimAvailableMinor;
}

export async function balancesJson(ctx: SandboxContext, acc: SandboxAccount) {
  const f = await balanceFigures(ctx, acc);
  const amount = (minor: number) => ({ currency: acc.currency, amount: fromMinor(minor) });
  const now = ctx.clock.now().toISOString();
  return [
    {
      balanceAmount: amount(f.closingBookedMinor),
      balanceType: 'closingBooked',
      referenceDate: f.closingDate,
    },
    {
      balanceAmount: amount(f.interimBookedMinor),
      balanceType: 'interimBooked',
      referenceDate: todayIso(ctx),
    },
    {
      balanceAmount: amount(f.interimAvailableMinor),
      balanceType: 'interimAvailable',
      creditLimitIncluded: false,
      lastChangeDateTime: now,
    },
    { balanceAmount: amount(f.expectedMinor), balanceType: 'expected', lastChangeDateTime: now },
  ];
}

export async function accountJson(
  ctx: SandboxContext,
  consent: ConsentRow,
  acc: SandboxAccount,
  base: string,
  withBalance: boolean,
) {
  const links: Record<string, { href: string }> = {};
  if (granted(consent, acc, 'balances'))
    links.balances = { href: `${base}/v1/accounts/${acc.resourceId}/balances` };
  if (granted(consent, acc, 'transactions'))
    links.transactions = { href: `${base}/v1/accounts/${acc.resourceId}/transactions` };
  return {
    resourceId: acc.resourceId,
    iban: acc.iban,
    currency: acc.currency,
    name: acc.name,
    product: acc.product,
    cashAccountType: acc.cashAccountType,
    status: acc.status,
    bic: banks[acc.bank].bic,
    usage: acc.usage,
    ownerName: acc.ownerName,
    ...(withBalance && granted(consent, acc, 'balances') ? { balances: await balancesJson(ctx, acc) } : {}),
    _links: links,
  };
}

export async function listAccountsJson(
  ctx: SandboxContext,
  consent: ConsentRow,
  base: string,
  withBalance: boolean,
) {
  const accounts: unknown[] = [];
  for (const iban of consent.granted?.accounts ?? []) {
    const acc = findAccountByIban(iban);
    if (acc) accounts.push(await accountJson(ctx, consent, acc, base, withBalance));
  }
  return { accounts };
}

export function transactionJson(t: StatementTxn, acc: SandboxAccount, base?: string) {
  const party = t.counterpartyIban ? { iban: t.counterpartyIban } : undefined;
  const credit = t.amountMinor > 0;
  return {
    transactionId: t.transactionId,
    ...(t.entryReference ? { entryReference: t.entryReference } : {}),
    ...(t.bookingDate ? { bookingDate: t.bookingDate } : {}),
    valueDate: t.valueDate,
    transactionAmount: { currency: t.currency, amount: fromMinor(t.amountMinor) },
    ...(credit
      ? { debtorName: t.counterpartyName.slice(0, 70), ...(party ? { debtorAccount: party } : {}) }
      : { creditorName: t.counterpartyName.slice(0, 70), ...(party ? { creditorAccount: party } : {}) }),
    ...(t.remittance ? { remittanceInformationUnstructured: t.remittance.slice(0, 140) } : {}),
    bankTransactionCode: t.code,
    ...(base
      ? {
          _links: {
            transactionDetails: {
              href: `${base}/v1/accounts/${acc.resourceId}/transactions/${t.transactionId}`,
            },
          },
        }
      : {}),
  };
}

export interface TransactionQuery {
  dateFrom: string | undefined;
  dateTo: string | undefined;
  bookingStatus: string | undefined;
  entryReferenceFrom: string | undefined;
  itemsPerPage: string | undefined;
}

export const DEFAULT_PAGE = 500;
const MAX_PAGE = 5_000;

export function checkTransactionQuery(q: TransactionQuery, today: string) {
  if (!q.bookingStatus) throw formatError('bookingStatus is required.', 'bookingStatus');
  if (!['booked', 'pending', 'both'].includes(q.bookingStatus))
    throw new Psd2Error(400, 'PARAMETER_NOT_SUPPORTED', `bookingStatus ${q.bookingStatus} is not supported.`);
  if (!q.dateFrom && !q.entryReferenceFrom) throw formatError('dateFrom is required.', 'dateFrom');
  for (const [name, value] of [
    ['dateFrom', q.dateFrom],
    ['dateTo', q.dateTo],
  ] as const) {
    if (value !== undefined && !isIsoDate(value))
      throw formatError(`${name} must be a date (YYYY-MM-DD).`, name);
  }
  const dateTo = q.dateTo ?? today;
  if (q.dateFrom && q.dateFrom > dateTo)
    throw new Psd2Error(400, 'PERIOD_INVALID', 'dateFrom is after dateTo.');
  let cursor: { day: number; seq: number } | undefined;
  if (q.entryReferenceFrom) {
    cursor = parseEntryRef(q.entryReferenceFrom);
    if (!cursor)
      throw formatError('entryReferenceFrom is not an entry reference of this bank.', 'entryReferenceFrom');
  }
  let pageSize = DEFAULT_PAGE;
  if (q.itemsPerPage !== undefined) {
    pageSize = Number(q.itemsPerPage);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE)
      throw formatError(`itemsPerPage must be 1-${MAX_PAGE}.`, 'itemsPerPage');
  }
  return {
    bookingStatus: q.bookingStatus as 'booked' | 'pending' | 'both',
    dateFrom: q.dateFrom,
    dateTo,
    cursor,
    pageSize,
  };
}

/** One page of the booked list (keyset by entry reference), plus pending lines on the first page. */
export async function transactionsPage(
  ctx: SandboxContext,
  acc: SandboxAccount,
  query: ReturnType<typeof checkTransactionQuery>,
  base: string,
  rawQuery: TransactionQuery,
) {
  const today = todayOf(ctx);
  const { booked: ledgerBooked, pending: ledgerPending } = await ledgerSplit(ctx, acc);
  const ledgerByDay = new Map<number, LedgerLine[]>();
  for (const l of ledgerBooked) {
    const d = dayOfInstant(l.settlesAt);
    ledgerByDay.set(d, [...(ledgerByDay.get(d) ?? []), l]);
  }
  const booked: StatementTxn[] = [];
  let next: string | undefined;
  if (query.bookingStatus !== 'pending') {
    const first = Math.max(
      dayOf(acc.openedOn),
      query.dateFrom ? dayOf(query.dateFrom) : 0,
      query.cursor?.day ?? 0,
    );
    const last = Math.min(dayOf(query.dateTo), today);
    let more = false;
    for (let d = first; d <= last && !more; d++) {
      for (const t of bookedOn(acc, d, ledgerByDay.get(d) ?? [])) {
        if (query.cursor && d === query.cursor.day && Number(t.entryReference!.slice(8)) <= query.cursor.seq)
          continue;
        if (booked.length === query.pageSize) {
          more = true;
          break;
        }
        booked.push(t);
      }
    }
    if (more) {
      const params = new URLSearchParams();
      if (rawQuery.dateFrom) params.set('dateFrom', rawQuery.dateFrom);
      params.set('dateTo', query.dateTo);
      params.set('bookingStatus', query.bookingStatus);
      params.set('entryReferenceFrom', booked.at(-1)!.entryReference!);
      if (rawQuery.itemsPerPage) params.set('itemsPerPage', rawQuery.itemsPerPage);
      next = `${base}/v1/accounts/${acc.resourceId}/transactions?${params}`;
    }
  }
  const pending =
    query.bookingStatus !== 'booked' && !query.cursor ? pendingAt(acc, today, ledgerPending) : [];
  const report: Record<string, unknown> = {};
  if (query.bookingStatus !== 'pending') report.booked = booked.map((t) => transactionJson(t, acc));
  if (query.bookingStatus !== 'booked') report.pending = pending.map((t) => transactionJson(t, acc));
  report._links = {
    account: { href: `${base}/v1/accounts/${acc.resourceId}` },
    ...(next ? { next: { href: next } } : {}),
  };
  return { account: { iban: acc.iban, currency: acc.currency }, transactions: report };
}

export async function transactionDetails(ctx: SandboxContext, acc: SandboxAccount, transactionId: string) {
  const today = todayOf(ctx);
  const { booked, pending } = await ledgerSplit(ctx, acc);
  let found: StatementTxn | undefined;
  if (transactionId.startsWith('B')) {
    const ref = parseEntryRef(transactionId.slice(1));
    if (ref && ref.day <= today && ref.day >= dayOf(acc.openedOn)) {
      const ledger = booked.filter((l) => dayOfInstant(l.settlesAt) === ref.day);
      found = bookedOn(acc, ref.day, ledger)[ref.seq];
    }
  } else if (transactionId.startsWith('P')) {
    found = pendingAt(acc, today, pending).find((t) => t.transactionId === transactionId);
  }
  if (!found) throw resourceUnknown('transaction');
  return { transactionsDetails: transactionJson(found, acc) };
}

/** The PSU withdraws every valid consent they gave at this bank (what a "revoke" in online banking does). */
export const revokeByPsu = (ctx: SandboxContext, bank: BankId, psuId: string) =>
  revokeConsentsOf(ctx.db, bank, psuId, ctx.clock.now());

export const isoDay = isoOf;
