import type { ApiClient } from '../auth/index.js';
import { DEFAULT_PAGE_SIZE, pageOf } from '../shared/cursor.js';
import { validationError } from '../shared/errors.js';
import { LAST_DAY, parseDate, parseInstant } from '../shared/time-input.js';
import type { AisDeps } from './ais.context.js';
import { findConsent, isUuid } from './consent.repository.js';
import { readableConsent } from './consent-access.js';
import { isDataReadable } from './consent-status.js';
import {
  type AccountFilter,
  latestBalances,
  listAccounts,
  listBalances,
  listTransactions,
  type TransactionFilter,
} from './data.repository.js';
import { parseFilterAmount } from './money.js';

export interface Pagination {
  limit?: number | undefined;
  after?: string | undefined;
}

function accountIdFilter(value: string | undefined): string | undefined {
  if (value !== undefined && !isUuid(value))
    throw validationError('filter.account_id', 'must be an account_id (UUID)');
  return value;
}

export async function accountsList(
  deps: AisDeps,
  client: ApiClient,
  consentId: string,
  filter: AccountFilter,
) {
  const consent = await readableConsent(deps, client, consentId);
  const accounts = await listAccounts(deps.db, consent.id, filter);
  const balances = await latestBalances(
    deps.db,
    accounts.map((a) => a.id),
  );
  return {
    consentId: consent.id,
    accounts: accounts.map((account) => ({
      account,
      balances: balances.filter((b) => b.account_id === account.id),
    })),
  };
}

export async function balancesList(
  deps: AisDeps,
  client: ApiClient,
  consentId: string,
  filter: { account_id?: string; type?: string; currency?: string },
  pagination: Pagination,
) {
  const limit = pagination.limit ?? DEFAULT_PAGE_SIZE;
  const after = deps.cursors.balances.decode(pagination.after)?.[0];
  const consent = await readableConsent(deps, client, consentId);
  const rows = await listBalances(
    deps.db,
    consent.id,
    { accountId: accountIdFilter(filter.account_id), type: filter.type, currency: filter.currency },
    after,
    limit + 1,
  );
  const cursorOf = (b: (typeof rows)[number]) => deps.cursors.balances.encode([b.seq]);
  const { page, pagination: info } = pageOf(rows, limit, cursorOf);
  return {
    consentId: consent.id,
    page: page.map((row) => ({ row, keyset: cursorOf(row) })),
    pagination: info,
  };
}

export interface TransactionFilterInput {
  account_id?: string;
  currency?: string;
  status?: 'booked' | 'pending';
  credit_debit_indicator?: 'credit' | 'debit';
  eq?: string | number;
  gt?: string | number;
  gte?: string | number;
  lt?: string | number;
  lte?: string | number;
  amount_min?: string | number;
  amount_max?: string | number;
  booking_date_from?: string;
  booking_date_to?: string;
  booking_date_eq?: string;
  booking_date_gte?: string;
  booking_date_gt?: string;
  booking_date_lte?: string;
  booking_date_lt?: string;
  updated_from?: string;
  updated_to?: string;
  /** When Ferry stored the row (the classic Finqware API's `timestamp_*` filters). */
  timestamp_eq?: string;
  timestamp_gte?: string;
  timestamp_gt?: string;
  timestamp_lte?: string;
  timestamp_lt?: string;
}

const DAY_MS = 86_400_000;
const LAST_DAY_NUMBER = Date.parse(`${LAST_DAY}T00:00:00Z`) / DAY_MS;
const dayString = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

type Op = '=' | '>' | '>=' | '<' | '<=';

/**
 * A booking-date bound as a bound on the stored date column. A date compares as is; a date-time T compares as
 * "the booking day starts (00:00 UTC) op T", which becomes a whole-day bound so the index still serves it.
 */
function dateBound(field: string, op: Op, value: string): { op: Op; value: string } {
  const name = `filter.${field}`;
  if (!value.includes('T')) return { op, value: parseDate(name, value) };
  const ms = parseInstant(name, value).getTime();
  const floor = Math.floor(ms / DAY_MS);
  const ceil = Math.ceil(ms / DAY_MS);
  // The day after the last one cannot be stored: "on or after it" is "after the last day", "before it" is "up to it".
  if (ceil > LAST_DAY_NUMBER && op === '>=') return { op: '>', value: LAST_DAY };
  if (ceil > LAST_DAY_NUMBER && op === '<') return { op: '<=', value: LAST_DAY };
  switch (op) {
    case '>=':
      return { op, value: dayString(ceil) };
    case '>':
      return { op, value: dayString(floor) };
    case '<=':
      return { op, value: dayString(floor) };
    case '<':
      return { op, value: dayString(ceil) };
    default:
      return { op, value: dayString(floor) };
  }
}

const timestamp = (field: string, value: string) => parseInstant(`filter.${field}`, value, { dates: true });

export function parseTransactionFilter(f: TransactionFilterInput): TransactionFilter {
  const amount: TransactionFilter['amount'] = [];
  const amountOps: [keyof TransactionFilterInput, Op][] = [
    ['eq', '='],
    ['gt', '>'],
    ['gte', '>='],
    ['lt', '<'],
    ['lte', '<='],
    ['amount_min', '>='],
    ['amount_max', '<='],
  ];
  for (const [key, op] of amountOps) {
    const raw = f[key];
    if (raw === undefined) continue;
    const value = parseFilterAmount(raw);
    if (value === undefined || value.startsWith('-')) {
      throw validationError(
        `filter.${key}`,
        'must be a positive decimal amount such as "12.50" (amounts are unsigned)',
      );
    }
    amount.push({ op, value });
  }
  const sortDate: TransactionFilter['sortDate'] = [];
  const dateOps: [keyof TransactionFilterInput, Op][] = [
    ['booking_date_from', '>='],
    ['booking_date_to', '<='],
    ['booking_date_eq', '='],
    ['booking_date_gte', '>='],
    ['booking_date_gt', '>'],
    ['booking_date_lte', '<='],
    ['booking_date_lt', '<'],
  ];
  for (const [key, op] of dateOps) {
    const raw = f[key];
    if (raw !== undefined) sortDate.push(dateBound(key, op, String(raw)));
  }
  const updated: TransactionFilter['updated'] = [];
  if (f.updated_from !== undefined)
    updated.push({ op: '>=', value: timestamp('updated_from', f.updated_from) });
  if (f.updated_to !== undefined) updated.push({ op: '<=', value: timestamp('updated_to', f.updated_to) });
  const inserted: TransactionFilter['inserted'] = [];
  const insertedOps: [keyof TransactionFilterInput, Op][] = [
    ['timestamp_eq', '='],
    ['timestamp_gte', '>='],
    ['timestamp_gt', '>'],
    ['timestamp_lte', '<='],
    ['timestamp_lt', '<'],
  ];
  for (const [key, op] of insertedOps) {
    const raw = f[key];
    if (raw !== undefined) inserted.push({ op, value: timestamp(key, String(raw)) });
  }
  return {
    accountId: accountIdFilter(f.account_id),
    currency: f.currency,
    status: f.status,
    creditDebitIndicator: f.credit_debit_indicator,
    amount,
    sortDate,
    updated,
    inserted,
  };
}

export async function transactionsList(
  deps: AisDeps,
  client: ApiClient,
  consentId: string,
  filterInput: TransactionFilterInput,
  pagination: Pagination,
) {
  const limit = pagination.limit ?? DEFAULT_PAGE_SIZE;
  const filter = parseTransactionFilter(filterInput);
  const keyset = deps.cursors.transactions.decode(pagination.after);
  const after = keyset && { sortDate: keyset[0], id: keyset[1] };
  // The access check and the page query run side by side (two connections): the rows are only used once the
  // check passed. Anything unusual (not found, not owned, not readable, a deadline passed) takes the full path,
  // which settles the consent and answers with the right error.
  const [gate, found] = isUuid(consentId)
    ? await Promise.all([
        findConsent(deps.db, consentId),
        listTransactions(deps.db, consentId, filter, after, limit + 1),
      ])
    : [undefined, []];
  const now = deps.clock.now();
  const clear =
    gate !== undefined &&
    gate.clientId === client.id &&
    isDataReadable(gate.status) &&
    (gate.authorizedUntil === null || gate.authorizedUntil > now);
  let rows = found;
  if (!clear) {
    await readableConsent(deps, client, consentId);
    rows = await listTransactions(deps.db, consentId, filter, after, limit + 1);
  }
  const cursorOf = (t: (typeof rows)[number]) => deps.cursors.transactions.encode([t.sort_date, t.id]);
  const { page, pagination: info } = pageOf(rows, limit, cursorOf);
  return { consentId, page: page.map((row) => ({ row, keyset: cursorOf(row) })), pagination: info };
}
