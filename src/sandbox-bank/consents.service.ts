import type { BankId } from './banks.js';
import { effectiveConsentStatus, nextConsentStatus, type SandboxConsentStatus } from './consent-status.js';
import { type SandboxContext, todayIso } from './context.js';
import { dayOf, isIsoDate, isoOf } from './data/calendar.js';
import { isValidIban } from './data/iban.js';
import { findAccountByIban, type SandboxUser } from './data/users.js';
import type { RequestInfo } from './payments.service.js';
import { formatError, Psd2Error, resourceUnknown } from './psd2-error.js';
import {
  type ConsentRow,
  findConsent,
  insertAuthorisation,
  insertConsent,
  listAuthorisationIds,
  updateConsent,
} from './sandbox.repository.js';
import type { ConsentGrant } from './schema.js';

/** PSD2 RTS: an AIS consent lasts at most 180 days; a later validUntil is shortened (the bank may). */
const MAX_VALIDITY_DAYS = 180;
const ALL = ['allAccounts', 'allAccountsWithOwnerName'];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export type AccessKind =
  | 'availableAccounts'
  | 'availableAccountsWithBalance'
  | 'allPsd2'
  | 'named'
  | 'bankOffered';

/** Reads the consent's access object into what the bank must ask the PSU for. */
export function accessKind(access: Record<string, unknown>): AccessKind {
  if (access.allPsd2 !== undefined) return 'allPsd2';
  if (access.availableAccountsWithBalance !== undefined) return 'availableAccountsWithBalance';
  if (access.availableAccounts !== undefined) return 'availableAccounts';
  const lists = ['accounts', 'balances', 'transactions'].map((k) => access[k]);
  return lists.every((l) => l === undefined || (Array.isArray(l) && l.length === 0))
    ? 'bankOffered'
    : 'named';
}

function validateAccess(access: unknown): Record<string, unknown> {
  if (!isObject(access)) throw formatError('access is required.', 'access');
  for (const key of ['allPsd2', 'availableAccounts', 'availableAccountsWithBalance']) {
    if (access[key] !== undefined && !ALL.includes(access[key] as string))
      throw formatError(`access.${key} must be allAccounts or allAccountsWithOwnerName.`, `access.${key}`);
  }
  let lists = 0;
  for (const key of ['accounts', 'balances', 'transactions']) {
    const list = access[key];
    if (list === undefined) continue;
    lists++;
    if (!Array.isArray(list)) throw formatError(`access.${key} must be an array.`, `access.${key}`);
    for (const ref of list) {
      if (!isObject(ref) || typeof ref.iban !== 'string' || !isValidIban(ref.iban))
        throw formatError(`access.${key} holds an invalid account reference.`, `access.${key}`);
    }
  }
  const alls = ['allPsd2', 'availableAccounts', 'availableAccountsWithBalance'].filter(
    (k) => access[k] !== undefined,
  );
  if (alls.length > 1 || (alls.length === 1 && lists > 0))
    throw formatError('access combines incompatible kinds.', 'access');
  if (alls.length === 0 && lists === 0) throw formatError('access names no accounts.', 'access');
  return access;
}

export function consentLinks(base: string, id: string, authorisationId?: string) {
  const self = `${base}/v1/consents/${id}`;
  return {
    ...(authorisationId
      ? {
          scaRedirect: { href: `${base}/sca/${authorisationId}` },
          scaStatus: { href: `${self}/authorisations/${authorisationId}` },
        }
      : {}),
    self: { href: self },
    status: { href: `${self}/status` },
  };
}

export async function createConsent(
  ctx: SandboxContext,
  bank: BankId,
  info: RequestInfo,
  body: unknown,
  base: string,
) {
  if (!info.psuIpAddress) throw formatError('PSU-IP-Address is required.', 'PSU-IP-Address');
  if (!info.redirectUri)
    throw formatError('TPP-Redirect-URI is required (this bank only offers redirect SCA).');
  if (!isObject(body)) throw formatError('The body must be a JSON object.');
  const access = validateAccess(body.access);
  if (typeof body.recurringIndicator !== 'boolean')
    throw formatError('recurringIndicator is required.', 'recurringIndicator');
  if (typeof body.combinedServiceIndicator !== 'boolean')
    throw formatError('combinedServiceIndicator is required.', 'combinedServiceIndicator');
  if (body.combinedServiceIndicator)
    throw new Psd2Error(400, 'PARAMETER_NOT_SUPPORTED', 'Combined services are not offered.');
  const frequency = body.frequencyPerDay;
  if (typeof frequency !== 'number' || !Number.isInteger(frequency) || frequency < 1)
    throw formatError('frequencyPerDay must be an integer ≥ 1.', 'frequencyPerDay');
  if (!body.recurringIndicator && frequency !== 1)
    throw formatError(
      'A one-off consent (recurringIndicator false) has frequencyPerDay 1.',
      'frequencyPerDay',
    );
  const validUntil = body.validUntil;
  const today = todayIso(ctx);
  if (typeof validUntil !== 'string' || !isIsoDate(validUntil))
    throw formatError('validUntil must be a date.', 'validUntil');
  if (validUntil < today) throw formatError('validUntil is in the past.', 'validUntil');
  const maxDay = isoOf(dayOf(today) + MAX_VALIDITY_DAYS);
  const now = ctx.clock.now();
  const id = ctx.ids.uuid();
  const authorisationId = ctx.ids.uuid();
  await ctx.db.transaction().execute(async (trx) => {
    await insertConsent(trx, {
      id,
      bank,
      psu_id: info.psuId ?? null,
      access,
      recurring: body.recurringIndicator as boolean,
      valid_until: [validUntil, maxDay].sort()[0]!,
      frequency_per_day: frequency,
      status: 'received',
      redirect_uri: info.redirectUri!,
      nok_redirect_uri: info.nokRedirectUri ?? null,
      created_at: now,
      updated_at: now,
      last_action_date: today,
    });
    await insertAuthorisation(trx, {
      id: authorisationId,
      bank,
      parent_kind: 'consent',
      parent_id: id,
      sca_status: 'received',
      step: 'login',
      psu_id: info.psuId ?? null,
      debtor_iban: null,
      form_token: ctx.ids.token(18),
      created_at: now,
      updated_at: now,
    });
  });
  return {
    location: `${base}/v1/consents/${id}`,
    body: {
      consentStatus: 'received',
      consentId: id,
      scaStatus: 'received',
      _links: consentLinks(base, id, authorisationId),
    },
    authorisationId,
  };
}

export async function loadConsent(ctx: SandboxContext, bank: BankId, id: string): Promise<ConsentRow> {
  const c = await findConsent(ctx.db, bank, id);
  if (!c) throw resourceUnknown('consent');
  return c;
}

export const consentStatusNow = (ctx: SandboxContext, c: ConsentRow): SandboxConsentStatus =>
  effectiveConsentStatus(c.status as SandboxConsentStatus, c.valid_until, todayIso(ctx));

export function consentInformation(ctx: SandboxContext, c: ConsentRow, base: string) {
  const status = consentStatusNow(ctx, c);
  const access = accessKind(c.access) === 'bankOffered' && c.granted ? grantedAccess(c.granted) : c.access;
  return {
    access,
    recurringIndicator: c.recurring,
    validUntil: c.valid_until,
    frequencyPerDay: c.frequency_per_day,
    lastActionDate: c.last_action_date,
    consentStatus: status,
    ...(status === 'valid' ? { _links: { account: { href: `${base}/v1/accounts` } } } : {}),
  };
}

function grantedAccess(g: ConsentGrant) {
  const refs = (ids: string[]) => ids.map((iban) => ({ iban }));
  return { accounts: refs(g.accounts), balances: refs(g.balances), transactions: refs(g.transactions) };
}

export async function deleteConsent(ctx: SandboxContext, c: ConsentRow): Promise<void> {
  const next = nextConsentStatus(c.status as SandboxConsentStatus, 'deleted_by_tpp');
  if (!next) return; // already final: deleting again changes nothing
  await updateConsent(ctx.db, c.id, c.status, { status: next, updated_at: ctx.clock.now() });
}

export async function startConsentAuthorisation(
  ctx: SandboxContext,
  c: ConsentRow,
  info: RequestInfo,
  base: string,
) {
  if (consentStatusNow(ctx, c) !== 'received')
    throw new Psd2Error(409, 'STATUS_INVALID', `The consent is ${c.status}.`);
  const now = ctx.clock.now();
  const id = ctx.ids.uuid();
  await insertAuthorisation(ctx.db, {
    id,
    bank: c.bank,
    parent_kind: 'consent',
    parent_id: c.id,
    sca_status: 'received',
    step: 'login',
    psu_id: info.psuId ?? c.psu_id,
    debtor_iban: null,
    form_token: ctx.ids.token(18),
    created_at: now,
    updated_at: now,
  });
  const self = `${base}/v1/consents/${c.id}/authorisations/${id}`;
  return {
    scaStatus: 'received',
    authorisationId: id,
    _links: { scaRedirect: { href: `${base}/sca/${id}` }, scaStatus: { href: self } },
  };
}

export const consentAuthorisationIds = (ctx: SandboxContext, id: string) => listAuthorisationIds(ctx.db, id);

/** The accounts a consent asks for, as the PSU will see them on the bank's page (IBANs of this user). */
export function requestedIbans(
  c: ConsentRow,
  user: SandboxUser,
): { ibans: string[]; selectable: boolean; foreign: string[] } {
  const kind = accessKind(c.access);
  const own = user.accounts.map((a) => a.iban);
  if (kind === 'bankOffered') return { ibans: own, selectable: true, foreign: [] };
  if (kind !== 'named') return { ibans: own, selectable: false, foreign: [] };
  const named = new Set<string>();
  for (const key of ['accounts', 'balances', 'transactions']) {
    for (const ref of (c.access[key] as { iban: string }[] | undefined) ?? []) named.add(ref.iban);
  }
  return {
    ibans: [...named].filter((i) => own.includes(i)),
    selectable: false,
    foreign: [...named].filter((i) => !own.includes(i)),
  };
}

/** What the PSU's approval grants, per account IBAN. */
export function grantFor(c: ConsentRow, user: SandboxUser, selected: string[]): ConsentGrant {
  const own = new Set(user.accounts.map((a) => a.iban));
  const kind = accessKind(c.access);
  const all = [...own];
  switch (kind) {
    case 'availableAccounts':
      return { accounts: all, balances: [], transactions: [] };
    case 'availableAccountsWithBalance':
      return { accounts: all, balances: all, transactions: [] };
    case 'allPsd2':
      return { accounts: all, balances: all, transactions: all };
    case 'bankOffered': {
      const chosen = selected.filter((i) => own.has(i));
      return { accounts: chosen, balances: chosen, transactions: chosen };
    }
    case 'named': {
      const pick = (key: string) =>
        ((c.access[key] as { iban: string }[] | undefined) ?? [])
          .map((r) => r.iban)
          .filter((i) => own.has(i));
      const balances = pick('balances');
      const transactions = pick('transactions');
      const accounts = [...new Set([...pick('accounts'), ...balances, ...transactions])];
      return { accounts, balances, transactions };
    }
  }
}

export async function decideConsent(
  ctx: SandboxContext,
  c: ConsentRow,
  event: 'authorised' | 'denied' | 'sca_failed',
  psuId: string | null,
  grant?: ConsentGrant,
): Promise<void> {
  const next = nextConsentStatus(c.status as SandboxConsentStatus, event);
  if (!next) throw new Psd2Error(409, 'STATUS_INVALID', `The consent is already ${c.status}.`);
  await updateConsent(ctx.db, c.id, c.status, {
    status: next,
    psu_id: psuId,
    ...(grant ? { granted: grant } : {}),
    updated_at: ctx.clock.now(),
  });
}

export const accountByIban = findAccountByIban;
