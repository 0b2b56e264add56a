import { type Kysely, sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../../test/support/db-use.js';
import { needs } from '../../test/support/needs.js';
import { createEmptyDatabase } from '../../test/support/pg-admin.js';
import { createTestStore } from '../../test/support/test-store.js';
import type { Database, Store } from './index.js';
import { migrate, openStore, runStatement, withIndexPlans } from './index.js';

describe('store', () => {
  let store: Store;
  beforeAll(async () => {
    store = await createTestStore();
  });
  afterAll(() => store.close());

  it('returns numeric, date and int8 as strings and timestamptz as Date', async () => {
    const row = await sql<{ n: unknown; d: unknown; i: unknown; t: unknown }>`
      SELECT 100.50::numeric AS n, DATE '2026-03-01' AS d, 9007199254740993::int8 AS i, now() AS t`.execute(
      store.db,
    );
    const r = row.rows[0]!;
    expect(r.n).toBe('100.50');
    expect(r.d).toBe('2026-03-01');
    expect(r.i).toBe('9007199254740993');
    expect(r.t).toBeInstanceOf(Date);
  });

  it('keeps a write made outside an open transaction when that transaction rolls back', async () => {
    await sql`CREATE TABLE IF NOT EXISTS t_iso (v text)`.execute(store.db);
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const tx = store.db
      .transaction()
      .execute(async (trx) => {
        await sql`INSERT INTO t_iso VALUES ('inside')`.execute(trx);
        await held;
        throw new Error('roll back');
      })
      .catch(() => undefined);
    const outside = sql`INSERT INTO t_iso VALUES ('outside')`.execute(store.db);
    release();
    await Promise.all([tx, outside]);
    const rows = await sql<{ v: string }>`SELECT v FROM t_iso`.execute(store.db);
    expect(rows.rows.map((r) => r.v)).toEqual(['outside']);
  });

  it('runStatement: rows back, Dates as instants, and inside a transaction it is part of it', async () => {
    await sql`CREATE TABLE IF NOT EXISTS t_run (n int, at timestamptz)`.execute(store.db);
    const at = new Date('2026-11-21T10:00:00.123Z');
    const text = 'INSERT INTO t_run (n, at) VALUES ($1, $2) RETURNING n, at';
    for (let i = 0; i < 3; i++) {
      const rows = await runStatement<{ n: number; at: Date }>(store.db, text, [i, at]);
      expect(rows).toEqual([{ n: i, at }]);
    }
    await store.db
      .transaction()
      .execute(async (trx) => {
        await runStatement(trx, text, [99, at]);
        const seen = await runStatement<{ n: number }>(trx, 'SELECT n FROM t_run WHERE n = $1', [99]);
        expect(seen).toEqual([{ n: 99 }]);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    const all = await runStatement<{ n: number }>(
      store.db,
      'SELECT n FROM t_run WHERE n >= $1 ORDER BY n',
      [0],
    );
    expect(all.map((r) => r.n)).toEqual([0, 1, 2]);
  });

  it('withIndexPlans: no sort or bitmap scan inside, and a caller transaction gets its settings back', async () => {
    const settings = async (db: Kysely<Database> | Transaction<Database>) =>
      (
        await sql<{ sort: string; bitmap: string }>`
          SELECT current_setting('enable_sort') AS sort, current_setting('enable_bitmapscan') AS bitmap`.execute(
          db,
        )
      ).rows[0];
    expect(await withIndexPlans(store.db, settings)).toEqual({ sort: 'off', bitmap: 'off' });
    expect(await settings(store.db)).toEqual({ sort: 'on', bitmap: 'on' });
    await store.db.transaction().execute(async (tx) => {
      expect(await withIndexPlans(tx, settings)).toEqual({ sort: 'off', bitmap: 'off' });
      expect(await settings(tx)).toEqual({ sort: 'on', bitmap: 'on' });
      await expect(
        withIndexPlans(tx, async () => {
          throw new Error('page failed');
        }),
      ).rejects.toThrow('page failed');
      expect(await settings(tx)).toEqual({ sort: 'on', bitmap: 'on' });
    });
  });
});

const server = await needs('postgres');

describe.skipIf(!server)('migrations on a PostgreSQL server', () => {
  it('two concurrent migrate() calls apply each migration exactly once (advisory lock)', async () => {
    const db = await createEmptyDatabase('ferry_mig');
    const a = await openStore({ databaseUrl: db.url });
    const b = await openStore({ databaseUrl: db.url });
    try {
      const [ra, rb] = await Promise.all([migrate(a), migrate(b)]);
      const all = [...ra, ...rb];
      expect(all.length).toBeGreaterThan(0);
      expect(new Set(all).size).toBe(all.length);
      expect(ra.length === 0 || rb.length === 0).toBe(true);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });
});

describe.skipIf(!server)('closing a server store', () => {
  it('ends the pool even when only withSession was used (no leaked connection)', async () => {
    const db = await createEmptyDatabase('ferry_close');
    const store = await openStore({ databaseUrl: db.url });
    await migrate(store);
    await store.close();
    expect(store.pool?.ended).toBe(true);
    // A leaked connection would make this DROP wait or fail without FORCE.
    const admin = new (await import('pg')).default.Client({
      connectionString: testDatabaseUrl() ?? 'postgres://postgres@127.0.0.1:5432/test',
    });
    await admin.connect();
    // A backend leaves pg_stat_activity shortly after its client said goodbye, not at once: wait up to 2 s.
    const connected = async () =>
      (
        await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [
          new URL(db.url).pathname.slice(1),
        ])
      ).rows[0].n as number;
    let n = await connected();
    for (let i = 0; i < 40 && n > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      n = await connected();
    }
    await admin.end();
    expect(n).toBe(0);
    await db.drop();
  });
});

describe.skipIf(!server)('prepared statements on a PostgreSQL server', () => {
  it('plans each parameterised text once per connection, and survives a column added under it', async () => {
    const db = await createEmptyDatabase('ferry_prep');
    const store = await openStore({ databaseUrl: db.url, poolMax: 1 });
    const other = await openStore({ databaseUrl: db.url, poolMax: 1 });
    try {
      await sql`CREATE TABLE t_prep (id int PRIMARY KEY, v text)`.execute(store.db);
      for (let i = 0; i < 3; i++) {
        await sql`INSERT INTO t_prep VALUES (${i}, ${`v${i}`})`.execute(store.db);
      }
      const selectAll = () => sql<{ id: number }>`SELECT * FROM t_prep WHERE id >= ${0}`.execute(store.db);
      expect((await selectAll()).rows).toHaveLength(3);
      // One connection: its prepared statements are the two texts above, each once, with their call counts.
      const prepared = await sql<{ statement: string }>`
        SELECT statement FROM pg_prepared_statements ORDER BY statement`.execute(store.db);
      expect(prepared.rows.map((r) => r.statement)).toEqual([
        'INSERT INTO t_prep VALUES ($1, $2)',
        'SELECT * FROM t_prep WHERE id >= $1',
      ]);

      // Another process migrates: the prepared SELECT * now has the wrong result type. It fails once, then
      // runs unprepared and sees the new column.
      await sql`ALTER TABLE t_prep ADD COLUMN w text`.execute(other.db);
      const outcomes: string[] = [];
      for (let i = 0; i < 2; i++) {
        outcomes.push(
          await selectAll().then(
            (r) => Object.keys(r.rows[0]!).join(','),
            (e: Error) => e.message,
          ),
        );
      }
      expect(outcomes[0]).toMatch(/cached plan must not change result type/);
      expect(outcomes[1]).toBe('id,v,w');

      // runStatement's direct path prepares through the same pool wrapper: once per text, and the same recovery.
      const direct = () =>
        runStatement<Record<string, unknown>>(store.db, 'SELECT * FROM t_prep WHERE id = $1', [1]).then(
          (rows) => Object.keys(rows[0]!).join(','),
          (e: Error) => e.message,
        );
      expect(await direct()).toBe('id,v,w');
      expect(await direct()).toBe('id,v,w');
      const named = await sql<{ n: string }>`
        SELECT count(*)::text AS n FROM pg_prepared_statements
        WHERE statement = 'SELECT * FROM t_prep WHERE id = $1'`.execute(store.db);
      expect(named.rows[0]!.n).toBe('1');
      await sql`ALTER TABLE t_prep ADD COLUMN x text`.execute(other.db);
      expect(await direct()).toMatch(/cached plan must not change result type/);
      expect(await direct()).toBe('id,v,w,x');
    } finally {
      await store.close();
      await other.close();
      await db.drop();
    }
  });
});
