import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { noteDatabaseUse } from './db-use.js';
import { adminUrl } from './pg-admin.js';

/**
 * What a test file needs from the machine beyond `npm ci`: Debian's Chromium on PATH (browsers are never
 * downloaded) or a reachable PostgreSQL server (`TEST_DATABASE_URL`, or the local one). Called at the top of a
 * file (`const executablePath = await needs('chromium')`, then `describe.skipIf(!executablePath)`):
 * - present: its handle (Chromium's executable path, the server's admin URL);
 * - missing outside CI: undefined, and one line on stderr saying what to install, so `npm test` on a fresh
 *   machine passes with the skips named;
 * - missing with CI=true (or TEST_DATABASE_URL set, for PostgreSQL): an error, so the file fails — CI skips nothing.
 */
export async function needs(what: Dependency): Promise<string | undefined> {
  if (what === 'postgres') noteDatabaseUse();
  const found = what === 'chromium' ? chromiumPath() : await postgresUrl();
  if (found) return found;
  const problem = missing[what]();
  if (process.env.CI === 'true' || (what === 'postgres' && process.env.TEST_DATABASE_URL)) {
    throw new Error(`${problem} (CI=true: nothing may be skipped)`);
  }
  console.warn(`skipped: ${problem}`);
  return undefined;
}

export type Dependency = 'chromium' | 'postgres';

const missing: Record<Dependency, () => string> = {
  chromium: () => 'needs Chromium, not found on PATH: install it with `apt-get install -y chromium`',
  postgres: () =>
    `needs a PostgreSQL server, none answers at ${redacted(adminUrl)}: install and start one ` +
    '(`apt-get install -y postgresql`) or point TEST_DATABASE_URL at one',
};

function chromiumPath(): string | undefined {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

let probe: Promise<string | undefined> | undefined;
function postgresUrl(): Promise<string | undefined> {
  probe ??= (async () => {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return adminUrl;
    } catch {
      return undefined;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return probe;
}

const redacted = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
