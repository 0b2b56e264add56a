import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, decodeKey, parseConfig, resolveMasterKey, resolveOperatorToken } from './index.js';

describe('parseConfig', () => {
  it('applies the documented defaults and freezes the result', () => {
    const c = parseConfig({}, '/srv/ferry');
    expect(c).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:3000',
      databaseUrl: undefined,
      dataDir: '/srv/ferry/.ferry',
      logLevel: 'info',
      tls: undefined,
    });
    expect(Object.isFrozen(c)).toBe(true);
    expect(() => {
      (c as { port: number }).port = 1;
    }).toThrow();
  });

  it('reads the sandbox bank settlement delays (2 s / 5 s by default) and refuses ACSC before ACSP', () => {
    expect(parseConfig({}).sandboxBank).toEqual({ acspAfterMs: 2000, acscAfterMs: 5000 });
    expect(
      parseConfig({ SANDBOX_BANK_ACSP_AFTER_MS: '0', SANDBOX_BANK_ACSC_AFTER_MS: '10' }).sandboxBank,
    ).toEqual({ acspAfterMs: 0, acscAfterMs: 10 });
    expect(() =>
      parseConfig({ SANDBOX_BANK_ACSP_AFTER_MS: '100', SANDBOX_BANK_ACSC_AFTER_MS: '10' }),
    ).toThrow(/SANDBOX_BANK_ACSC_AFTER_MS must not be less/);
    expect(() => parseConfig({ SANDBOX_BANK_ACSP_AFTER_MS: 'soon' })).toThrow(/SANDBOX_BANK_ACSP_AFTER_MS/);
  });

  it('follows PORT in the default PUBLIC_URL and strips a trailing slash from PUBLIC_URL', () => {
    expect(parseConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(parseConfig({ PUBLIC_URL: 'https://pay.example.com/ferry/' }).publicUrl).toBe(
      'https://pay.example.com/ferry',
    );
  });

  it('lists every problem at once', () => {
    try {
      parseConfig({
        PORT: '70000',
        PUBLIC_URL: 'ftp://x',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://x',
        TLS_CLIENT_CA_FILE: '/ca.pem',
        FERRY_MASTER_KEY: 'short',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const { problems } = error as ConfigError;
      expect(problems.join('\n')).toMatch(/PORT must be a whole number from 0 to 65535/);
      expect(problems.join('\n')).toMatch(/PUBLIC_URL must be an absolute http\(s\) URL/);
      expect(problems.join('\n')).toMatch(/LOG_LEVEL must be one of/);
      expect(problems.join('\n')).toMatch(/DATABASE_URL must be a postgres/);
      expect(problems.join('\n')).toMatch(/TLS_CLIENT_CA_FILE needs TLS_CERT_FILE/);
      expect(problems.join('\n')).toMatch(/FERRY_MASTER_KEY must be 32 bytes/);
    }
  });

  it('retries webhooks for about 72 h, and 60 times faster for test-mode clients unless told otherwise', () => {
    const { webhooks } = parseConfig({});
    const hours = (ms: readonly number[]) => ms.reduce((a, b) => a + b, 0) / 3_600_000;
    expect(webhooks.retryScheduleMs).toHaveLength(13);
    expect(hours(webhooks.retryScheduleMs)).toBeCloseTo(71.7, 1); // within the 72 h, with the attempts themselves
    expect(webhooks.testRetryScheduleMs).toEqual(webhooks.retryScheduleMs.map((ms) => ms / 60));
    expect(webhooks.testRetryScheduleMs[0]).toBe(500);
    const own = parseConfig({ WEBHOOK_RETRY_SCHEDULE: '1m,1h', WEBHOOK_TEST_RETRY_SCHEDULE: '1s,2s,3s' });
    expect(own.webhooks.retryScheduleMs).toEqual([60_000, 3_600_000]);
    expect(own.webhooks.testRetryScheduleMs).toEqual([1000, 2000, 3000]);
    expect(parseConfig({ WEBHOOK_RETRY_SCHEDULE: '1m,1h' }).webhooks.testRetryScheduleMs).toEqual([
      1000, 60_000,
    ]);
    expect(parseConfig({ WEBHOOK_TEST_RETRY_SCHEDULE: 'none' }).webhooks.testRetryScheduleMs).toEqual([]);
    expect(() => parseConfig({ WEBHOOK_TEST_RETRY_SCHEDULE: '5 minutes' })).toThrow(
      /WEBHOOK_TEST_RETRY_SCHEDULE must be "none" or up to 50 delays/,
    );
  });

  it('requires a master key on a database server and TLS files in pairs', () => {
    expect(() => parseConfig({ DATABASE_URL: 'postgres://h/db' })).toThrow(/FERRY_MASTER_KEY is required/);
    expect(() => parseConfig({ TLS_CERT_FILE: '/c.pem' })).toThrow(/must be set together/);
    const tls = parseConfig({
      TLS_CERT_FILE: '/c.pem',
      TLS_KEY_FILE: '/k.pem',
      TLS_CLIENT_CA_FILE: '/ca.pem',
    });
    expect(tls.tls).toEqual({ certFile: '/c.pem', keyFile: '/k.pem', clientCaFile: '/ca.pem' });
    expect(tls.publicUrl).toBe('https://localhost:3000');
  });

  it('decodes 32-byte keys in hex, base64 and base64url only', () => {
    const bytes = Buffer.alloc(32, 7);
    expect(decodeKey(bytes.toString('hex'))).toEqual(bytes);
    expect(decodeKey(bytes.toString('base64'))).toEqual(bytes);
    expect(decodeKey(bytes.toString('base64url'))).toEqual(bytes);
    expect(decodeKey(Buffer.alloc(16).toString('hex'))).toBeUndefined();
  });
});

describe('the operator listener', () => {
  it('listens on loopback, on the port after PORT (random with PORT=0), or not at all', () => {
    expect(parseConfig({}).admin).toEqual({
      host: '127.0.0.1',
      port: 3001,
      token: undefined,
      url: undefined,
    });
    expect(parseConfig({ PORT: '0' }).admin.port).toBe(0);
    expect(parseConfig({ PORT: '65535' }).admin.port).toBe(65534);
    expect(parseConfig({ ADMIN_PORT: '9000', ADMIN_HOST: '::1' }).admin).toMatchObject({
      host: '::1',
      port: 9000,
    });
    expect(parseConfig({ ADMIN_PORT: 'off' }).admin.port).toBeUndefined();
    expect(parseConfig({ FERRY_ADMIN_URL: 'http://10.0.0.5:3001/' }).admin.url).toBe('http://10.0.0.5:3001');
    const bad = () =>
      parseConfig({ ADMIN_PORT: 'high', FERRY_ADMIN_TOKEN: 'short', FERRY_ADMIN_URL: 'ftp://x' });
    expect(bad).toThrow(ConfigError);
    try {
      bad();
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'ADMIN_PORT must be a port number or off (got "high")',
        'FERRY_ADMIN_TOKEN must be 32 to 512 printable characters without spaces',
        'FERRY_ADMIN_URL must be an http(s) origin like http://127.0.0.1:3001 (got "ftp://x")',
      ]);
    }
  });

  it('generates a 0600 operator token in the data dir once, unless FERRY_ADMIN_TOKEN is set', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ferry-token-'));
    try {
      const config = parseConfig({ FERRY_DATA_DIR: dir });
      const token = resolveOperatorToken(config);
      expect(token).toMatch(/^fat_[\w-]{43}$/);
      expect(statSync(path.join(dir, 'admin.token')).mode & 0o777).toBe(0o600);
      expect(resolveOperatorToken(config)).toBe(token);
      const given = 'g'.repeat(40);
      expect(resolveOperatorToken(parseConfig({ FERRY_DATA_DIR: dir, FERRY_ADMIN_TOKEN: given }))).toBe(
        given,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('resolveMasterKey', () => {
  it('generates a 0600 key file in the data dir once and reuses it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ferry-key-'));
    try {
      const config = parseConfig({ FERRY_DATA_DIR: dir });
      const first = resolveMasterKey(config);
      expect(first).toHaveLength(32);
      expect(resolveMasterKey(config)).toEqual(first);
      const file = path.join(dir, 'master.key');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('hex'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prefers FERRY_MASTER_KEY', () => {
    const key = Buffer.alloc(32, 9);
    expect(resolveMasterKey(parseConfig({ FERRY_MASTER_KEY: key.toString('hex') }))).toEqual(key);
  });
});
