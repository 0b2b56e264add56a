import { userInfo } from 'node:os';
import { parseConfig, resolveOperatorToken } from '../config/index.js';
import { createRemoteOperator, type Operator, readOperatorEndpoint } from '../operator/index.js';
import type { Services } from '../services.js';
import { dataDirHolder } from '../store/index.js';
import type { CliIo } from './io.js';

/** Opens what a one-shot command needs; tests pass one that hands over services they already hold. */
export type ServicesOpener = (io: CliIo) => Promise<{ services: Services; close(): Promise<void> }>;

export type OperatorOpener = (io: CliIo) => Promise<{ operator: Operator; close(): Promise<void> }>;

const cliActor = () => {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (a container): keep "unknown"
  }
  return `cli:${user}`;
};

/**
 * Where `ferry clients ...` and `ferry keys ...` act:
 * - FERRY_ADMIN_URL set: that server's operator API;
 * - an embedded data folder held by a running `ferry start`: its operator API (found in `<dataDir>/admin.json`,
 *   with the token of `<dataDir>/admin.token` or FERRY_ADMIN_TOKEN), since PGlite opens in one process only;
 * - otherwise the database itself (PostgreSQL is shared by design; an embedded folder nobody holds).
 * Every path goes through the same `Operator`, so each change is audit-logged the same way.
 */
export const openOperator: OperatorOpener = async (io) => {
  const config = parseConfig(io.env, io.cwd);
  const as = cliActor();
  const holder = config.databaseUrl ? undefined : dataDirHolder(config.dataDir);
  const endpoint = holder ? readOperatorEndpoint(config.dataDir) : undefined;
  const url = config.admin.url ?? (endpoint?.pid === holder ? endpoint?.url : undefined);
  if (url) {
    return {
      operator: createRemoteOperator({ url, token: resolveOperatorToken(config), as }),
      close: async () => {},
    };
  }
  const { openRuntime } = await import('../runtime.js');
  const runtime = await openRuntime(config);
  return { operator: runtime.services.operator({ who: as }), close: runtime.close };
};

export const operatorOver =
  (open: ServicesOpener): OperatorOpener =>
  async (io) => {
    const runtime = await open(io);
    return { operator: runtime.services.operator({ who: cliActor() }), close: runtime.close };
  };

export async function withOperator<T>(
  io: CliIo,
  open: OperatorOpener,
  fn: (operator: Operator) => Promise<T>,
): Promise<T> {
  const session = await open(io);
  try {
    return await fn(session.operator);
  } finally {
    await session.close();
  }
}
