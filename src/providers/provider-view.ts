import type { ApiVersion } from '../api/index.js';
import type { AisMethod, PaymentMethod } from './catalogue.types.js';
import { paymentIntentSchema } from './intent-schema.js';
import type { ProviderBody } from './providers.responses.js';
import type { VisibleProvider } from './providers.service.js';

type PaymentMethodBody = NonNullable<ProviderBody['payment_methods']>[number];
type AisMethodBody = NonNullable<ProviderBody['ais_methods']>[number];

export interface ViewOptions {
  version: ApiVersion;
  publicUrl: string;
  showValidationSchema: boolean;
}

export const logoPath = (providerId: string) => `/providers/logos/${providerId}.svg`;

/** A provider as the FinqLink API returns it (snake_case; connector settings are never exposed). */
export function providerView(visible: VisibleProvider, o: ViewOptions): ProviderBody {
  const { provider, paymentMethods, aisMethods } = visible;
  const view: ProviderBody = {
    provider_id: provider.providerId,
    name: provider.name,
    country: provider.country,
    bic: provider.bic,
    logo_url: `${o.publicUrl}${logoPath(provider.providerId)}`,
  };
  if (paymentMethods) view.payment_methods = paymentMethods.map((m) => paymentMethodView(m, o));
  if (aisMethods) view.ais_methods = aisMethods.map(aisMethodView);
  return view;
}

function paymentMethodView(m: PaymentMethod, o: ViewOptions): PaymentMethodBody {
  return {
    method_id: m.methodId,
    name: m.name,
    // The seed's one breaking change: v1 has one remitter type per method (the primary, listed first).
    remitter_type: o.version === 'v1' ? m.remitterType[0]! : [...m.remitterType],
    payment_scheme: m.paymentScheme,
    env: m.env,
    currencies: [...m.currencies],
    inputs: { ...m.inputs },
    features: { debtor_iban_input: 'debtor_iban' in m.inputs, psu_id_input: 'psu_id' in m.inputs },
    ...(o.showValidationSchema ? { validation_schema: paymentIntentSchema(m) } : {}),
  };
}

function aisMethodView(m: AisMethod): AisMethodBody {
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
