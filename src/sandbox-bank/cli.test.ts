import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../cli/io.js';
import { addSandboxBankCommand, runSandboxBank } from '../cli/sandbox-bank.command.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ferry-sandbox-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ferry sandbox-bank', () => {
  it('runs alone on its own embedded database and prints each bank', async () => {
    const lines: string[] = [];
    const io: CliIo = { env: {}, cwd: dir, out: (l) => lines.push(l), err: (l) => lines.push(l) };
    const running = await runSandboxBank({ port: 0, host: '127.0.0.1', dataDir: 'db' }, io);
    try {
      expect(lines[0]).toMatch(/^Sandbox bank listening on http:\/\/127\.0\.0\.1:\d+$/);
      expect(lines.slice(1)).toEqual(
        ['rzb_ro', 'bt_ro', 'cec_ro'].map((id) => `  ${id}: ${running.url}/sandbox-bank/${id}/v1`),
      );
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

describe('ferry sandbox-bank TLS options', () => {
  it('refuses a client CA without a server certificate', async () => {
    const io: CliIo = { env: {}, cwd: dir, out: () => {}, err: () => {} };
    await expect(runSandboxBank({ port: 0, host: '127.0.0.1', clientCa: 'ca.pem' }, io)).rejects.toThrow(
      /--client-ca needs/,
    );
  });
});
