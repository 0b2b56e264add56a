import type { ApiClient, ClientSettings, CreatedClient, JwkSet, UpdateClientInput } from '../auth/index.js';
import type { ClientInput } from './operator.schema.js';

/** An API client as the operator API, the CLI's `--json` and the console show it: every setting, no secret. */
export function clientView(c: ApiClient) {
  return {
    client_id: c.clientId,
    name: c.name,
    mode: c.mode,
    enabled: !c.disabled,
    scopes: c.scopes,
    client_app_key: c.clientAppKey,
    token_endpoint_auth_method: c.tokenEndpointAuthMethod,
    ux_template: c.uxTemplate,
    webhook_url: c.webhookUrl,
    tracking_required: c.trackingRequired,
    redirect_uris: c.redirectUris,
    frame_ancestors: c.frameAncestors,
    jwks: c.jwks,
    tls_subject_dn: c.tlsSubjectDn,
    tls_cert_thumbprint: c.tlsCertThumbprint,
    v1s_identity: c.v1sIdentity,
    v1s_keys: c.v1sJwks,
    created_at: c.createdAt.toISOString(),
  };
}
export type ClientView = ReturnType<typeof clientView>;

export const createdClientView = (created: CreatedClient) => ({
  ...clientView(created.client),
  client_secret: created.clientSecret,
});
export type CreatedClientView = ReturnType<typeof createdClientView>;

/** The wire input (snake_case, as the CLI and the operator API send it) as the clients service takes it. */
export function settingsOf(input: ClientInput): UpdateClientInput & ClientSettings {
  return {
    name: input.name,
    scopes: input.scopes as ClientSettings['scopes'],
    webhookUrl: input.webhook_url,
    uxTemplate: input.ux_template,
    jwks: input.jwks as JwkSet | null | undefined,
    tokenEndpointAuthMethod: input.token_endpoint_auth_method,
    tlsSubjectDn: input.tls_subject_dn,
    tlsCertThumbprint: input.tls_cert_thumbprint,
    trackingRequired: input.tracking_required,
    redirectUris: input.redirect_uris,
    frameAncestors: input.frame_ancestors,
    v1sIdentity: input.v1s_identity,
    v1sJwks: input.v1s_keys as JwkSet | null | undefined,
    disabled: input.enabled === undefined ? undefined : !input.enabled,
  };
}

/** The names of the settings a call gives (what the audit log records: never their values). */
export const fieldsOf = (input: object) =>
  Object.entries(input)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k)
    .sort();
