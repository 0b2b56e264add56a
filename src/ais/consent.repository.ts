import {
  type Insertable,
  type Kysely,
  type Selectable,
  sql,
  type Transaction,
  type Updateable,
} from 'kysely';
import { type Database, type ObjectSearch, searchObjects } from '../store/index.js';
import type { AisConsentsTable } from './ais.schema.js';
import './ais.schema.js';
import type { ConsentStatus } from './consent-status.js';

export type Db = Kysely<Database> | Transaction<Database>;
export type ConsentRow = Selectable<AisConsentsTable>;
export type ConsentPatch = Omit<Updateable<AisConsentsTable>, 'id' | 'status' | 'updated_at'>;

export type FlowType = 'link' | 'wrapped_sca' | 'direct_sca' | 'redirect_sca';
export type Scope = 'accounts' | 'balances' | 'transactions';

/** A consent as the AIS module works with it. */
export interface Consent {
  id: string;
  clientId: string;
  mode: 'test' | 'live';
  webId: string;
  status: ConsentStatus;
  statusReason: string | null;
  flowType: FlowType;
  scope: Scope[];
  consentValidityDays: number;
  methodFilter: Record<string, unknown>;
  methodId: string | null;
  providerId: string | null;
  psuIban: string | null;
  psuId: string | null;
  redirectUrl: string | null;
  webhookUrl: string | null;
  uxTemplate: string | null;
  language: string | null;
  tracking: Record<string, string> | null;
  /** Sealed with the master key (bank-consent-id.ts); open it only to call the bank. */
  sealedBankConsentId: string | null;
  scaUrl: string | null;
  expiresAt: Date;
  authorizedAt: Date | null;
  authorizedUntil: Date | null;
  bankCheckedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export function toConsent(row: ConsentRow): Consent {
  return {
    id: row.id,
    clientId: row.client_id,
    mode: row.mode,
    webId: row.web_id,
    status: row.status as ConsentStatus,
    statusReason: row.status_reason,
    flowType: row.flow_type as FlowType,
    scope: row.scope as Scope[],
    consentValidityDays: row.consent_validity_days,
    methodFilter: row.method_filter,
    methodId: row.method_id,
    providerId: row.provider_id,
    psuIban: row.psu_iban,
    psuId: row.psu_id,
    redirectUrl: row.redirect_url,
    webhookUrl: row.webhook_url,
    uxTemplate: row.ux_template,
    language: row.language,
    tracking: row.tracking,
    sealedBankConsentId: row.bank_consent_id,
    scaUrl: row.sca_url,
    expiresAt: row.expires_at,
    authorizedAt: row.authorized_at,
    authorizedUntil: row.authorized_until,
    bankCheckedAt: row.bank_checked_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertConsent(db: Db, values: Insertable<AisConsentsTable>): Promise<Consent> {
  const row = await db.insertInto('ais_consents').values(values).returningAll().executeTakeFirstOrThrow();
  return toConsent(row);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

export async function findConsent(db: Db, id: string, lock = false): Promise<Consent | undefined> {
  if (!isUuid(id)) return undefined;
  let q = db.selectFrom('ais_consents').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? toConsent(row) : undefined;
}

export async function findConsentByWebId(db: Db, webId: string, lock = false): Promise<Consent | undefined> {
  let q = db.selectFrom('ais_consents').selectAll().where('web_id', '=', webId);
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? toConsent(row) : undefined;
}

/** Compare-and-set on the status: a concurrent change (another process) makes this return undefined. */
export async function updateConsentStatus(
  db: Db,
  consent: Consent,
  status: ConsentStatus,
  patch: ConsentPatch,
  now: Date,
): Promise<Consent | undefined> {
  const row = await db
    .updateTable('ais_consents')
    .set({ ...patch, status, updated_at: now })
    .where('id', '=', consent.id)
    .where('status', '=', consent.status)
    .returningAll()
    .executeTakeFirst();
  return row ? toConsent(row) : undefined;
}

export async function patchConsent(db: Db, id: string, patch: ConsentPatch, now: Date): Promise<void> {
  await db
    .updateTable('ais_consents')
    .set({ ...patch, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** The bank was asked about the consent (updated_at stays: nothing of the consent changed). */
export async function markBankChecked(db: Db, id: string, at: Date): Promise<void> {
  await db.updateTable('ais_consents').set({ bank_checked_at: at }).where('id', '=', id).execute();
}

/** Tells the hosted pages listening on `channel` that the consent changed; sent when the transaction commits. */
export async function notifyConsentChange(
  trx: Transaction<Database>,
  channel: string,
  webId: string,
): Promise<void> {
  await sql`SELECT pg_notify(${channel}, ${webId})`.execute(trx);
}

/** Consents whose link passed expires_at before the SCA completed. */
export async function listExpiredLinks(db: Db, now: Date, limit: number): Promise<Consent[]> {
  const rows = await db
    .selectFrom('ais_consents')
    .selectAll()
    .where('status', 'in', ['created', 'started', 'requested', 'sca_url_retrieved', 'awaiting_authz'])
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .limit(limit)
    .execute();
  return rows.map(toConsent);
}

/** Authorised consents past authorized_until. */
export async function listValidityEnded(db: Db, now: Date, limit: number): Promise<Consent[]> {
  const rows = await db
    .selectFrom('ais_consents')
    .selectAll()
    .where('status', 'in', ['authorized', 'active'])
    .where('authorized_until', '<=', now)
    .orderBy('authorized_until')
    .limit(limit)
    .execute();
  return rows.map(toConsent);
}

/** Active consents the bank has not been asked about since `before`. */
export async function listDueForBankCheck(db: Db, before: Date, limit: number): Promise<Consent[]> {
  const rows = await db
    .selectFrom('ais_consents')
    .selectAll()
    .where('status', '=', 'active')
    .where((eb) => eb.or([eb('bank_checked_at', 'is', null), eb('bank_checked_at', '<=', before)]))
    .orderBy('bank_checked_at', (ob) => ob.asc().nullsFirst())
    .limit(limit)
    .execute();
  return rows.map(toConsent);
}

/**
 * Authorised consents without an unfinished job whose latest job finished at or before `finishedBefore` (or
 * that have no job): the first job stored nothing, and the consent waits for another try.
 */
export async function listAuthorizedIdle(db: Db, finishedBefore: Date, limit: number): Promise<Consent[]> {
  const rows = await db
    .selectFrom('ais_consents as c')
    .selectAll('c')
    .where('c.status', '=', 'authorized')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('ais_jobs as j')
            .select('j.id')
            .whereRef('j.consent_id', '=', 'c.id')
            .where('j.status', 'not in', ['job_completed', 'job_partially_completed', 'job_failed']),
        ),
      ),
    )
    .where(
      sql<boolean>`coalesce((SELECT j.finished_at FROM ais_jobs j WHERE j.consent_id = c.id
        ORDER BY j.created_at DESC LIMIT 1), '-infinity'::timestamptz) <= ${finishedBefore}`,
    )
    .limit(limit)
    .execute();
  return rows.map(toConsent);
}

export type ConsentSearch = ObjectSearch<ConsentStatus>;

/** Every client's consents matching the operator's search, newest first (the operator console). */
export async function searchConsents(db: Db, s: ConsentSearch): Promise<Consent[]> {
  return (await searchObjects(db, 'ais_consents', s)).map(toConsent);
}
