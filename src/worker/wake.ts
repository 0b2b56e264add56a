import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../store/index.js';
import { WORK_CHANNEL } from './task.js';

/**
 * Wakes a task in every worker process when the caller's transaction commits (NOTIFY is transactional, and
 * PostgreSQL sends one notification for many identical ones in a transaction). Call it where work is created.
 */
export async function wakeTask(db: Kysely<Database> | Transaction<Database>, task: string): Promise<void> {
  await sql`SELECT pg_notify(${WORK_CHANNEL}, ${task})`.execute(db);
}
