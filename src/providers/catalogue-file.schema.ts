import { type Static, type TSchema, Type } from 'typebox';
import { envs, inputRules, paymentSchemes, remitterTypes } from './catalogue.types.js';

/**
 * The catalogue file format (JSON or YAML). The built-in catalogue/providers.json must satisfy
 * `CatalogueFileSchema`; an operator file (FERRY_PROVIDERS_FILE) is a `CataloguePatchFileSchema`, whose entries
 * only need their ids when they change an existing provider or method.
 */

const providerId = Type.String({ pattern: '^[a-z][a-z0-9_]{1,31}$' });
const methodId = Type.String({ pattern: '^[a-z][a-z0-9_]{1,63}$' });
const name = Type.String({ minLength: 1, maxLength: 100 });
const colour = Type.String({ pattern: '^#[0-9A-Fa-f]{6}$' });
const currency = Type.String({ pattern: '^[A-Z]{3}$' });
const ownerTypes = Type.Array(Type.Enum(remitterTypes), { minItems: 1, maxItems: 2, uniqueItems: true });

const logoFields = {
  text: Type.String({ pattern: '^[A-Za-z0-9&]{1,3}$' }),
  background: colour,
  foreground: colour,
};

const connectorFields = {
  base_url: Type.String({ minLength: 1, maxLength: 500 }),
  payment_products: Type.Record(
    Type.String({ pattern: '^(instant|domestic|sepa)(:[A-Z]{3})?$' }),
    Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }),
  ),
  requires_signature: Type.Optional(Type.Boolean()),
  timeout_ms: Type.Optional(Type.Integer({ minimum: 100, maximum: 120_000 })),
  /** PEM files for mTLS (QWAC), relative to the catalogue file. */
  tls: Type.Optional(
    Type.Object(
      {
        cert_file: Type.String({ minLength: 1 }),
        key_file: Type.String({ minLength: 1 }),
        ca_file: Type.Optional(Type.String({ minLength: 1 })),
      },
      { additionalProperties: false },
    ),
  ),
};

const paymentMethodFields = {
  method_id: methodId,
  name,
  env: Type.Enum(envs),
  remitter_type: ownerTypes,
  payment_scheme: Type.Enum(paymentSchemes),
  currencies: Type.Array(currency, { minItems: 1, maxItems: 20, uniqueItems: true }),
  inputs: Type.Optional(
    Type.Object(
      { debtor_iban: Type.Optional(Type.Enum(inputRules)), psu_id: Type.Optional(Type.Enum(inputRules)) },
      { additionalProperties: false },
    ),
  ),
};

const aisMethodFields = {
  method_id: methodId,
  name,
  account_owner_type: ownerTypes,
  interface_type: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,31}$' }),
  interface_env: Type.Enum(envs),
  max_consent_validity_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 180 })),
  frequency_per_day: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
};

const strict = { additionalProperties: false } as const;
const connectorsOf = <T extends TSchema>(connector: T) =>
  Type.Object(
    { sandbox: Type.Optional(connector), stage: Type.Optional(connector), prod: Type.Optional(connector) },
    strict,
  );

export const ConnectorSchema = Type.Object(connectorFields, strict);
export const PaymentMethodSchema = Type.Object(paymentMethodFields, strict);
export const AisMethodSchema = Type.Object(aisMethodFields, strict);

export const ProviderSchema = Type.Object(
  {
    provider_id: providerId,
    name,
    country: Type.String({ pattern: '^[A-Z]{2}$' }),
    bic: Type.String({ pattern: '^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$' }),
    logo: Type.Object(logoFields, strict),
    connectors: connectorsOf(ConnectorSchema),
    payment_methods: Type.Array(PaymentMethodSchema, { maxItems: 200 }),
    ais_methods: Type.Optional(Type.Array(AisMethodSchema, { maxItems: 50 })),
  },
  strict,
);

export const CatalogueFileSchema = Type.Object(
  { $schema: Type.Optional(Type.String()), providers: Type.Array(ProviderSchema) },
  strict,
);

const disabled = Type.Optional(Type.Boolean());

const PaymentMethodPatchSchema = Type.Object(
  { ...Type.Partial(PaymentMethodSchema).properties, method_id: methodId, disabled },
  strict,
);
const AisMethodPatchSchema = Type.Object(
  { ...Type.Partial(AisMethodSchema).properties, method_id: methodId, disabled },
  strict,
);

export const ProviderPatchSchema = Type.Object(
  {
    ...Type.Partial(ProviderSchema).properties,
    provider_id: providerId,
    logo: Type.Optional(Type.Partial(Type.Object(logoFields, strict))),
    connectors: Type.Optional(connectorsOf(Type.Partial(ConnectorSchema))),
    payment_methods: Type.Optional(Type.Array(PaymentMethodPatchSchema, { maxItems: 200 })),
    ais_methods: Type.Optional(Type.Array(AisMethodPatchSchema, { maxItems: 50 })),
    disabled,
  },
  strict,
);

export const CataloguePatchFileSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    /** true: ignore the built-in catalogue and use only this file's providers. */
    replace_builtin: Type.Optional(Type.Boolean()),
    providers: Type.Array(ProviderPatchSchema),
  },
  strict,
);

export type ConnectorEntry = Static<typeof ConnectorSchema>;
export type PaymentMethodEntry = Static<typeof PaymentMethodSchema>;
export type AisMethodEntry = Static<typeof AisMethodSchema>;
export type ProviderEntry = Static<typeof ProviderSchema>;
export type CatalogueFile = Static<typeof CatalogueFileSchema>;
export type ProviderPatch = Static<typeof ProviderPatchSchema>;
export type CataloguePatchFile = Static<typeof CataloguePatchFileSchema>;
