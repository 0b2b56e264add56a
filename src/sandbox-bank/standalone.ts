import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Clock } from '../shared/clock.js';
import { installHttpHygiene } from '../shared/http-hygiene.js';
import { refuseBadText } from '../shared/text-input.js';
import { openStore, type Store } from '../store/index.js';
import type { NotifyTarget } from './notifications.service.js';
import type { SettlementTiming } from './payment-status.js';
import { registerSandboxBank, type SandboxBank } from './sandbox-bank.plugin.js';

export interface StandaloneOptions {
  port: number;
  host?: string;
  /** PEM files; with both, the bank listens on HTTPS. */
  tlsCert?: string;
  tlsKey?: string;
  /** PEM CA bundle: API calls then need a client certificate (QWAC) it issued. */
  clientCa?: string;
  databaseUrl?: string;
  /** PGlite data folder when no databaseUrl (default .ferry/sandbox-bank). */
  dataDir?: string;
  /** An open store to use instead (tests). */
  store?: Store;
  publicUrl?: string;
  adminToken?: string;
  clock?: Clock;
  timing?: SettlementTiming;
  logger?: boolean;
  /** Where funds notifications go (Ferry's public URL and its signing); without it none are sent. */
  notify?: NotifyTarget;
}

export interface RunningSandboxBank {
  /** e.g. https://127.0.0.1:8443 (banks under /sandbox-bank/{id}). */
  url: string;
  app: FastifyInstance;
  bank: SandboxBank;
  close(): Promise<void>;
}

/** Runs the sandbox bank alone, as a bank of its own would be: its own process, port, TLS and database. */
export async function startSandboxBank(options: StandaloneOptions): Promise<RunningSandboxBank> {
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined))
    throw new Error('tlsCert and tlsKey go together');
  if (options.clientCa && !options.tlsCert)
    throw new Error('clientCa needs tlsCert and tlsKey (mTLS runs over TLS)');
  const ownStore = !options.store;
  const store =
    options.store ??
    (await openStore({
      databaseUrl: options.databaseUrl,
      dataDir: options.dataDir ?? path.resolve('.ferry', 'sandbox-bank'),
    }));
  const https = options.tlsCert
    ? {
        cert: readFileSync(options.tlsCert),
        key: readFileSync(options.tlsKey!),
        ...(options.clientCa
          ? // Asked, not forced at the handshake: the SCA pages serve browsers without certificates,
            // and the API answers a missing certificate with a NextGenPSD2 error.
            { ca: readFileSync(options.clientCa), requestCert: true, rejectUnauthorized: false }
          : {}),
      }
    : null;
  const app = Fastify({
    logger: options.logger ?? false,
    ...(https ? { https } : {}),
  }) as unknown as FastifyInstance;
  installHttpHygiene(app);
  refuseBadText(app);
  try {
    const bank = await registerSandboxBank(app, {
      store,
      requireClientCertificate: Boolean(options.clientCa),
      ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
      ...(options.adminToken ? { adminToken: options.adminToken } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.timing ? { timing: options.timing } : {}),
      ...(options.notify ? { notifications: options.notify } : {}),
    });
    await app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
    if (bank.notifications.enabled)
      bank.notifications.start({ log: (message, fields) => app.log.warn(fields, message) });
    else
      app.log.info('funds notifications are off (no notify URL and key): settled payments are not reported');
    const address = app.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return {
      url: `${https ? 'https' : 'http'}://${host}:${address.port}`,
      app,
      bank,
      async close() {
        await app.close();
        if (ownStore) await store.close();
      },
    };
  } catch (error) {
    await app.close().catch(() => undefined);
    if (ownStore) await store.close();
    throw error;
  }
}
