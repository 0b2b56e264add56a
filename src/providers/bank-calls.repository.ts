import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import type { Database } from '../store/index.js';
import type { BankCallsTable } from './bank-calls.schema.js';
import './bank-calls.schema.js';

type Db = Kysely<Database>;
export type BankCallRow = Selectable<BankCallsTable>;

export async function insertBankCalls(db: Db, rows: Insertable<BankCallsTable>[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('bank_calls').values(rows).execute();
}

/** The calls made for one link or consent, oldest first (at most `limit`, the newest kept). */
export async function bankCallsOf(db: Db, subjectId: string, limit: number): Promise<BankCallRow[]> {
  const rows = await db
    .selectFrom('bank_calls')
    .selectAll()
    .where('subject_id', '=', subjectId)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse();
}

export interface BankHealthRow {
  provider_id: string;
  calls: number;
  ok: number;
  p50_ms: number;
  p95_ms: number;
}

/** Per bank since `since`: calls, successes and latency percentiles (one GROUP BY over the `at` index). */
export async function bankHealthSince(db: Db, since: Date): Promise<BankHealthRow[]> {
  const { rows } = await sql<{ provider_id: string; calls: string; ok: string; p50: number; p95: number }>`
    SELECT provider_id, count(*) AS calls, count(*) FILTER (WHERE outcome = 'ok') AS ok,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
      percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95
    FROM bank_calls WHERE at >= ${since} GROUP BY provider_id ORDER BY provider_id`.execute(db);
  return rows.map((r) => ({
    provider_id: r.provider_id,
    calls: Number(r.calls),
    ok: Number(r.ok),
    p50_ms: Math.round(Number(r.p50)),
    p95_ms: Math.round(Number(r.p95)),
  }));
}

export async function deleteBankCallsBefore(db: Db, before: Date): Promise<number> {
  const result = await db.deleteFrom('bank_calls').where('at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
