import type { BankEndpoint } from '../connectors/index.js';
import {
  type AisMethod,
  type AisMethodFilter,
  type Env,
  envsForMode,
  type ModeScope,
  type PaymentMethod,
  type PaymentMethodFilter,
  type Provider,
} from './catalogue.types.js';
import {
  checkPaymentIntent,
  type IntentCheck,
  type IntentSchemaOptions,
  type JsonSchema,
  paymentIntentSchema,
} from './intent-schema.js';

/** The providers catalogue: read-only, loaded once at start (see loadCatalogue). */
export interface Catalogue {
  /** Every provider, in catalogue order, whatever its envs. */
  readonly providers: readonly Provider[];
  provider(providerId: string): Provider | undefined;
  paymentMethod(methodId: string): PaymentMethod | undefined;
  aisMethod(methodId: string): AisMethod | undefined;
  /** Payment methods visible in `mode` (test → sandbox, live → stage/prod) that match every filter key. */
  findPaymentMethods(filter: PaymentMethodFilter, mode: ModeScope): PaymentMethod[];
  /** AIS methods visible in `mode` that match every filter key. */
  findAisMethods(filter: AisMethodFilter, mode: ModeScope): AisMethod[];
  /**
   * Where the connector reaches a provider in one env, `{public_url}` resolved. Throws when the provider has
   * no connector for that env (a method of the catalogue always has one: the loader checks it).
   */
  bankEndpoint(providerId: string, env: Env, publicUrl: string): BankEndpoint;
  /** The NextGenPSD2 payment product for a method and currency (e.g. bt_ro RON → `ron-payment`). */
  paymentProduct(method: PaymentMethod, currency: string): string;
  /** JSON Schema of `single_transfer` for a method (what show_validation_schema returns). */
  intentSchema(method: PaymentMethod, options?: IntentSchemaOptions): JsonSchema;
  /** Checks a `single_transfer` against the method; a failure names the field. */
  validateIntent(method: PaymentMethod, intent: unknown, options?: IntentSchemaOptions): IntentCheck;
}

export function createCatalogue(providers: readonly Provider[]): Catalogue {
  const list = Object.freeze([...providers]);
  const byId = new Map(list.map((p) => [p.providerId, p]));
  const payments = new Map(list.flatMap((p) => p.paymentMethods.map((m) => [m.methodId, m] as const)));
  const ais = new Map(list.flatMap((p) => p.aisMethods.map((m) => [m.methodId, m] as const)));

  return {
    providers: list,
    provider: (id) => byId.get(id),
    paymentMethod: (id) => payments.get(id),
    aisMethod: (id) => ais.get(id),

    findPaymentMethods(filter, mode) {
      const envs = envsWithin(mode, filter.env);
      const providerIds = asSet(filter.providerId);
      const remitters = asSet(filter.remitterType);
      const schemes = asSet(filter.paymentScheme);
      const currency = filter.currency?.toUpperCase();
      return [...payments.values()].filter(
        (m) =>
          envs.includes(m.env) &&
          (!providerIds || providerIds.has(m.providerId)) &&
          (!remitters || m.remitterType.some((r) => remitters.has(r))) &&
          (!schemes || schemes.has(m.paymentScheme)) &&
          (!currency || m.currencies.includes(currency)),
      );
    },

    findAisMethods(filter, mode) {
      const envs = envsWithin(mode, filter.interfaceEnv);
      const providerIds = asSet(filter.providerId);
      const owners = asSet(filter.accountOwnerType);
      return [...ais.values()].filter(
        (m) =>
          envs.includes(m.interfaceEnv) &&
          (!providerIds || providerIds.has(m.providerId)) &&
          (!owners || m.accountOwnerType.some((o) => owners.has(o))) &&
          (filter.interfaceType === undefined || m.interfaceType === filter.interfaceType),
      );
    },

    bankEndpoint(providerId, env, publicUrl) {
      const connector = byId.get(providerId)?.connectors[env];
      if (!connector) throw new Error(`The catalogue has no ${env} connector for provider "${providerId}".`);
      return {
        providerId,
        baseUrl: connector.baseUrlTemplate.replaceAll('{public_url}', publicUrl.replace(/\/+$/, '')),
        paymentProducts: connector.paymentProducts,
        requiresSignature: connector.requiresSignature,
        timeoutMs: connector.timeoutMs,
        ...(connector.tls ? { tls: connector.tls } : {}),
      };
    },

    paymentProduct(method, currency) {
      const products = byId.get(method.providerId)?.connectors[method.env]?.paymentProducts ?? {};
      const product = resolveProduct(products, method.paymentScheme, currency);
      if (!product) {
        throw new Error(`No payment product for ${method.methodId} (${method.paymentScheme}, ${currency}).`);
      }
      return product;
    },

    intentSchema: (method, options) => paymentIntentSchema(method, options),
    validateIntent: (method, intent, options) => checkPaymentIntent(method, intent, options),
  };
}

/** `<scheme>:<CURRENCY>` wins over `<scheme>`. */
export function resolveProduct(
  products: Readonly<Record<string, string>>,
  scheme: string,
  currency: string,
): string | undefined {
  return products[`${scheme}:${currency.toUpperCase()}`] ?? products[scheme];
}

function envsWithin(mode: ModeScope, env: Env | undefined): readonly Env[] {
  const allowed = envsForMode[mode];
  return env === undefined ? allowed : allowed.filter((e) => e === env);
}

/** undefined for "no constraint": an absent key or an empty list. */
function asSet<T extends string>(value: T | readonly T[] | undefined): Set<T> | undefined {
  if (value === undefined) return undefined;
  const items = typeof value === 'string' ? [value] : value;
  return items.length > 0 ? new Set(items) : undefined;
}
