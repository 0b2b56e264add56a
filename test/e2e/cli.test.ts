import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { exitOf, runFerry, spawnFerry, waitForOutput } from '../support/cli-process.js';

/** The CLI on an embedded data dir: clients commands, migrate, first start, graceful stop, the data-dir lock. */
// Each test spawns ferry processes (a first PGlite init, a server): 14-24 s alone, over 60 s when CI runs the
// other process-spawning files beside it.
describe('ferry CLI (embedded database)', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ferry-cli-'));
  const env = { FERRY_DATA_DIR: dir, PORT: '0' };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('migrate on a new folder finds it up to date (it starts from the build’s migrated template)', async () => {
    const first = await runFerry(['migrate'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Database is up to date.');
    const second = await runFerry(['migrate'], env);
    expect(second.stdout).toContain('Database is up to date.');
  });

  let created: { client_id: string; client_secret: string };

  it('clients create --json prints one JSON object with the secret once', async () => {
    const res = await runFerry(['clients', 'create', '--name', 'Shop One', '--scopes', 'pay', '--json'], env);
    expect(res.code, res.stderr).toBe(0);
    created = JSON.parse(res.stdout);
    expect(created).toMatchObject({ name: 'Shop One', mode: 'test', scopes: ['pay'] });
    expect(created.client_id).toMatch(/^test_/);
    expect(created.client_secret).toMatch(/^fsk_/);
  });

  it('clients create rejects bad input with a clear message and exit code 2', async () => {
    const res = await runFerry(['clients', 'create', '--name', 'X', '--mode', 'prod'], env);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toContain('--mode must be test or live');
    const live = await runFerry(
      ['clients', 'create', '--name', 'X', '--mode', 'live', '--webhook-url', 'http://a.example/h'],
      env,
    );
    expect(live.code, live.stderr).toBe(2);
    expect(live.stderr).toContain('webhook_url: must use https for live clients');
  });

  it('clients list shows the client without its secret; rotate-secret replaces it', async () => {
    const list = await runFerry(['clients', 'list', '--json'], env);
    const clients = JSON.parse(list.stdout) as Record<string, unknown>[];
    expect(clients.map((c) => c.client_id)).toContain(created.client_id);
    expect(list.stdout).not.toContain(created.client_secret);

    const rotated = await runFerry(['clients', 'rotate-secret', created.client_id, '--json'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    const { client_secret: next } = JSON.parse(rotated.stdout);
    expect(next).toMatch(/^fsk_/);
    expect(next).not.toBe(created.client_secret);

    const unknown = await runFerry(['clients', 'rotate-secret', 'test_nope'], env);
    expect(unknown.code, unknown.stderr).toBe(2);
    expect(unknown.stderr).toContain('No API client with client_id test_nope');
  });

  it('stores only a hash of the secrets', async () => {
    const store = await openStore({ dataDir: dir });
    try {
      const rows = await store.db.selectFrom('api_clients').selectAll().execute();
      expect(rows.length).toBeGreaterThan(0);
      const dump = JSON.stringify(rows);
      expect(dump).not.toContain(created.client_secret);
      for (const row of rows) expect(row.secret_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    } finally {
      await store.close();
    }
  });

  it('start serves /health, lets a second command in through its operator API, and stops on SIGTERM', async () => {
    const fresh = mkdtempSync(path.join(tmpdir(), 'ferry-start-'));
    const child = spawnFerry(['start'], { FERRY_DATA_DIR: fresh, PORT: '0' });
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    try {
      const out = await waitForOutput(child, (o) => o.includes('curl -s') && o.includes('links/create'));
      // A new user's first screen has nothing they cannot act on (oidc-provider's Node 20 notice: oidc-runtime.ts).
      expect(stderr).not.toContain('Unsupported runtime');
      const url = /Ferry listening on (http:\/\/\S+)/.exec(out)?.[1];
      expect(url, out).toBeDefined();
      const health = await fetch(`${url}/health`);
      expect(await health.json()).toEqual({ status: 'ok' });

      // The first start on a fresh embedded database prints a working test client.
      const clientId = /client_id:\s+(\S+)/.exec(out)![1]!;
      const secret = /client_secret:\s+(\S+)/.exec(out)![1]!;
      const providers = await fetch(`${url}/test/providers/list`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: clientId, client_secret: secret }),
      });
      expect(providers.status).toBe(200);
      const ids = (
        ((await providers.json()) as { providers: unknown }).providers as { provider_id: string }[]
      ).map((p) => p.provider_id);
      expect(ids).toEqual(expect.arrayContaining(['rzb_ro', 'bt_ro', 'cec_ro']));

      // Another command on the same data folder goes through the server's operator API (admin-while-running).
      const second = await runFerry(['clients', 'list', '--json'], { FERRY_DATA_DIR: fresh });
      expect(second.code, second.stderr).toBe(0);
      expect(JSON.parse(second.stdout)).toHaveLength(1);

      child.kill('SIGTERM');
      expect(await exitOf(child)).toBe(0);
      // The lock is released: a command can open the data dir now.
      const after = await runFerry(['clients', 'list', '--json'], { FERRY_DATA_DIR: fresh });
      expect(after.code, after.stderr).toBe(0);
      expect(after.stderr).not.toContain('Unsupported runtime');
      expect(JSON.parse(after.stdout)).toHaveLength(1);
    } finally {
      child.kill('SIGKILL');
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('fails at start with a clear message on bad configuration', async () => {
    const res = await runFerry(['start'], { FERRY_DATA_DIR: dir, PORT: 'eighty', LOG_LEVEL: 'loud' });
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toContain('PORT must be a whole number');
    expect(res.stderr).toContain('LOG_LEVEL must be one of');
  });
});
