import { readFileSync } from 'node:fs';
import type { Config } from './config/index.js';
import { resolveMasterKey } from './config/index.js';
import type { Services } from './services.js';
import { acquireDataDirLock, type DataDirLock, migrate, openStore, type Store } from './store/index.js';

/** Opens the store (embedded or server), applies migrations and builds the services: what every command needs. */
export async function openRuntime(config: Config): Promise<{ services: Services; close(): Promise<void> }> {
  let lock: DataDirLock | undefined;
  if (!config.databaseUrl) lock = acquireDataDirLock(config.dataDir);
  let store: Store | undefined;
  try {
    const masterKey = resolveMasterKey(config);
    // The database opens while the rest of Ferry's modules load: PGlite compiles its WebAssembly off the main
    // thread and reads its files asynchronously, so the two overlap. (The catch only keeps an early failure from
    // counting as unhandled while the import runs; it is rethrown by the await below.)
    const opening = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    const loading = import('./services.js');
    opening.catch(() => {});
    loading.catch(() => {});
    store = await opening;
    const { createServices } = await loading;
    await migrate(store);
    const services = await createServices(config, { store, masterKey });
    const opened = store;
    return {
      services,
      async close() {
        await services.bankCalls.flush();
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
