import type { FastifyInstance } from 'fastify';
import { buildOperatorApp } from '../../src/operator/index.js';
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
