import type { ApiClient } from '../auth/index.js';
import type { AisDeps } from './ais.context.js';
import type { Consent } from './consent.repository.js';
import { type CreateConsentInput, createConsent, pageUrl, revokeConsent } from './consent.service.js';
import { ownedConsent, readableConsent } from './consent-access.js';
import {
  type AccountRow,
  type BalanceFilter,
  type BalanceRow,
  deleteConsentData,
  type ListedTransaction,
  latestBalances,
  listAccounts,
  listBalances,
  listTransactions,
} from './data.repository.js';
import { parseTransactionFilter, type TransactionFilterInput } from './data.service.js';

/** Rows per query when a whole list is streamed. */
const STREAM_PAGE = 500;

/**
 * The consents and data other API surfaces serve over the same store (the classic Finqware API, finX): the
 * FinqLink rules (ownership, readable statuses, deadlines) apply, and errors are FinqLink's `ApiError`s, which
 * each surface maps to its own error model.
 */
export interface AisSharedAccess {
  createConsent(
    client: ApiClient,
    input: CreateConsentInput,
    context?: { callerIp?: string | undefined },
  ): Promise<{ consent: Consent; webUrl: string | null }>;
  /** The client's consent, its deadlines settled; consent_not_found otherwise. */
  consent(client: ApiClient, id: string): Promise<Consent>;
  /** The hosted consent page of a consent (where a user waits while the first data is read). */
  pageUrl(consent: Consent): string;
  revoke(client: ApiClient, id: string): Promise<Consent>;
  accounts(client: ApiClient, consentId: string): Promise<{ account: AccountRow; balances: BalanceRow[] }[]>;
  /** Every balance snapshot row, newest first, one page of rows at a time (never the whole list in memory). */
  balances(client: ApiClient, consentId: string, filter: BalanceFilter): Promise<AsyncIterable<BalanceRow[]>>;
  /** Every matching transaction, newest booking date first, a page at a time; the filter is checked first. */
  transactions(
    client: ApiClient,
    consentId: string,
    filter: TransactionFilterInput,
  ): Promise<AsyncIterable<ListedTransaction[]>>;
  /** Deletes the consent's cached accounts, balances and transactions. */
  purgeData(consentId: string): Promise<number>;
}

export function createSharedAccess(deps: AisDeps): AisSharedAccess {
  return {
    createConsent: (client, input, context) => createConsent(deps, client, input, context),
    consent: (client, id) => ownedConsent(deps, client, id),
    pageUrl: (consent) => pageUrl(deps, consent),
    revoke: (client, id) => revokeConsent(deps, client, id),
    async accounts(client, consentId) {
      const consent = await readableConsent(deps, client, consentId);
      const accounts = await listAccounts(deps.db, consent.id, {});
      const balances = await latestBalances(
        deps.db,
        accounts.map((a) => a.id),
      );
      return accounts.map((account) => ({
        account,
        balances: balances.filter((b) => b.account_id === account.id),
      }));
    },
    async balances(client, consentId, filter) {
      const consent = await readableConsent(deps, client, consentId);
      return pages(async (last: BalanceRow | undefined) =>
        listBalances(deps.db, consent.id, filter, last?.seq, STREAM_PAGE),
      );
    },
    async transactions(client, consentId, filterInput) {
      const filter = parseTransactionFilter(filterInput);
      const consent = await readableConsent(deps, client, consentId);
      return pages(async (last: ListedTransaction | undefined) =>
        listTransactions(
          deps.db,
          consent.id,
          filter,
          last && { sortDate: last.sort_date, id: last.id },
          STREAM_PAGE,
        ),
      );
    },
    purgeData: (consentId) => deleteConsentData(deps.db, consentId),
  };
}

/** Keyset pages until a short one: each page is one query, after the last row of the one before. */
async function* pages<T>(next: (last: T | undefined) => Promise<T[]>): AsyncIterable<T[]> {
  let last: T | undefined;
  for (;;) {
    const rows = await next(last);
    if (rows.length > 0) yield rows;
    if (rows.length < STREAM_PAGE) return;
    last = rows[rows.length - 1];
  }
}
