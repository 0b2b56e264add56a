import type pg from 'pg';

/** What Kysely's PostgresDialect needs of a pool: connect, and end. */
export interface KyselyPool {
  connect(): Promise<{ query: pg.PoolClient['query']; release(error?: Error | boolean): void }>;
  end(): Promise<void>;
}

/** SQLSTATE 0A000 with this text: a prepared SELECT * / RETURNING * whose table gained or lost a column. */
const RESULT_TYPE_CHANGED = /cached plan must not change result type/;

/**
 * Runs Kysely's parameterised queries as named prepared statements, so PostgreSQL parses and plans each
 * distinct SQL text once per connection instead of on every call (about a quarter of the server's cost of a
 * links/create INSERT). Kysely has no prepared statements of its own; `pg` keeps the per-connection state.
 * Texts past `maxStatements` run unnamed. A statement whose result type changed under it (a migration run by
 * another process added a column) fails once and from then on runs unnamed.
 */
export function preparingPool(pool: pg.Pool, maxStatements = 2000): KyselyPool {
  const names = new Map<string, string>();
  const unprepared = new Set<string>();
  const nameOf = (text: string): string | undefined => {
    if (unprepared.has(text)) return undefined;
    let name = names.get(text);
    if (name === undefined && names.size < maxStatements) {
      name = `ferry_${names.size}`;
      names.set(text, name);
    }
    return name;
  };
  return {
    async connect() {
      const client = await pool.connect();
      const query = (async (text: unknown, values?: unknown[]) => {
        const name = typeof text === 'string' && values && values.length > 0 ? nameOf(text) : undefined;
        if (name === undefined) return client.query(text as string, values);
        try {
          return await client.query({ name, text: text as string, values });
        } catch (error) {
          if (RESULT_TYPE_CHANGED.test(String((error as Error).message))) unprepared.add(text as string);
          throw error;
        }
      }) as pg.PoolClient['query'];
      return { query, release: (error?: Error | boolean) => client.release(error) };
    },
    end: () => pool.end(),
  };
}
