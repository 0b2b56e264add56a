import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import type { CreateClientInput } from '../../src/auth/index.js';
import { type Config, parseConfig } from '../../src/config/index.js';
import type { BankConnector } from '../../src/connectors/types.js';
import type { ServiceDeps, Services } from '../../src/services.js';
import type { Clock } from '../../src/shared/clock.js';
import type { Store } from '../../src/store/index.js';
import { createWorker, type Worker } from '../../src/worker/index.js';
import { createTestStore } from './test-store.js';

export interface TestApp {
  app: FastifyInstance;
  /** Log lines (parsed JSON) when created with `captureLogs`; empty otherwise. */
  logs: Record<string, unknown>[];
  services: Services;
  /** The background worker, not started: tests run what is due with `worker.drain()` and an injected clock. */
  worker: Worker;
  store: Store;
  config: Config;
  /** Creates an API client and returns its id and one-time secret. */
  client(
    input?: Partial<CreateClientInput>,
  ): Promise<{ clientId: string; clientSecret: string; name: string }>;
  close(): Promise<void>;
}

export const testMasterKey = randomBytes(32);

export async function createTestApp(
  options: {
    env?: Record<string, string>;
    clock?: Clock;
    server?: Record<string, unknown>;
    /** A bank connector (a fake, or one pointed at the sandbox bank). */
    connector?: BankConnector;
    /** Extra routes a test registers before the app is ready. */
    routes?: (app: FastifyInstance, services: Services) => void;
    /** Keep info-level logs in `logs` (e.g. why the authorization server refused a request). */
    captureLogs?: boolean;
    /** AIS settings and sleep (see ServiceDeps). */
    ais?: ServiceDeps['ais'];
  } = {},
): Promise<TestApp> {
  const logs: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      done();
    },
  });
  const store = await createTestStore();
  const config = parseConfig({
    PUBLIC_URL: 'http://ferry.test',
    LOG_LEVEL: 'silent',
    // Limits are tested on purpose (src/api/guards.test.ts); other tests must not trip them.
    RATE_LIMITS: 'default=0,pay=0,ais=0',
    FERRY_MASTER_KEY: testMasterKey.toString('hex'),
    ...options.env,
  });
  const { app, services } = await buildApp(config, {
    store,
    masterKey: testMasterKey,
    ...(options.clock ? { clock: options.clock } : {}),
    server: { ...(options.captureLogs ? { logger: { level: 'info', stream } } : {}), ...options.server },
    ...(options.connector ? { connector: options.connector } : {}),
    ...(options.ais ? { ais: options.ais } : {}),
    ...(options.captureLogs ? {} : { logger: false }),
  });
  options.routes?.(app, services);
  await app.ready();
  let n = 0;
  const worker = createWorker(services);
  return {
    logs,
    app,
    services,
    worker,
    store,
    config,
    async client(input = {}) {
      n += 1;
      const name = input.name ?? `Test client ${n}`;
      const { client, clientSecret } = await services.clients.create({ name, mode: 'test', ...input });
      return { clientId: client.clientId, clientSecret, name: client.name };
    },
    async close() {
      await worker.stop();
      await app.close();
      await store.close();
    },
  };
}
