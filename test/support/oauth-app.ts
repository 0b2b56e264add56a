import type { FastifyInstance } from 'fastify';
import type { Services } from '../../src/services.js';
import type { Clock } from '../../src/shared/clock.js';
import { createTestApp, type TestApp } from './test-app.js';

/** createTestApp with captured logs, extra routes registered before ready, and server options (https for mTLS). */
export function createOAuthTestApp(
  options: {
    env?: Record<string, string>;
    clock?: Clock;
    server?: Record<string, unknown>;
    beforeReady?: (app: FastifyInstance, services: Services) => void;
  } = {},
): Promise<TestApp> {
  const { beforeReady, ...rest } = options;
  return createTestApp({ ...rest, captureLogs: true, ...(beforeReady ? { routes: beforeReady } : {}) });
}
