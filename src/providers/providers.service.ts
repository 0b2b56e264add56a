import type { ApiVersion } from '../api/index.js';
import type { Catalogue } from './catalogue.js';
import type { AccountOwnerType, Env, Mode, Provider } from './catalogue.types.js';
import { providerView } from './provider-view.js';

export interface ProvidersQuery {
  version: ApiVersion;
  publicUrl: string;
  showPaymentMethods?: boolean | undefined;
  /** Ignored on v1: AIS is v2-only. */
  showAisMethods?: boolean | undefined;
  /** Per payment method; implies showPaymentMethods. */
  showValidationSchema?: boolean | undefined;
  aisFilter?:
    | { accountOwnerType?: AccountOwnerType[]; interfaceType?: string; interfaceEnv?: Env }
    | undefined;
}

export const modeOf = (version: ApiVersion): Mode => (version === 'test' ? 'test' : 'live');

/**
 * Providers visible on this path: those with at least one method in its mode (/test: sandbox; /v1, /v2:
 * stage and prod). AIS methods count only on v2 and /test. ais_methods_filter narrows the AIS methods shown,
 * never the providers listed.
 */
export function listProviders(catalogue: Catalogue, q: ProvidersQuery): Record<string, unknown>[] {
  return catalogue.providers.flatMap((p) => {
    const view = viewIfVisible(catalogue, p, q);
    return view ? [view] : [];
  });
}

/** undefined when the provider is unknown or has nothing in this path's mode (the caller answers 404). */
export function getProvider(
  catalogue: Catalogue,
  providerId: string,
  q: ProvidersQuery,
): Record<string, unknown> | undefined {
  const provider = catalogue.provider(providerId);
  return provider ? viewIfVisible(catalogue, provider, q) : undefined;
}

function viewIfVisible(
  catalogue: Catalogue,
  p: Provider,
  q: ProvidersQuery,
): Record<string, unknown> | undefined {
  const mode = modeOf(q.version);
  const withAis = q.version !== 'v1';
  const payments = catalogue.findPaymentMethods({ providerId: p.providerId }, mode);
  const ais = withAis ? catalogue.findAisMethods({ providerId: p.providerId }, mode) : [];
  if (payments.length === 0 && ais.length === 0) return undefined;
  const filter = q.aisFilter ?? {};
  return providerView(p, {
    version: q.version,
    publicUrl: q.publicUrl,
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
    showValidationSchema: q.showValidationSchema ?? false,
  });
}
