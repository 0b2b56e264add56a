import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { parseConfig } from '../../src/config/index.js';
import type { Services } from '../../src/services.js';
import type { Clock } from '../../src/shared/clock.js';
import type { TestApp } from './test-app.js';
import { testMasterKey } from './test-app.js';
import { createTestStore } from './test-store.js';

/**
 * Like createTestApp, with a hook to register extra routes before the app is ready (e.g. an `ais`-scoped
 * route for scope tests) and Fastify server options (https for mTLS).
 */
export async function createOAuthTestApp(
  options: {
    env?: Record<string, string>;
    clock?: Clock;
    server?: Record<string, unknown>;
    beforeReady?: (app: FastifyInstance, services: Services) => void;
  } = {},
): Promise<TestApp & { logs: Record<string, unknown>[] }> {
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
    FERRY_MASTER_KEY: testMasterKey.toString('hex'),
    ...options.env,
  });
  const { app, services } = await buildApp(config, {
    store,
    masterKey: testMasterKey,
    ...(options.clock ? { clock: options.clock } : {}),
    // Captured, so tests can read why the authorization server refused a request.
    server: { logger: { level: 'info', stream }, ...options.server },
  });
  options.beforeReady?.(app, services);
  await app.ready();
  let n = 0;
  return {
    logs,
    app,
    services,
    store,
    config,
    async client(input = {}) {
      n += 1;
      const name = input.name ?? `OAuth client ${n}`;
      const { client, clientSecret } = await services.clients.create({ name, mode: 'test', ...input });
      return { clientId: client.clientId, clientSecret, name: client.name };
    },
    async close() {
      await app.close();
      await store.close();
    },
  };
}
