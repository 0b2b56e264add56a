import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitOf, runFerry, spawnFerry, waitForOutput } from '../support/cli-process.js';
import { needs } from '../support/needs.js';
import { createEmptyDatabase } from '../support/pg-admin.js';

const server = await needs('postgres');

/**
 * `ferry clients ...` and `ferry keys ...` from another process while `ferry start` serves requests on the same
 * data: on an embedded folder through the server's operator API, on PostgreSQL on the database itself.
 */
async function administerWhileRunning(env: Record<string, string>, embedded: boolean) {
  const child = spawnFerry(['start'], env);
  try {
    const out = await waitForOutput(
      child,
      (o) => o.includes('Ferry listening on') && o.includes('Operator API on'),
    );
    const url = /Ferry listening on (http:\/\/\S+)/.exec(out)![1]!;
    const operatorUrl = /Operator API on (http:\/\/\S+)/.exec(out)![1]!;
    const cli = async (...args: string[]) => {
      const res = await runFerry(args, env);
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(0);
      return res.stdout;
    };
    const providers = (client_id: string, client_secret: string) =>
      fetch(`${url}/test/providers/list`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id, client_secret }),
      }).then((r) => r.status);

    const created = JSON.parse(
      await cli('clients', 'create', '--name', 'Shop', '--json', '--redirect-uri', 'https://shop.example/cb'),
    );
    expect(created).toMatchObject({
      name: 'Shop',
      enabled: true,
      redirect_uris: ['https://shop.example/cb'],
    });
    expect(created.client_app_key).toMatch(/^fak_/);
    // The new client works at once on the running server.
    expect(await providers(created.client_id, created.client_secret)).toBe(200);

    const { client_secret: next } = JSON.parse(
      await cli('clients', 'rotate-secret', created.client_id, '--json'),
    );
    expect(await providers(created.client_id, next)).toBe(200);
    if (embedded) expect(await providers(created.client_id, created.client_secret)).toBe(401);

    const jwksBefore = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    const rotation = JSON.parse(await cli('keys', 'rotate'));
    expect(rotation.previous).toBe(jwksBefore.keys[0]!.kid);
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] })
            .keys[0]?.kid,
      )
      .toBe(rotation.current);

    const updated = JSON.parse(
      await cli('clients', 'update', created.client_id, '--frame-ancestor', 'https://shop.example', '--json'),
    );
    expect(updated).toMatchObject({
      frame_ancestors: ['https://shop.example'],
      redirect_uris: ['https://shop.example/cb'],
    });
    const list = JSON.parse(await cli('clients', 'list', '--json')) as { client_id: string }[];
    expect(list.map((c) => c.client_id)).toContain(created.client_id);

    const audit = JSON.parse(await cli('audit', '--json', '--limit', '4')) as Record<string, string>[];
    expect(audit.map((e) => e.action)).toEqual([
      'clients.update',
      'keys.rotate',
      'clients.rotate-secret',
      'clients.create',
    ]);
    expect(audit[0]!.actor).toMatch(
      embedded ? /^operator-token \(cli:[\w.-]+\) from 127\.0\.0\.1$/ : /^cli:[\w.-]+$/,
    );

    // The operator API is not reachable without its token, and not on the public listener at all.
    const refused = await fetch(`${operatorUrl}/operator/v1/clients`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('Bearer');
    const wrong = await fetch(`${operatorUrl}/operator/v1/clients`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${url}/operator/v1/clients`)).status).toBe(404);
    expect(new URL(operatorUrl).hostname).toBe('127.0.0.1');

    child.kill('SIGTERM');
    expect(await exitOf(child)).toBe(0);
  } finally {
    child.kill('SIGKILL');
  }
}

describe('administration while ferry start runs (embedded data folder)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ferry-admin-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('clients create, rotate-secret, keys rotate, update and list go through the operator API', async () => {
    await administerWhileRunning({ FERRY_DATA_DIR: dir, PORT: '0' }, true);
    // The token is the operator's alone; the endpoint file goes away with the server.
    expect(statSync(path.join(dir, 'admin.token')).mode & 0o777).toBe(0o600);
    expect(existsSync(path.join(dir, 'admin.json'))).toBe(false);
    const after = await runFerry(['clients', 'list', '--json'], { FERRY_DATA_DIR: dir });
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout)).toHaveLength(2);
  }, 180_000); // a server and nine CLI processes: 33 s alone, over 60 s beside CI's other test files
});

describe.skipIf(!server)('administration while ferry start runs (PostgreSQL)', () => {
  let db: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    db = await createEmptyDatabase();
  });
  afterAll(() => db.drop());

  it('the same commands work on the shared database, and the new client works at once', async () => {
    const env = {
      DATABASE_URL: db.url,
      FERRY_MASTER_KEY: randomBytes(32).toString('hex'),
      FERRY_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'ferry-admin-pg-')),
      PORT: '0',
    };
    try {
      await administerWhileRunning(env, false);
    } finally {
      rmSync(env.FERRY_DATA_DIR, { recursive: true, force: true });
    }
  }, 180_000);
});
