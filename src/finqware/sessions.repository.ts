import {
  type Insertable,
  type Kysely,
  type Selectable,
  sql,
  type Transaction,
  type Updateable,
} from 'kysely';
import type { Database } from '../store/index.js';
import type {
  FinqwareCredentialsTable,
  FinqwareSessionsTable,
  FinqwareStepsTable,
} from './finqware.schema.js';
import './finqware.schema.js';

export type Db = Kysely<Database> | Transaction<Database>;
export type SessionRow = Selectable<FinqwareSessionsTable>;
export type CredentialRow = Selectable<FinqwareCredentialsTable>;
type SessionPatch = Omit<Updateable<FinqwareSessionsTable>, 'id' | 'client_id' | 'created_at' | 'updated_at'>;

export async function insertSession(db: Db, row: Insertable<FinqwareSessionsTable>): Promise<SessionRow> {
  return db.insertInto('finqware_sessions').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findSession(db: Db, id: string): Promise<SessionRow | undefined> {
  return db.selectFrom('finqware_sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The session the browser comes back for, with its tenant's public `client_id`. */
export async function findSessionByReturnKey(
  db: Db,
  hash: string,
): Promise<(SessionRow & { tenant: string }) | undefined> {
  return db
    .selectFrom('finqware_sessions as s')
    .innerJoin('api_clients as c', 'c.id', 's.client_id')
    .selectAll('s')
    .select('c.client_id as tenant')
    .where('s.return_key_hash', '=', hash)
    .executeTakeFirst();
}

/**
 * Takes the session's nonce for `step`: one UPDATE that only matches while the nonce is current, unexpired and
 * for that step, so of any number of submissions with one nonce exactly one gets the row.
 */
export async function claimNonce(
  db: Db,
  c: { sessionId: string; clientId: string; nonceHash: string; step: string; now: Date },
): Promise<SessionRow | undefined> {
  return db
    .updateTable('finqware_sessions')
    .set({ nonce_hash: null, nonce_expires_at: null, updated_at: c.now })
    .where('id', '=', c.sessionId)
    .where('client_id', '=', c.clientId)
    .where('nonce_hash', '=', c.nonceHash)
    .where('next_step', '=', c.step)
    .where('nonce_expires_at', '>', c.now)
    .returningAll()
    .executeTakeFirst();
}

/** Changes a session if it is still `from` (a status moves once). */
export async function updateSession(
  db: Db,
  id: string,
  from: string,
  patch: SessionPatch,
  now: Date,
): Promise<SessionRow | undefined> {
  return db
    .updateTable('finqware_sessions')
    .set({ ...patch, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', from)
    .returningAll()
    .executeTakeFirst();
}

export async function insertStep(db: Db, row: Insertable<FinqwareStepsTable>): Promise<void> {
  await db.insertInto('finqware_steps').values(row).execute();
}

export async function findSessionByTempToken(db: Db, hash: string): Promise<SessionRow | undefined> {
  return db
    .selectFrom('finqware_sessions')
    .selectAll()
    .where('temp_token_hash', '=', hash)
    .executeTakeFirst();
}

/** Takes a temp_token: single use (the hash is cleared), the tenant's own, before it ends. */
export async function claimTempToken(
  db: Db,
  c: { hash: string; clientId: string; now: Date },
): Promise<SessionRow | undefined> {
  return db
    .updateTable('finqware_sessions')
    .set({ temp_token_hash: null, temp_token_expires_at: null, updated_at: c.now })
    .where('temp_token_hash', '=', c.hash)
    .where('client_id', '=', c.clientId)
    .where('temp_token_expires_at', '>', c.now)
    .returningAll()
    .executeTakeFirst();
}

export async function insertCredential(
  db: Db,
  row: Insertable<FinqwareCredentialsTable>,
): Promise<CredentialRow> {
  return db.insertInto('finqware_credentials').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findCredential(db: Db, id: string): Promise<CredentialRow | undefined> {
  return db.selectFrom('finqware_credentials').selectAll().where('id', '=', id).executeTakeFirst();
}

/** ACTIVE → DELETED once; the cached data goes at `purgeAt` or sooner if it was due sooner. */
export async function markCredentialDeleted(
  db: Db,
  id: string,
  purgeAt: Date,
  now: Date,
): Promise<CredentialRow | undefined> {
  return db
    .updateTable('finqware_credentials')
    .set({
      status: 'DELETED',
      deleted_at: now,
      purge_at: sql<Date>`least(purge_at, ${purgeAt}::timestamptz)`,
      updated_at: now,
    })
    .where('id', '=', id)
    .where('status', '<>', 'DELETED')
    .returningAll()
    .executeTakeFirst();
}

export async function setCredentialStatus(db: Db, id: string, status: string, now: Date): Promise<void> {
  await db
    .updateTable('finqware_credentials')
    .set({ status, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/**
 * Claims credentials whose data is due to go, under a lease: their `purge_at` moves `leaseMs` on (SKIP LOCKED,
 * so several workers share them); a purge that dies is claimed again when the lease ends.
 */
export async function claimDuePurges(
  db: Kysely<Database>,
  now: Date,
  leaseMs: number,
  limit: number,
): Promise<(CredentialRow & { consent_id: string | null })[]> {
  const rows = await sql<CredentialRow & { consent_id: string | null }>`
    UPDATE finqware_credentials c SET purge_at = ${new Date(now.getTime() + leaseMs)}::timestamptz
    FROM finqware_sessions s
    WHERE s.id = c.session_id AND c.id IN (
      SELECT id FROM finqware_credentials
      WHERE purged_at IS NULL AND purge_at <= ${now}::timestamptz
      ORDER BY purge_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING c.*, s.consent_id`.execute(db);
  return rows.rows;
}

export async function markPurged(db: Db, id: string, now: Date): Promise<void> {
  await db
    .updateTable('finqware_credentials')
    .set({ purged_at: now, updated_at: now })
    .where('id', '=', id)
    .execute();
}
