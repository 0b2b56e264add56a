import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore } from './database.js';
import {
  currentTemplateMeta,
  matchingTemplate,
  templateFile,
  templateMetaFile,
} from './embedded-template.js';
import { migrate } from './migrate.js';

/**
 * Builds the new-database template (embedded-template.ts) into dist/; the build runs it through
 * scripts/embedded-template.mjs. Skipped when the one on disk already matches.
 */
export async function buildTemplate(): Promise<'built' | 'up to date'> {
  if (matchingTemplate()) return 'up to date';
  const dir = mkdtempSync(path.join(tmpdir(), 'ferry-template-'));
  try {
    const store = await openStore({ dataDir: dir });
    try {
      await migrate(store);
      const dump = await store.pglite!.dumpDataDir('gzip');
      mkdirSync(path.dirname(templateFile), { recursive: true });
      writeFileSync(templateFile, Buffer.from(await dump.arrayBuffer()));
      writeFileSync(templateMetaFile, `${JSON.stringify(currentTemplateMeta())}\n`);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return 'built';
}
