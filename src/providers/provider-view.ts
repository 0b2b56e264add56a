import type { ApiVersion } from '../api/index.js';
import type { AisMethod, PaymentMethod, Provider } from './catalogue.types.js';
import { paymentIntentSchema } from './intent-schema.js';

export interface ViewOptions {
  version: ApiVersion;
  publicUrl: string;
  /** undefined: leave the key out (the option was not asked for). */
  paymentMethods: readonly PaymentMethod[] | undefined;
  /** undefined: leave the key out; always undefined on v1, which has no AIS. */
  aisMethods: readonly AisMethod[] | undefined;
  showValidationSchema: boolean;
}

export const logoPath = (providerId: string) => `/providers/logos/${providerId}.svg`;

/** A provider as the FinqLink API returns it (snake_case; connector settings are never exposed). */
export function providerView(provider: Provider, o: ViewOptions): Record<string, unknown> {
  const view: Record<string, unknown> = {
    provider_id: provider.providerId,
    name: provider.name,
    country: provider.country,
    bic: provider.bic,
    logo_url: `${o.publicUrl}${logoPath(provider.providerId)}`,
  };
  if (o.paymentMethods) view.payment_methods = o.paymentMethods.map((m) => paymentMethodView(m, o));
  if (o.aisMethods) view.ais_methods = o.aisMethods.map(aisMethodView);
  return view;
}

function paymentMethodView(m: PaymentMethod, o: ViewOptions): Record<string, unknown> {
  return {
    method_id: m.methodId,
    name: m.name,
    // The seed's one breaking change: v1 has one remitter type per method (the primary, listed first).
    remitter_type: o.version === 'v1' ? m.remitterType[0] : [...m.remitterType],
    payment_scheme: m.paymentScheme,
    env: m.env,
    currencies: [...m.currencies],
    inputs: { ...m.inputs },
    features: { debtor_iban_input: 'debtor_iban' in m.inputs, psu_id_input: 'psu_id' in m.inputs },
    ...(o.showValidationSchema ? { validation_schema: paymentIntentSchema(m) } : {}),
  };
}

function aisMethodView(m: AisMethod): Record<string, unknown> {
  return {
    method_id: m.methodId,
    name: m.name,
    account_owner_type: [...m.accountOwnerType],
    interface_type: m.interfaceType,
    interface_env: m.interfaceEnv,
    max_consent_validity_days: m.maxConsentValidityDays,
    frequency_per_day: m.frequencyPerDay,
  };
}
