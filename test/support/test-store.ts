import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { openStore, pgliteParsers, type Store } from '../../src/store/index.js';
import { noteDatabaseUse } from './db-use.js';
import { withDatabase } from './global-setup.js';

/** A fresh, migrated database for one test file: a clone of the run's template. */
export async function createTestStore(): Promise<Store & { databaseUrl: string | undefined }> {
  noteDatabaseUse();
  const testDb = inject('testDb');
  if (testDb.kind === 'postgres') {
    const name = `ferry_t_${testDb.runId}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: testDb.adminUrl });
    await admin.connect();
    // Concurrent clones of one template collide ("being accessed by other users", 55006): retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${testDb.template}`);
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== '55006' || attempt >= 50) throw error;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 150));
      }
    }
    await admin.end();
    const databaseUrl = withDatabase(testDb.adminUrl, name);
    const store = await openStore({ databaseUrl });
    const closeStore = store.close;
    return Object.assign(store, {
      databaseUrl,
      async close() {
        await closeStore();
        const dropper = new pg.Client({ connectionString: testDb.adminUrl });
        await dropper.connect();
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await dropper.end();
      },
    });
  }
  const blob = new Blob([readFileSync(testDb.dumpFile)]);
  const pglite = await PGlite.create({ loadDataDir: blob, parsers: pgliteParsers });
  return Object.assign(await openStore({ pglite }), { databaseUrl: undefined });
}
