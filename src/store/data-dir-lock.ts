import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface DataDirLock {
  release(): void;
}

/**
 * An embedded PGlite database can be opened by one process only. A pid file guards the data dir, so a second
 * `ferry` command gets a clear message instead of a corrupted database. A stale file (dead pid) is taken over.
 */
export function acquireDataDirLock(dataDir: string, pid: number = process.pid): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'ferry.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(pid), { flag: 'wx' });
      return {
        release() {
          try {
            if (readFileSync(file, 'utf8') === String(pid)) rmSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(file, 'utf8'));
      if (holder && holder !== pid && isAlive(holder)) {
        throw new Error(
          `The embedded database in ${dataDir} is in use by process ${holder}, which has no operator API ` +
            '(ADMIN_PORT=off, or a `ferry worker`). Stop it first, or run Ferry on PostgreSQL (DATABASE_URL) ' +
            'to share the database between processes.',
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not lock ${dataDir}`);
}

/** The live process holding the embedded data folder, if any. */
export function dataDirHolder(dataDir: string): number | undefined {
  try {
    const holder = Number(readFileSync(path.join(dataDir, 'ferry.pid'), 'utf8'));
    return holder && isAlive(holder) ? holder : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
