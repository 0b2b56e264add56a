import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../store/index.js';
import type {
  ConsentGrant,
  SbAuthorisationsTable,
  SbConsentsTable,
  SbFaultsTable,
  SbLedgerEntriesTable,
  SbNotificationsTable,
  SbPaymentsTable,
} from './schema.js';
import './schema.js';

export type Db = Kysely<Database>;
export type PaymentRow = Selectable<SbPaymentsTable>;
export type ConsentRow = Selectable<SbConsentsTable>;
export type AuthorisationRow = Selectable<SbAuthorisationsTable>;
export type LedgerRow = Selectable<SbLedgerEntriesTable>;
export type FaultRow = Selectable<SbFaultsTable>;
export type NotificationRow = Selectable<SbNotificationsTable>;

// Payments

export async function insertPayment(
  db: Db,
  row: Omit<PaymentRow, 'request' | 'force_reject'> & {
    request: Record<string, unknown>;
    force_reject: boolean;
  },
): Promise<void> {
  await db
    .insertInto('sandbox_bank.payments')
    .values({ ...row, request: JSON.stringify(row.request) })
    .execute();
}

export const findPayment = (db: Db, bank: string, id: string) =>
  db
    .selectFrom('sandbox_bank.payments')
    .selectAll()
    .where('id', '=', id)
    .where('bank', '=', bank)
    .executeTakeFirst();

export async function updatePayment(
  db: Db,
  id: string,
  fromStatus: string,
  patch: Partial<
    Pick<PaymentRow, 'status' | 'status_reason' | 'accepted_at' | 'debtor_iban' | 'psu_id' | 'updated_at'>
  >,
): Promise<boolean> {
  // Guarded on the old status so two concurrent decisions cannot both apply.
  const result = await db
    .updateTable('sandbox_bank.payments')
    .set(patch)
    .where('id', '=', id)
    .where('status', '=', fromStatus)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

// Consents

export async function insertConsent(
  db: Db,
  row: Omit<ConsentRow, 'access' | 'granted'> & { access: Record<string, unknown> },
): Promise<void> {
  await db
    .insertInto('sandbox_bank.consents')
    .values({ ...row, access: JSON.stringify(row.access), granted: null })
    .execute();
}

export const findConsent = (db: Db, bank: string, id: string) =>
  db
    .selectFrom('sandbox_bank.consents')
    .selectAll()
    .where('id', '=', id)
    .where('bank', '=', bank)
    .executeTakeFirst();

export async function updateConsent(
  db: Db,
  id: string,
  fromStatus: string,
  patch: {
    status?: string;
    psu_id?: string | null;
    granted?: ConsentGrant;
    updated_at: Date;
    last_action_date?: string;
  },
): Promise<boolean> {
  const { granted, ...rest } = patch;
  const result = await db
    .updateTable('sandbox_bank.consents')
    .set({ ...rest, ...(granted ? { granted: JSON.stringify(granted) } : {}) })
    .where('id', '=', id)
    .where('status', '=', fromStatus)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function revokeConsentsOf(db: Db, bank: string, psuId: string, now: Date): Promise<number> {
  const result = await db
    .updateTable('sandbox_bank.consents')
    .set({ status: 'revokedByPsu', updated_at: now })
    .where('bank', '=', bank)
    .where('psu_id', '=', psuId)
    .where('status', '=', 'valid')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

// Authorisations

export async function insertAuthorisation(db: Db, row: Omit<AuthorisationRow, 'failures'>): Promise<void> {
  await db.insertInto('sandbox_bank.authorisations').values(row).execute();
}

export const findAuthorisation = (db: Db, id: string) =>
  db.selectFrom('sandbox_bank.authorisations').selectAll().where('id', '=', id).executeTakeFirst();

export const listAuthorisationIds = async (db: Db, parentId: string) =>
  (
    await db
      .selectFrom('sandbox_bank.authorisations')
      .select('id')
      .where('parent_id', '=', parentId)
      .orderBy('created_at')
      .execute()
  ).map((r) => r.id);

export async function updateAuthorisation(
  db: Db,
  id: string,
  fromStep: string,
  patch: Partial<
    Pick<AuthorisationRow, 'sca_status' | 'step' | 'failures' | 'psu_id' | 'debtor_iban' | 'updated_at'>
  >,
): Promise<boolean> {
  const result = await db
    .updateTable('sandbox_bank.authorisations')
    .set(patch)
    .where('id', '=', id)
    .where('step', '=', fromStep)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

// Ledger

export async function insertLedgerEntries(db: Db, rows: Omit<LedgerRow, 'id'>[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('sandbox_bank.ledger_entries').values(rows).execute();
}

export const ledgerFor = (db: Db, iban: string, until: Date | undefined = undefined) => {
  let query = db.selectFrom('sandbox_bank.ledger_entries').selectAll().where('account_iban', '=', iban);
  if (until) query = query.where('settles_at', '<', until);
  return query.orderBy('settles_at').orderBy('id').execute();
};

export async function deleteLedgerOfPayment(db: Db, paymentId: string): Promise<void> {
  await db.deleteFrom('sandbox_bank.ledger_entries').where('payment_id', '=', paymentId).execute();
}

// Access log (frequencyPerDay)

export async function countAccess(db: Db, consentId: string, resource: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('sandbox_bank.access_log')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('consent_id', '=', consentId)
    .where('resource', '=', resource)
    .where('at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function logAccess(db: Db, consentId: string, resource: string, at: Date): Promise<void> {
  await db.insertInto('sandbox_bank.access_log').values({ consent_id: consentId, resource, at }).execute();
}

// Faults

export async function insertFault(db: Db, row: Omit<FaultRow, 'id'>): Promise<string> {
  const { id } = await db
    .insertInto('sandbox_bank.faults')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export async function clearFaults(db: Db, bank: string | undefined): Promise<void> {
  let query = db.deleteFrom('sandbox_bank.faults');
  if (bank) query = query.where('bank', '=', bank);
  await query.execute();
}

export const faultsFor = (db: Db, bank: string) =>
  db
    .selectFrom('sandbox_bank.faults')
    .selectAll()
    .where('bank', '=', bank)
    .where((eb) => eb.or([eb('remaining', 'is', null), eb('remaining', '>', 0)]))
    .orderBy('id')
    .execute();

/** Uses up one application of a limited fault; false when another request took the last one. */
export async function consumeFault(db: Db, id: string): Promise<boolean> {
  const result = await db
    .updateTable('sandbox_bank.faults')
    .set((eb) => ({ remaining: eb('remaining', '-', 1) }))
    .where('id', '=', id)
    .where('remaining', '>', 0)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

// Funds notifications (outbox)

export async function insertNotification(
  db: Db,
  row: Pick<NotificationRow, 'payment_id' | 'bank' | 'event' | 'reason' | 'due_at' | 'created_at'>,
): Promise<void> {
  await db
    .insertInto('sandbox_bank.notifications')
    .values({ ...row, first_due_at: row.due_at })
    .onConflict((oc) => oc.column('payment_id').doNothing())
    .execute();
}

export async function deleteNotificationOfPayment(db: Db, paymentId: string): Promise<void> {
  await db.deleteFrom('sandbox_bank.notifications').where('payment_id', '=', paymentId).execute();
}

export const findNotification = (db: Db, paymentId: string) =>
  db
    .selectFrom('sandbox_bank.notifications')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .executeTakeFirst();

/**
 * Claims up to `limit` pending rows due at `now`: counts the attempt and makes the row due again at `leaseUntil`,
 * so a sender that dies mid-attempt leaves it to be retried. SKIP LOCKED lets several processes share the work.
 */
export const claimDueNotifications = (db: Db, now: Date, leaseUntil: Date, limit: number) =>
  db
    .updateTable('sandbox_bank.notifications')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), due_at: leaseUntil }))
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('sandbox_bank.notifications')
        .select('id')
        .where('outcome', 'is', null)
        .where('due_at', '<=', now)
        .orderBy('due_at')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute();

export async function updateNotification(
  db: Db,
  id: string,
  patch: Partial<Pick<NotificationRow, 'due_at' | 'last_status' | 'last_error' | 'outcome' | 'sent_at'>>,
): Promise<void> {
  await db.updateTable('sandbox_bank.notifications').set(patch).where('id', '=', id).execute();
}
