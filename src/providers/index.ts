import type { FastifyInstance } from 'fastify';
import { registerDashboardRoutes } from './dashboard.routes.js';
import { type ProvidersRouteDeps, registerProvidersApi } from './providers.routes.js';

export type { BankCallLog, BankCallRow, BankHealthRow } from './bank-calls.js';
export { createBankCallLog } from './bank-calls.js';
export type { Catalogue } from './catalogue.js';
export { createCatalogue, resolveProduct } from './catalogue.js';
export { builtinCatalogueFile, CatalogueError, loadCatalogue } from './catalogue.loader.js';
export type {
  AccountOwnerType,
  AisMethod,
  AisMethodFilter,
  ConnectorSettings,
  Env,
  InputRule,
  Logo,
  MethodInput,
  Mode,
  ModeScope,
  PaymentMethod,
  PaymentMethodFilter,
  PaymentScheme,
  Provider,
  RemitterType,
} from './catalogue.types.js';
export {
  envs,
  envsForMode,
  inputRules,
  methodInputs,
  paymentSchemes,
  remitterTypes,
} from './catalogue.types.js';
export type { DashboardRow } from './dashboard.view.js';
export { dashboardRows, parseDashboardQuery } from './dashboard.view.js';
export type { IntentCheck, IntentSchemaOptions, JsonSchema } from './intent-schema.js';
export { amountPattern } from './intent-schema.js';
export { paymentMethodFieldsOf } from './providers.responses.js';
/** The FinqLink providers endpoints, the provider logos and the public dashboard. */
export type { ProvidersRouteDeps } from './providers.routes.js';

export function registerProviderRoutes(app: FastifyInstance, deps: ProvidersRouteDeps): void {
  registerProvidersApi(app, deps);
  registerDashboardRoutes(app, deps);
}
