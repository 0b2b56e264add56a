import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isNewDataDir, matchingTemplate } from './embedded-template.js';
import { loadMigrations, migrate, openStore } from './index.js';

const dirs: string[] = [];
const newDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ferry-template-test-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the new-database template', () => {
  it('matches this build (the test run builds it, as npm install does)', () => {
    expect(matchingTemplate()?.length).toBeGreaterThan(1_000_000);
  });

  it('a new folder opens from it with every migration applied, and later opens keep their data', async () => {
    const dir = newDir();
    expect(isNewDataDir(dir)).toBe(true);
    const store = await openStore({ dataDir: dir });
    const versions = await store.db.selectFrom('ferry_migrations').select('version').execute();
    expect(versions.map((v) => Number(v.version)).sort((a, b) => a - b)).toEqual(
      loadMigrations().map((m) => m.version),
    );
    expect(await migrate(store)).toEqual([]);
    await store.db
      .insertInto('operator_audit')
      .values({
        id: '0190f0b4-0000-7000-8000-000000000001',
        at: new Date(),
        actor: 'test',
        action: 'check',
        outcome: 'ok',
        detail: null,
      })
      .execute();
    await store.close();
    expect(isNewDataDir(dir)).toBe(false);
    const again = await openStore({ dataDir: dir });
    const rows = await again.db.selectFrom('operator_audit').select('id').execute();
    expect(rows).toEqual([{ id: '0190f0b4-0000-7000-8000-000000000001' }]); // the template is never loaded over an existing database
    await again.close();
  });
});
