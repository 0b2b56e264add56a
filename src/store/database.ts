import { mkdirSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { isNewDataDir, matchingTemplate } from './embedded-template.js';
import { preparingPool } from './prepared.js';
import type { Database } from './schema.js';
import { registerDirectPool } from './statement.js';

export type StoreKind = 'pglite' | 'postgres';
export type ScriptRunner = (sqlText: string) => Promise<Record<string, unknown>[]>;

/** The one database handle: Kysely over PGlite (embedded) or over a `pg` pool (server). */
export interface Store {
  readonly db: Kysely<Database>;
  readonly kind: StoreKind;
  /**
   * Runs `fn` on one dedicated connection; `run` executes SQL text that may hold several statements
   * (no parameters) and returns the rows of the last one. Used for migrations and advisory locks.
   */
  withSession<T>(fn: (run: ScriptRunner) => Promise<T>): Promise<T>;
  /** The raw PGlite instance in embedded mode (LISTEN and cloning use it). */
  readonly pglite: PGlite | undefined;
  /** The raw pool in server mode. */
  readonly pool: pg.Pool | undefined;
  close(): Promise<void>;
}

const OID = { int8: 20, date: 1082, numeric: 1700, timestamp: 1114 } as const;
const asString = (value: string) => value;

export interface OpenStoreOptions {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  /** An already-open PGlite (tests clone a migrated template into memory). */
  pglite?: PGlite;
  poolMax?: number;
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  // Each driver loads only when used: the embedded start never loads pg, a server start never loads PGlite.
  if (options.databaseUrl) {
    const { default: driver } = await import('pg');
    return openPostgres(driver, options.databaseUrl, options.poolMax ?? 10);
  }
  let pglite = options.pglite;
  if (!pglite) {
    if (!options.dataDir) throw new Error('openStore needs databaseUrl, dataDir or pglite');
    mkdirSync(options.dataDir, { recursive: true });
    // A new folder starts from the build's template when it matches (embedded-template.ts), not from initdb.
    const template = isNewDataDir(options.dataDir) ? matchingTemplate() : undefined;
    const { PGlite } = await import('@electric-sql/pglite');
    pglite = await PGlite.create(`file://${options.dataDir}/pgdata`, {
      parsers: pgliteParsers,
      ...(template ? { loadDataDir: new Blob([template]) } : {}),
    });
  }
  return fromPglite(pglite);
}

export const pgliteParsers = {
  [OID.int8]: asString,
  [OID.date]: asString,
  [OID.numeric]: asString,
};

function fromPglite(pglite: PGlite): Store {
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  let closed = false;
  return {
    db,
    kind: 'pglite',
    pglite,
    pool: undefined,
    async withSession(fn) {
      // PGlite is one connection in this process; queries on it are already serialised.
      return fn(async (sqlText) => {
        const results = await pglite.exec(sqlText);
        return (results.at(-1)?.rows ?? []) as Record<string, unknown>[];
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      if (!pglite.closed) await pglite.close();
    },
  };
}

function openPostgres(driver: typeof pg, databaseUrl: string, max: number): Store {
  const pool = new driver.Pool({
    connectionString: databaseUrl,
    max,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === OID.int8 || oid === OID.date || oid === OID.numeric) return asString;
        return driver.types.getTypeParser(oid, format ?? 'text');
      }) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its server connection must not crash the process.
  pool.on('error', () => {});
  const preparing = preparingPool(pool);
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: preparing as unknown as pg.Pool }),
  });
  registerDirectPool(db, preparing);
  let closed = false;
  return {
    db,
    kind: 'postgres',
    pglite: undefined,
    pool,
    async withSession(fn) {
      const client = await pool.connect();
      try {
        // A query without parameters goes over the simple protocol, which accepts several statements.
        return await fn(async (sqlText) => {
          const result = (await client.query(sqlText)) as unknown as pg.QueryResult | pg.QueryResult[];
          const last = Array.isArray(result) ? result.at(-1) : result;
          return (last?.rows ?? []) as Record<string, unknown>[];
        });
      } finally {
        client.release();
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      // Kysely ends the pool only if it ever checked out a connection; withSession alone does not count.
      if (!pool.ended) await pool.end();
    },
  };
}
