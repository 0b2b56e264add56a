import type pg from 'pg';

/** What Kysely's PostgresDialect needs of a pool: connect, and end. */
export interface KyselyPool {
  connect(): Promise<{ query: pg.PoolClient['query']; release(error?: Error | boolean): void }>;
  end(): Promise<void>;
}

/** The pool Kysely gets, plus `run`: one query on any free connection, prepared the same way (runStatement). */
export interface PreparingPool extends KyselyPool {
  run(text: string, values: unknown[]): Promise<pg.QueryResult>;
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
export function preparingPool(pool: pg.Pool, maxStatements = 2000): PreparingPool {
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
  // On a checked-out client or on the pool itself (pg's Pool.query checks one out for the call).
  const run = async (on: pg.Pool | pg.PoolClient, text: string, values: unknown[] | undefined) => {
    const name = values && values.length > 0 ? nameOf(text) : undefined;
    if (name === undefined) return on.query(text, values);
    try {
      return await on.query({ name, text, values });
    } catch (error) {
      if (RESULT_TYPE_CHANGED.test(String((error as Error).message))) unprepared.add(text);
      throw error;
    }
  };
  return {
    async connect() {
      const client = await pool.connect();
      const query = ((text: unknown, values?: unknown[]) =>
        typeof text === 'string'
          ? run(client, text, values)
          : client.query(text as string, values)) as pg.PoolClient['query'];
      return { query, release: (error?: Error | boolean) => client.release(error) };
    },
    run: (text, values) => run(pool, text, values),
    end: () => pool.end(),
  };
}
