import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferryMigrations, openStore } from '../../src/store/index.js';
import { exitOf, spawnFerry, waitForOutput } from '../support/cli-process.js';
import { needs } from '../support/needs.js';
import { createEmptyDatabase } from '../support/pg-admin.js';

const server = await needs('postgres');

/** Two `ferry start` processes on one empty PostgreSQL database: the advisory lock lets exactly one migrate. */
describe.skipIf(!server)('two ferry start processes against one PostgreSQL database', () => {
  let db: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    db = await createEmptyDatabase();
  });
  afterAll(() => db.drop());

  it('both start cleanly and every migration is applied exactly once', async () => {
    const env = { DATABASE_URL: db.url, FERRY_MASTER_KEY: randomBytes(32).toString('hex'), PORT: '0' };
    const a = spawnFerry(['start'], env);
    const b = spawnFerry(['start'], env);
    try {
      const [outA, outB] = await Promise.all([
        waitForOutput(a, (o) => o.includes('Ferry listening on')),
        waitForOutput(b, (o) => o.includes('Ferry listening on')),
      ]);
      for (const out of [outA, outB]) {
        const url = /Ferry listening on (http:\/\/\S+)/.exec(out)![1]!;
        const ready = await fetch(`${url}/ready`);
        expect(await ready.json()).toEqual({ status: 'ready', database: 'postgres' });
        // No first-run client on a server database: operators create clients explicitly.
        expect(out).not.toContain('client_secret');
      }
      const store = await openStore({ databaseUrl: db.url });
      try {
        // In the database's order (numeric): a JavaScript sort() would put 10 before 2.
        const rows = await store.db
          .selectFrom('ferry_migrations')
          .select(['version'])
          .orderBy('version')
          .execute();
        expect(rows.map((r) => r.version)).toEqual(ferryMigrations().migrations.map((m) => m.version));
      } finally {
        await store.close();
      }
      a.kill('SIGTERM');
      b.kill('SIGTERM');
      expect(await exitOf(a)).toBe(0);
      expect(await exitOf(b)).toBe(0);
    } finally {
      a.kill('SIGKILL');
      b.kill('SIGKILL');
    }
  });
});
