export type { ClientView, CreatedClientView } from './client.view.js';
export { readOperatorEndpoint, writeOperatorEndpoint } from './endpoint-file.js';
export type { ClientInput } from './operator.schema.js';
export type { Actor, AuditView, Operator, OperatorDeps } from './operator.service.js';
export { createOperator } from './operator.service.js';
export { OPERATOR_BASE } from './paths.js';
export { createRemoteOperator } from './remote.js';

/**
 * The operator listener's app (operator API, console, /metrics). Fastify and the console load only when a server
 * starts its operator listener: the CLI, which imports this module for the remote client, never loads them.
 */
export async function buildOperatorApp(
  ...args: Parameters<typeof import('./operator-app.js').buildOperatorApp>
): ReturnType<typeof import('./operator-app.js').buildOperatorApp> {
  const { buildOperatorApp: build } = await import('./operator-app.js');
  return build(...args);
}
