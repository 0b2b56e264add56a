import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { buildApp } from '../../src/app.js';
import { parseConfig } from '../../src/config/index.js';
import { createNextGenPsd2Connector } from '../../src/connectors/index.js';
import { createTestPki } from '../../src/sandbox-bank/test-support/test-pki.js';
import type { Services } from '../../src/services.js';
import type { Store } from '../../src/store/index.js';
import { startWorker } from '../../src/worker/index.js';
import { freePort } from '../support/free-port.js';
import { testMasterKey } from '../support/test-app.js';
import { createTestStore } from '../support/test-store.js';

/**
 * Ferry as `ferry start` runs it, on a real port: the API, the hosted pages, the sandbox bank that buildApp
 * mounts at ${PUBLIC_URL}/sandbox-bank/<id> (ACSP 0.8 s after approval, so links complete fast; ACSC and the
 * bank's own funds notification 30 s after, so `completed` stays observable; `timing` sets both)
 * reached over HTTP through the NextGenPSD2 connector, and the pay background loop (status polling, expiry sweep). The clock is real.
 */
export interface PayStack {
  url: string;
  app: FastifyInstance;
  services: Services;
  store: Store;
  creds: { client_id: string; client_secret: string };
  api(
    path: string,
    body: Record<string, unknown>,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Polls links/get until the link reaches `status` (or fails the wait). */
  waitForStatus(linkId: string, status: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startPayStack(
  options: {
    timing?: { acspAfterMs: number; acscAfterMs: number };
    clientName?: string;
    hostname?: string;
  } = {},
): Promise<PayStack> {
  const store = await createTestStore();
  const port = await freePort();
  const url = `http://${options.hostname ?? '127.0.0.1'}:${port}`;
  const config = parseConfig({
    PUBLIC_URL: url,
    PORT: String(port),
    LOG_LEVEL: 'silent',
    RATE_LIMITS: 'default=0,pay=0,ais=0',
    FERRY_MASTER_KEY: testMasterKey.toString('hex'),
    SANDBOX_BANK_ACSP_AFTER_MS: String(options.timing?.acspAfterMs ?? 800),
    SANDBOX_BANK_ACSC_AFTER_MS: String(options.timing?.acscAfterMs ?? 30_000),
  });
  const pki = createTestPki();
  const connector = createNextGenPsd2Connector({
    qsealc: pki.qsealc,
    timeoutMs: 10_000,
    fallbackPsuIpAddress: '127.0.0.1',
  });
  const { app, services } = await buildApp(config, {
    store,
    masterKey: testMasterKey,
    connector,
    logger: false,
  });
  await app.listen({ port, host: '127.0.0.1' });
  const loop = await startWorker(services);
  const { client, clientSecret } = await services.clients.create({
    name: options.clientName ?? 'E2E Shop',
    mode: 'test',
  });
  const creds = { client_id: client.clientId, client_secret: clientSecret };

  const api: PayStack['api'] = async (path, body) => {
    const res = await request(`${url}/test${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...creds, ...body }),
    });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  };
  return {
    url,
    app,
    services,
    store,
    creds,
    api,
    async waitForStatus(linkId, status, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      let last: Record<string, unknown> = {};
      while (Date.now() < until) {
        last = (await api('/links/get', { link_id: linkId })).body;
        if (last.status === status) return last;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`link ${linkId} stayed ${String(last.status)} (waited for ${status})`);
    },
    async close() {
      await loop.stop();
      await app.close();
      await connector.close();
      await store.close();
      pki.cleanup();
    },
  };
}
