import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import './operator.tables.js';

export interface AuditEntry {
  id: string;
  at: Date;
  actor: string;
  action: string;
  target: string | null;
  outcome: string;
  detail: Record<string, unknown> | null;
}

export async function insertAudit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('operator_audit')
    .values({ ...entry, detail: entry.detail ? JSON.stringify(entry.detail) : null })
    .execute();
}

/** The newest entries first. */
export async function listAudit(db: Kysely<Database>, limit: number): Promise<AuditEntry[]> {
  return db
    .selectFrom('operator_audit')
    .selectAll()
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
