import type { Catalogue } from './catalogue.js';
import type { AccountOwnerType, AisMethod, Env, Mode, PaymentMethod, Provider } from './catalogue.types.js';

/** What a caller may see of the catalogue: one mode's methods, AIS only where the API version has it. */
export interface ProvidersQuery {
  mode: Mode;
  /** False on v1, which has no AIS. */
  withAis: boolean;
  showPaymentMethods?: boolean | undefined;
  showAisMethods?: boolean | undefined;
  /** Per payment method; implies showPaymentMethods. */
  showValidationSchema?: boolean | undefined;
  aisFilter?:
    | { accountOwnerType?: AccountOwnerType[]; interfaceType?: string; interfaceEnv?: Env }
    | undefined;
}

/** A provider with the methods asked for (undefined: not asked for, so the view leaves the key out). */
export interface VisibleProvider {
  provider: Provider;
  paymentMethods: readonly PaymentMethod[] | undefined;
  aisMethods: readonly AisMethod[] | undefined;
}

/**
 * Providers visible in a mode: those with at least one method in it (test: sandbox; live: stage and prod). AIS
 * methods count only where the version has AIS. ais_methods_filter narrows the AIS methods shown, never the
 * providers listed.
 */
export function listProviders(catalogue: Catalogue, q: ProvidersQuery): VisibleProvider[] {
  return catalogue.providers.flatMap((p) => {
    const visible = visibleProvider(catalogue, p, q);
    return visible ? [visible] : [];
  });
}

/** undefined when the provider is unknown or has nothing in this mode (the caller answers 404). */
export function getProvider(
  catalogue: Catalogue,
  providerId: string,
  q: ProvidersQuery,
): VisibleProvider | undefined {
  const provider = catalogue.provider(providerId);
  return provider ? visibleProvider(catalogue, provider, q) : undefined;
}

function visibleProvider(catalogue: Catalogue, p: Provider, q: ProvidersQuery): VisibleProvider | undefined {
  const { mode, withAis } = q;
  const payments = catalogue.findPaymentMethods({ providerId: p.providerId }, mode);
  const ais = withAis ? catalogue.findAisMethods({ providerId: p.providerId }, mode) : [];
  if (payments.length === 0 && ais.length === 0) return undefined;
  const filter = q.aisFilter ?? {};
  return {
    provider: p,
    paymentMethods: q.showPaymentMethods || q.showValidationSchema ? payments : undefined,
    aisMethods:
      withAis && q.showAisMethods
        ? catalogue.findAisMethods(
            {
              providerId: p.providerId,
              ...(filter.accountOwnerType ? { accountOwnerType: filter.accountOwnerType } : {}),
              ...(filter.interfaceType !== undefined ? { interfaceType: filter.interfaceType } : {}),
              ...(filter.interfaceEnv ? { interfaceEnv: filter.interfaceEnv } : {}),
            },
            mode,
          )
        : undefined,
  };
}
