import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './cli-process.js';

/**
 * Tests that start the ferry bin run it from dist/ (as `npx ferry` does), which starts in half the time tsx
 * takes to compile the source on every spawn. `npm install` builds dist/ (the prepare script); this rebuilds it
 * once per run, before any test file, when a source file is newer than the build, so an edit is never tested
 * against a stale dist/.
 */
export function ensureFreshDist(): void {
  const built = newest(path.join(repoRoot, 'dist'), '.js');
  const source = newest(path.join(repoRoot, 'src'), '.ts');
  if (built < source) {
    const started = Date.now();
    execFileSync(process.execPath, [tscBin, '-p', 'tsconfig.build.json'], {
      cwd: repoRoot,
      stdio: 'inherit',
    });
    console.log(`dist/ was older than src/: rebuilt in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  // The rest of the build: the new-database template, remade only when a migration or PGlite changed.
  execFileSync(process.execPath, ['scripts/embedded-template.mjs'], { cwd: repoRoot, stdio: 'inherit' });
}

const tscBin = path.join(repoRoot, 'node_modules/typescript/bin/tsc');

/** The newest modification time (ms) of the files ending in `ext` under `dir`; 0 when there are none. */
function newest(dir: string, ext: string): number {
  let latest = 0;
  let entries: string[] = [];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!entry.endsWith(ext) || entry.endsWith('.test.ts') || entry.includes('test-support')) continue;
    latest = Math.max(latest, statSync(path.join(dir, entry)).mtimeMs);
  }
  return latest;
}
