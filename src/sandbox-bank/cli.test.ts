import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { startReceiver } from '../../test/support/webhook-receiver.js';
import type { CliIo } from '../cli/io.js';
import { addKeysCommands } from '../cli/keys.command.js';
import { addSandboxBankCommand } from '../cli/sandbox-bank.command.js';
import { runSandboxBank } from '../cli/sandbox-bank.run.js';
import { bankNotificationRootKey, bankNotificationSecret, verifyBankNotification } from '../pay/index.js';
import { insertNotification } from './sandbox.repository.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ferry-sandbox-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ferry sandbox-bank', () => {
  it('runs alone on its own embedded database and prints each bank', async () => {
    const lines: string[] = [];
    const io: CliIo = { env: {}, cwd: dir, out: (l) => lines.push(l), err: (l) => lines.push(l) };
    const running = await runSandboxBank({ port: 0, host: '127.0.0.1', dataDir: 'db' }, io);
    try {
      expect(lines[0]).toMatch(/^Sandbox bank listening on http:\/\/127\.0\.0\.1:\d+$/);
      expect(lines.slice(1)).toEqual([
        ...['rzb_ro', 'bt_ro', 'cec_ro'].map((id) => `  ${id}: ${running.url}/sandbox-bank/${id}/v1`),
        'Funds notifications are off (no --notify-url and --notify-key): settled payments are not reported',
      ]);
      expect(running.bank.notifications.enabled).toBe(false);
      const res = await request(`${running.url}/sandbox-bank/bt_ro/v1/consents/x/status`, {
        headers: { 'x-request-id': '2f7c7a52-4b1e-4d3e-9a57-6f0e0f3b1c11' },
      });
      expect(res.statusCode).toBe(404);
      expect(await res.body.json()).toMatchObject({ tppMessages: [{ code: 'RESOURCE_UNKNOWN' }] });
    } finally {
      await running.close();
    }
  });

  it('validates its options', () => {
    const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    addSandboxBankCommand(program, { env: {}, cwd: dir, out: () => {}, err: () => {} });
    expect(() => program.parse(['node', 'ferry', 'sandbox-bank'])).toThrow(/--port/);
    expect(() => program.parse(['node', 'ferry', 'sandbox-bank', '--port', 'abc'])).toThrow(/port number/);
  });
});

describe('ferry sandbox-bank funds notifications', () => {
  const masterKey = Buffer.alloc(32, 7);
  const rootKey = bankNotificationRootKey(masterKey);

  it('`ferry keys bank-notifications` prints the key the bank signs with', async () => {
    const lines: string[] = [];
    const program = new Command().exitOverride();
    addKeysCommands(program, {
      env: { FERRY_MASTER_KEY: masterKey.toString('hex') },
      cwd: dir,
      out: (l) => lines.push(l),
      err: () => {},
    });
    await program.parseAsync(['node', 'ferry', 'keys', 'bank-notifications']);
    expect(lines).toEqual([rootKey.toString('hex')]);
  });

  it('posts signed notifications over HTTP to the URL and key from the environment', async () => {
    const receiver = await startReceiver();
    const lines: string[] = [];
    const io: CliIo = {
      env: {
        FERRY_SANDBOX_NOTIFY_URL: `${receiver.url}/`,
        FERRY_SANDBOX_NOTIFY_KEY: rootKey.toString('hex'),
      },
      cwd: dir,
      out: (l) => lines.push(l),
      err: () => {},
    };
    const running = await runSandboxBank({ port: 0, host: '127.0.0.1', dataDir: 'db-notify' }, io);
    try {
      expect(lines.at(-1)).toBe(`Funds notifications go to ${receiver.url}/bank-notifications/<bank id>`);
      await insertNotification(running.bank.context.db, {
        payment_id: 'pay-cli-1',
        bank: 'rzb_ro',
        event: 'funds_received',
        reason: null,
        due_at: new Date(Date.now() - 1_000),
        created_at: new Date(),
      });
      await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(1);
      const got = receiver.received[0]!;
      expect(got.path).toBe('/bank-notifications/rzb_ro');
      expect(JSON.parse(got.body.toString())).toEqual({ payment_id: 'pay-cli-1', event: 'funds_received' });
      const ok = verifyBankNotification(
        bankNotificationSecret(rootKey, 'rzb_ro'),
        got.body.toString(),
        String(got.headers['x-bank-signature']),
        Math.floor(Date.now() / 1000),
      );
      expect(ok).toBe(true);
    } finally {
      await running.close();
      await receiver.close();
    }
  });

  it('wants the URL and the key together, both well formed', async () => {
    const io = (env: Record<string, string>): CliIo => ({ env, cwd: dir, out: () => {}, err: () => {} });
    const options = { port: 0, host: '127.0.0.1', dataDir: 'db-bad' };
    await expect(runSandboxBank({ ...options, notifyUrl: 'http://ferry.test' }, io({}))).rejects.toThrow(
      /--notify-url and --notify-key go together/,
    );
    await expect(
      runSandboxBank(
        options,
        io({ FERRY_SANDBOX_NOTIFY_URL: 'ftp://x', FERRY_SANDBOX_NOTIFY_KEY: rootKey.toString('hex') }),
      ),
    ).rejects.toThrow(/absolute http\(s\) URL/);
    await expect(
      runSandboxBank({ ...options, notifyUrl: 'http://ferry.test', notifyKey: 'short' }, io({})),
    ).rejects.toThrow(/32 bytes/);
  });
});

describe('ferry sandbox-bank TLS options', () => {
  it('refuses a client CA without a server certificate', async () => {
    const io: CliIo = { env: {}, cwd: dir, out: () => {}, err: () => {} };
    await expect(runSandboxBank({ port: 0, host: '127.0.0.1', clientCa: 'ca.pem' }, io)).rejects.toThrow(
      /--client-ca needs/,
    );
  });
});
