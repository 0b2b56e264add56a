import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

/**
 * Notes that the running test file depends on which database the run uses: it opens a test database
 * (test-store.ts), creates one on a server (pg-admin.ts), or reads TEST_DATABASE_URL (`testDatabaseUrl`).
 * With FERRY_DB_FILES set (by .ci/run's embedded pass), the file's path is appended there; the PostgreSQL pass
 * then runs exactly those files, since every other file does the same on either database. A file whose path is
 * unknown writes `?`, and .ci/run then runs the whole suite again.
 */
export function noteDatabaseUse(): void {
  const out = process.env.FERRY_DB_FILES;
  if (!out) return;
  const file = expect.getState().testPath;
  appendFileSync(out, `${file ? path.relative(process.cwd(), file) : '?'}\n`);
}

/** TEST_DATABASE_URL, read through here so the read is noted. */
export function testDatabaseUrl(): string | undefined {
  noteDatabaseUse();
  return process.env.TEST_DATABASE_URL;
}
