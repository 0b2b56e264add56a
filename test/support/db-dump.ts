import { type Kysely, sql } from 'kysely';

/**
 * Every row of every table of Ferry's (the sandbox bank's schema aside: that is the bank's side), as JSON text:
 * a test greps it for what must not be at rest in plain.
 */
export async function dumpOfEveryTable<DB>(db: Kysely<DB>): Promise<string> {
  const tables = await sql<{ schema: string; name: string }>`
    SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
    WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema', 'sandbox_bank')
  `.execute(db);
  const parts: string[] = [];
  for (const { schema, name } of tables.rows) {
    const rows = await sql<{
      row: unknown;
    }>`SELECT row_to_json(x) AS row FROM ${sql.table(`${schema}.${name}`)} x`.execute(db);
    parts.push(JSON.stringify(rows.rows));
  }
  return parts.join('\n');
}
