export type { ClientView, CreatedClientView } from './client.view.js';
export { readOperatorEndpoint, writeOperatorEndpoint } from './endpoint-file.js';
export type { ClientInput } from './operator.schema.js';
export type { Actor, AuditView, Operator, OperatorDeps } from './operator.service.js';
export { createOperator } from './operator.service.js';
export { buildOperatorApp, OPERATOR_BASE } from './operator-app.js';
export { createRemoteOperator } from './remote.js';
