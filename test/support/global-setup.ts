import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate, openStore, pgliteParsers } from '../../src/store/index.js';
import { ensureFreshDist } from './fresh-dist.js';

/**
 * Migrates one template database per run; each test file then clones it (PGlite: loadDataDir of a dump,
 * ~0.5 s; PostgreSQL: CREATE DATABASE ... TEMPLATE). Fresh databases every run, dropped at the end.
 */
export default async function setup(project: TestProject) {
  ensureFreshDist();
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    const template = `ferry_tpl_${runId}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${template}`);
    const store = await openStore({ databaseUrl: withDatabase(adminUrl, template) });
    await migrate(store);
    await store.close();
    project.provide('testDb', { kind: 'postgres', adminUrl, template, runId });
    return async () => {
      const { rows } = await admin.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE datname LIKE $1',
        [`ferry_%${runId}%`],
      );
      for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      await admin.end();
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'ferry-tpl-'));
  const pglite = await PGlite.create({ parsers: pgliteParsers });
  const store = await openStore({ pglite });
  await migrate(store);
  const dump = await pglite.dumpDataDir('none');
  const file = path.join(dir, 'template.tar');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await store.close();
  project.provide('testDb', { kind: 'pglite', dumpFile: file, runId });
  return () => rmSync(dir, { recursive: true, force: true });
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.href;
}

export type TestDb =
  | { kind: 'postgres'; adminUrl: string; template: string; runId: string }
  | { kind: 'pglite'; dumpFile: string; runId: string };

declare module 'vitest' {
  export interface ProvidedContext {
    testDb: TestDb;
  }
}
