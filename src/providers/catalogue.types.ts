/**
 * The providers catalogue as the rest of Ferry sees it (camelCase domain values). The file format and the API
 * responses are snake_case; see catalogue-file.schema.ts and provider-view.ts for those.
 */

export const envs = ['sandbox', 'stage', 'prod'] as const;
/** `sandbox`: Ferry's own sandbox bank; `stage`: a bank's test environment; `prod`: the real bank. */
export type Env = (typeof envs)[number];

export const remitterTypes = ['retail', 'corporate'] as const;
export type RemitterType = (typeof remitterTypes)[number];
/** AIS account owners use the same two values as payment remitters. */
export type AccountOwnerType = RemitterType;

export const paymentSchemes = ['instant', 'domestic', 'sepa'] as const;
export type PaymentScheme = (typeof paymentSchemes)[number];

/** Debtor-side values a payment method may need before the bank call. */
export const methodInputs = ['debtor_iban', 'psu_id'] as const;
export type MethodInput = (typeof methodInputs)[number];

/**
 * `required`: the method cannot start without it; `optional`: passed to the bank when known; `one_of`: at
 * least one of the inputs marked `one_of` is needed (rzb_ro: debtor IBAN and/or PSU ID). The API client may
 * send these, otherwise the WebUI asks the payer.
 */
export const inputRules = ['required', 'optional', 'one_of'] as const;
export type InputRule = (typeof inputRules)[number];

/** `test` (the /test paths) sees sandbox methods only; `live` (/v1, /v2) sees stage and prod. */
export type Mode = 'test' | 'live';
/** `any` is for operator views such as the public dashboard, which show every env. */
export type ModeScope = Mode | 'any';

export const envsForMode: Readonly<Record<ModeScope, readonly Env[]>> = {
  test: ['sandbox'],
  live: ['stage', 'prod'],
  any: envs,
};

export interface Logo {
  /** 1–3 characters drawn on the tile, e.g. "BT". */
  text: string;
  /** #rrggbb */
  background: string;
  /** #rrggbb */
  foreground: string;
}

export interface ConnectorSettings {
  /** May contain `{public_url}` (the sandbox bank is mounted inside Ferry). */
  baseUrlTemplate: string;
  /**
   * `<scheme>:<CURRENCY>` or `<scheme>` → NextGenPSD2 payment-product path segment; the currency-specific key
   * wins. E.g. bt_ro: `domestic:RON` → `ron-payment`, `domestic` → `other-currency-payment`.
   */
  paymentProducts: Readonly<Record<string, string>>;
  requiresSignature: boolean;
  timeoutMs: number;
  /** QWAC for mTLS to the bank, read from the files named in the catalogue. */
  tls: { cert: string; key: string; ca?: string } | undefined;
}

export interface PaymentMethod {
  methodId: string;
  providerId: string;
  /** The provider's country (ISO 3166 alpha-2); domestic IBAN rules depend on it. */
  country: string;
  name: string;
  env: Env;
  /** Primary type first: v1 responses show only the first. */
  remitterType: readonly RemitterType[];
  paymentScheme: PaymentScheme;
  currencies: readonly string[];
  inputs: Readonly<Partial<Record<MethodInput, InputRule>>>;
}

export interface AisMethod {
  methodId: string;
  providerId: string;
  name: string;
  accountOwnerType: readonly AccountOwnerType[];
  /** e.g. `berlingroup` (NextGenPSD2). */
  interfaceType: string;
  interfaceEnv: Env;
  maxConsentValidityDays: number;
  frequencyPerDay: number;
}

export interface Provider {
  providerId: string;
  name: string;
  country: string;
  bic: string;
  logo: Logo;
  connectors: Readonly<Partial<Record<Env, ConnectorSettings>>>;
  paymentMethods: readonly PaymentMethod[];
  aisMethods: readonly AisMethod[];
}

/** Every key narrows the result; an absent key or an empty array does not. */
export interface PaymentMethodFilter {
  providerId?: string | readonly string[];
  /** Matches methods that accept at least one of these remitter types. */
  remitterType?: RemitterType | readonly RemitterType[];
  paymentScheme?: PaymentScheme | readonly PaymentScheme[];
  /** Narrows within the mode: `env: 'prod'` in test mode matches nothing. */
  env?: Env;
  /** ISO 4217; matches methods that support it. */
  currency?: string;
}

export interface AisMethodFilter {
  providerId?: string | readonly string[];
  /** Matches methods serving at least one of these owner types. */
  accountOwnerType?: AccountOwnerType | readonly AccountOwnerType[];
  interfaceType?: string;
  /** Narrows within the mode, like PaymentMethodFilter.env. */
  interfaceEnv?: Env;
}
