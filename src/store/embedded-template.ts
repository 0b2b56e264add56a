import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMigrations, type Migration } from './migrations.js';

/**
 * A new embedded database starts from a template made when Ferry is built (`npm install` runs the prepare
 * script): PGlite's initdb takes 4–6 s on a small machine, loading a dump of an initialised, migrated cluster
 * takes as long as opening an existing folder. The template holds the schema only, no data and no secret (keys
 * are made at first start, in the new folder). It is used only when its PGlite version and migrations are
 * exactly the installed ones; otherwise (a source checkout that was not built, a changed migration) a new
 * folder is created the slow way, as before.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
export const templateFile = path.join(root, 'dist', 'embedded-template.tar.gz');
export const templateMetaFile = path.join(root, 'dist', 'embedded-template.json');

interface TemplateMeta {
  pglite: string;
  migrations: string;
}

function pgliteVersion(): string {
  const require = createRequire(import.meta.url);
  let dir = path.dirname(require.resolve('@electric-sql/pglite'));
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

const migrationsKey = (migrations: Migration[]) =>
  createHash('sha256')
    .update(JSON.stringify(migrations.map((m) => [m.version, m.name, m.sql])))
    .digest('hex');

export const currentTemplateMeta = (): TemplateMeta => ({
  pglite: pgliteVersion(),
  migrations: migrationsKey(loadMigrations()),
});

/** The template's bytes when it matches this installation, else undefined. */
export function matchingTemplate(): Buffer | undefined {
  try {
    const meta = JSON.parse(readFileSync(templateMetaFile, 'utf8')) as TemplateMeta;
    const now = currentTemplateMeta();
    if (meta.pglite !== now.pglite || meta.migrations !== now.migrations) return undefined;
    return readFileSync(templateFile);
  } catch {
    return undefined;
  }
}

/** True when `dataDir` holds no database yet (a template may be loaded into it). */
export const isNewDataDir = (dataDir: string) => !existsSync(path.join(dataDir, 'pgdata', 'PG_VERSION'));
