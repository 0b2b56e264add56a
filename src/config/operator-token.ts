import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';

/**
 * The token of the operator API: FERRY_ADMIN_TOKEN, or `<dataDir>/admin.token`, generated (mode 0600) on first
 * use. Whoever can read the data folder (the operator's own account) can use the CLI against a running server;
 * nobody else can.
 */
export function resolveOperatorToken(config: Config): string {
  if (config.admin.token) return config.admin.token;
  const file = path.join(config.dataDir, 'admin.token');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length < 32) throw new Error(`${file} does not hold an operator token`);
    return token;
  }
  mkdirSync(config.dataDir, { recursive: true });
  const token = `fat_${randomBytes(32).toString('base64url')}`;
  try {
    writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw error;
  }
  return token;
}
