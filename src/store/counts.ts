import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

/** Tables with a `status` column, by name. */
type WithStatus = {
  [T in keyof Database]: Database[T] extends { status: unknown } ? T : never;
}[keyof Database];

/** How many rows of `table` are in each status (the operator's metrics: one GROUP BY per scrape). */
export async function countByStatus(
  db: Kysely<Database>,
  table: WithStatus,
): Promise<{ status: string; n: number }[]> {
  const { rows } = await sql<{ status: string; n: string }>`
    SELECT status, count(*) AS n FROM ${sql.table(table)} GROUP BY status`.execute(db);
  return rows.map((r) => ({ status: r.status, n: Number(r.n) }));
}
