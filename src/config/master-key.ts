import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Config, decodeKey } from './config.js';

/**
 * The key that encrypts private keys and bank tokens at rest. From FERRY_MASTER_KEY, or in embedded mode
 * from `<dataDir>/master.key`, generated (mode 0600) on first start.
 */
export function resolveMasterKey(config: Config): Buffer {
  if (config.masterKey) return decodeKey(config.masterKey)!;
  if (config.databaseUrl) throw new Error('FERRY_MASTER_KEY is required with DATABASE_URL');
  const file = path.join(config.dataDir, 'master.key');
  if (existsSync(file)) {
    const key = decodeKey(readFileSync(file, 'utf8').trim());
    if (!key) throw new Error(`${file} does not hold a 32-byte key`);
    return key;
  }
  mkdirSync(config.dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
