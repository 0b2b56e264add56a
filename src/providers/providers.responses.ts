import { type Static, Type } from 'typebox';
import type { ApiVersion } from '../api/index.js';
import { FreeForm } from '../api/index.js';

/** The answers of providers/list and providers/get, per API version (v1: one remitter type, no AIS). */

/** A payment method as every answer names it (links/get shows these; providers/* add inputs and features). */
export const paymentMethodFieldsOf = (version: ApiVersion) => ({
  method_id: Type.String(),
  name: Type.String(),
  remitter_type:
    version === 'v1'
      ? Type.String({ description: 'the primary remitter type (v1)' })
      : Type.Array(Type.String()),
  payment_scheme: Type.String(),
  env: Type.String(),
  currencies: Type.Array(Type.String()),
});

const paymentMethodOf = (version: ApiVersion) =>
  Type.Object({
    ...paymentMethodFieldsOf(version),
    inputs: FreeForm('per input (debtor_iban, psu_id): required, optional or one_of'),
    features: Type.Object({ debtor_iban_input: Type.Boolean(), psu_id_input: Type.Boolean() }),
    validation_schema: Type.Optional(FreeForm('JSON Schema of single_transfer (show_validation_schema)')),
  });

const AisMethod = Type.Object({
  method_id: Type.String(),
  name: Type.String(),
  account_owner_type: Type.Array(Type.String()),
  interface_type: Type.String(),
  interface_env: Type.String(),
  max_consent_validity_days: Type.Integer(),
  frequency_per_day: Type.Integer(),
});

export const providerOf = (version: ApiVersion) =>
  Type.Object({
    provider_id: Type.String(),
    name: Type.String(),
    country: Type.String(),
    bic: Type.String(),
    logo_url: Type.String(),
    payment_methods: Type.Optional(Type.Array(paymentMethodOf(version))),
    ais_methods: Type.Optional(Type.Array(AisMethod)),
  });

export type ProviderBody = Static<ReturnType<typeof providerOf>>;

export const providerListOf = (version: ApiVersion) =>
  Type.Object({ providers: Type.Array(providerOf(version)) });
export const providerGetOf = (version: ApiVersion) => Type.Object({ provider: providerOf(version) });
