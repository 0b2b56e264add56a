import { readFileSync } from 'node:fs';
import type { Config } from './config/index.js';
import { resolveMasterKey } from './config/index.js';
import { createServices, type Services } from './services.js';
import { acquireDataDirLock, type DataDirLock, migrate, openStore, type Store } from './store/index.js';

/** Opens the store (embedded or server), applies migrations and builds the services: what every command needs. */
export async function openRuntime(config: Config): Promise<{ services: Services; close(): Promise<void> }> {
  let lock: DataDirLock | undefined;
  if (!config.databaseUrl) lock = acquireDataDirLock(config.dataDir);
  let store: Store | undefined;
  try {
    const masterKey = resolveMasterKey(config);
    store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    await migrate(store);
    const services = await createServices(config, { store, masterKey });
    const opened = store;
    return {
      services,
      async close() {
        await opened.close();
        lock?.release();
      },
    };
  } catch (error) {
    await store?.close();
    lock?.release();
    throw error;
  }
}

/** TLS options for the HTTPS listener; client certificates are requested but checked per client (mTLS binding). */
export function httpsOptions(config: Config): Record<string, unknown> | undefined {
  if (!config.tls) return undefined;
  const { certFile, keyFile, clientCaFile } = config.tls;
  return {
    cert: readFileSync(certFile),
    key: readFileSync(keyFile),
    ...(clientCaFile ? { ca: readFileSync(clientCaFile), requestCert: true, rejectUnauthorized: false } : {}),
  };
}
