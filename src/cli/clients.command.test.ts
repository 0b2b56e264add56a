import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki } from '../../test/support/oauth-certs.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { addClientsCommands } from './clients.command.js';
import { CliError } from './io.js';
import { operatorOver } from './operator-session.js';

/** `ferry clients create|update` flags, in-process on a test database (the same operator as the API's). */
describe('ferry clients flags', () => {
  let t: TestApp;
  const dir = mkdtempSync(path.join(tmpdir(), 'ferry-flags-'));
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ferry = async (...args: string[]) => {
    const lines: string[] = [];
    const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    const io = { env: {}, cwd: dir, out: (l: string) => lines.push(l), err: () => {} };
    addClientsCommands(
      program,
      io,
      operatorOver(async () => ({ services: t.services, close: async () => {} })),
    );
    await program.parseAsync(['node', 'ferry', ...args]);
    return lines.join('\n');
  };
  const file = (name: string, content: string) => {
    const at = path.join(dir, name);
    writeFileSync(at, content);
    return at;
  };

  it('create takes every setting; update changes only what it names; an empty value clears', async () => {
    const created = JSON.parse(
      await ferry(
        'clients',
        'create',
        '--name',
        'Shop',
        '--json',
        '--scopes',
        'ais',
        '--ux-template',
        'cards',
        '--redirect-uri',
        'https://shop.example/a',
        '--redirect-uri',
        'https://shop.example/b',
        '--frame-ancestor',
        'https://shop.example',
        '--tracking-required',
      ),
    );
    expect(created).toMatchObject({
      scopes: ['ais'],
      ux_template: 'cards',
      redirect_uris: ['https://shop.example/a', 'https://shop.example/b'],
      frame_ancestors: ['https://shop.example'],
      tracking_required: true,
      enabled: true,
    });
    const id = created.client_id as string;
    const updated = JSON.parse(
      await ferry(
        'clients',
        'update',
        id,
        '--redirect-uri',
        'https://shop.example/c',
        '--no-tracking-required',
        '--json',
      ),
    );
    expect(updated).toMatchObject({
      redirect_uris: ['https://shop.example/c'],
      frame_ancestors: ['https://shop.example'],
      tracking_required: false,
      ux_template: 'cards',
    });
    const cleared = JSON.parse(
      await ferry('clients', 'update', id, '--redirect-uri', '', '--frame-ancestor', '', '--json'),
    );
    expect(cleared).toMatchObject({ redirect_uris: [], frame_ancestors: [] });
    expect(await ferry('clients', 'update', id, '--disable')).toBe(`Updated API client ${id} (enabled)`);
    expect((await t.services.clients.find(id))?.disabled).toBe(true);
    await ferry('clients', 'update', id, '--enable');
    expect((await t.services.clients.find(id))?.disabled).toBe(false);
    const key = JSON.parse(await ferry('clients', 'rotate-app-key', id, '--json'));
    expect(key.client_app_key).not.toBe(created.client_app_key);
  });

  it('--v1s-keys takes an X.509 certificate, a public key PEM (RSA or EC) or a JWK Set', async () => {
    const { id } = {
      id: JSON.parse(await ferry('clients', 'create', '--name', 'Classic', '--json')).client_id,
    };
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = file('rsa.pem', rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const withRsa = JSON.parse(
      await ferry(
        'clients',
        'update',
        id,
        '--v1s-identity',
        'ops@shop.example',
        '--v1s-keys',
        spki,
        '--json',
      ),
    );
    expect(withRsa.v1s_keys.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
    const ecPem = file('ec.pem', ec.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const withEc = JSON.parse(await ferry('clients', 'update', id, '--v1s-keys', ecPem, '--json'));
    expect(withEc.v1s_keys.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(withEc.v1s_identity).toBe('ops@shop.example');
    const jwks = file(
      'keys.json',
      JSON.stringify({
        keys: [{ kty: 'EC', crv: 'P-256', x: withEc.v1s_keys.keys[0].x, y: withEc.v1s_keys.keys[0].y }],
      }),
    );
    expect(
      JSON.parse(await ferry('clients', 'update', id, '--v1s-keys', jwks, '--json')).v1s_keys.keys,
    ).toHaveLength(1);
    const pki = createTestPki();
    try {
      const cert = pki.issue('tenant', {
        subject: '/CN=ops@shop.example',
        extensions: [],
        selfSigned: true,
        rsa: true,
      });
      const fromCert = JSON.parse(
        await ferry('clients', 'update', id, '--v1s-keys', cert.certFile, '--json'),
      );
      expect(fromCert.v1s_keys.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256' });
      expect(cert.cert).toContain('BEGIN CERTIFICATE');
    } finally {
      pki.close();
    }

    const priv = file('private.pem', rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    await expect(ferry('clients', 'update', id, '--v1s-keys', priv)).rejects.toThrow(CliError);
    await expect(ferry('clients', 'update', id, '--v1s-keys', file('junk.txt', 'hello'))).rejects.toThrow(
      /neither a JWK Set nor PEM/,
    );
    await expect(ferry('clients', 'update', id, '--v1s-keys', path.join(dir, 'missing.pem'))).rejects.toThrow(
      /ENOENT/,
    );
  });

  it('refuses what makes no sense with a clear message', async () => {
    const id = JSON.parse(await ferry('clients', 'create', '--name', 'Plain', '--json')).client_id as string;
    await expect(ferry('clients', 'update', id)).rejects.toThrow(/nothing to change/);
    await expect(ferry('clients', 'update', id, '--enable', '--disable')).rejects.toThrow(
      /exclude each other/,
    );
    await expect(ferry('clients', 'update', id, '--redirect-uri', 'ftp://x')).rejects.toThrow(
      /redirect_uris: .*https/,
    );
    await expect(ferry('clients', 'update', 'test_nope', '--name', 'X')).rejects.toThrow(/No API client/);
    await expect(ferry('clients', 'create', '--name', 'X', '--mode', 'prod')).rejects.toThrow(
      /--mode must be test or live/,
    );
  });
});
