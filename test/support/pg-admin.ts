import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { noteDatabaseUse } from './db-use.js';

/** The PostgreSQL server used by process-level tests: TEST_DATABASE_URL, or the local one. */
export const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Creates an empty database (not migrated) and returns its URL and a drop function. */
export async function createEmptyDatabase(
  prefix = 'ferry_e2e',
  serverUrl: string = adminUrl,
): Promise<{ url: string; drop(): Promise<void> }> {
  noteDatabaseUse();
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
