import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { type ApiVersion, type RpcDeps, registerRpc } from '../api/index.js';
import { ApiError } from '../shared/errors.js';
import type { Catalogue } from './catalogue.js';
import { envs, remitterTypes } from './catalogue.types.js';
import { providerView } from './provider-view.js';
import { providerGetOf, providerListOf } from './providers.responses.js';
import { getProvider, listProviders, type ProvidersQuery } from './providers.service.js';

const flag = (description: string) => Type.Optional(Type.Boolean({ description }));

const AisMethodsFilter = Type.Object(
  {
    account_owner_type: Type.Optional(
      Type.Array(Type.Enum(remitterTypes), { maxItems: 2, description: 'retail and/or corporate' }),
    ),
    interface_type: Type.Optional(
      Type.String({ minLength: 1, maxLength: 32, description: 'e.g. berlingroup' }),
    ),
    interface_env: Type.Optional(Type.Enum(envs, { description: 'sandbox, stage or prod' })),
  },
  { description: 'Narrows ais_methods (v2 and /test).' },
);

// Unknown option names are accepted and ignored: FinqLink clients may send options Ferry does not know yet.
const optionFields = {
  show_payment_methods: flag("Include each provider's payment methods."),
  show_ais_methods: flag('Include AIS methods (v2 and /test; ignored on v1).'),
  show_validation_schema: flag(
    'Include a JSON Schema of single_transfer per payment method (implies methods).',
  ),
  ais_methods_filter: Type.Optional(AisMethodsFilter),
};

const ListBody = Type.Object({ options: Type.Optional(Type.Object(optionFields)) });
const GetBody = Type.Object({
  provider_id: Type.String({ minLength: 1, maxLength: 64, description: 'e.g. rzb_ro, bt_ro, cec_ro' }),
  options: Type.Optional(Type.Object(optionFields)),
});

type Options = NonNullable<Static<typeof ListBody>['options']>;

/** What a path may see: /test the sandbox, /v1 and /v2 stage and prod; AIS from v2 on. */
const queryOf = (options: Options | undefined, version: ApiVersion): ProvidersQuery => ({
  mode: version === 'test' ? 'test' : 'live',
  withAis: version !== 'v1',
  showPaymentMethods: options?.show_payment_methods,
  showAisMethods: options?.show_ais_methods,
  showValidationSchema: options?.show_validation_schema,
  aisFilter: options?.ais_methods_filter && {
    ...(options.ais_methods_filter.account_owner_type
      ? { accountOwnerType: options.ais_methods_filter.account_owner_type }
      : {}),
    ...(options.ais_methods_filter.interface_type !== undefined
      ? { interfaceType: options.ais_methods_filter.interface_type }
      : {}),
    ...(options.ais_methods_filter.interface_env
      ? { interfaceEnv: options.ais_methods_filter.interface_env }
      : {}),
  },
});

/** What the providers API runs on: the API guards, the catalogue, and the public base of logo URLs. */
export interface ProvidersRouteDeps extends RpcDeps {
  catalogue: Catalogue;
  publicUrl: string;
}

export function registerProvidersApi(app: FastifyInstance, deps: ProvidersRouteDeps): void {
  const { catalogue, publicUrl } = deps;
  const viewOptions = (options: Options | undefined, version: ApiVersion) => ({
    version,
    publicUrl,
    showValidationSchema: options?.show_validation_schema ?? false,
  });
  registerRpc(app, deps, {
    path: '/providers/list',
    versions: ['v1', 'v2', 'test'],
    scope: 'any',
    summary: 'List providers and their payment and AIS methods',
    tag: 'Providers',
    body: ListBody,
    response: providerListOf,
    handler: async ({ body, version }) => ({
      providers: listProviders(catalogue, queryOf(body.options, version)).map((p) =>
        providerView(p, viewOptions(body.options, version)),
      ),
    }),
  });
  registerRpc(app, deps, {
    path: '/providers/get',
    versions: ['v2', 'test'],
    scope: 'any',
    summary: 'Get one provider with its methods and validation schemas',
    tag: 'Providers',
    body: GetBody,
    response: providerGetOf,
    errors: [404],
    handler: async ({ body, version }) => {
      const provider = getProvider(catalogue, body.provider_id, queryOf(body.options, version));
      if (!provider) {
        throw new ApiError(
          'not_found',
          `Provider ${body.provider_id} was not found${version === 'test' ? ' in the sandbox' : ''}.`,
        );
      }
      return { provider: providerView(provider, viewOptions(body.options, version)) };
    },
  });
}
