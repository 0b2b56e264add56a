import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildOperatorApp, type OperatorDeps } from '../../src/operator/index.js';
import { createTestApp, type TestApp } from './test-app.js';

/** A test app and its operator listener (not listening: inject, or listen for a browser), with `token`. */
export async function createOperatorTestApp(
  token: string,
): Promise<{ t: TestApp; ops: FastifyInstance; close(): Promise<void> }> {
  const t = await createTestApp();
  const ops = await buildOperatorApp({ ...t.services.operatorDeps, token });
  return {
    t,
    ops,
    async close() {
      await ops.close();
      await t.close();
    },
  };
}

/** The operator app on a real loopback port (for a browser): its base URL, and close. */
export async function listenOperatorApp(
  deps: OperatorDeps,
  token: string,
): Promise<{ ops: FastifyInstance; base: string }> {
  const ops = await buildOperatorApp({ ...deps, token });
  await ops.listen({ port: 0, host: '127.0.0.1' });
  return { ops, base: `http://127.0.0.1:${(ops.server.address() as AddressInfo).port}` };
}
