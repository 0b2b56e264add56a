import type { ClientMetadata } from 'oidc-provider';
import { type ClientScope, oauthScopeOf } from '../client.js';

/** The api_clients columns the authorization server needs. */
export interface OAuthClientRow {
  clientId: string;
  scopes: readonly string[];
  secretHash: string;
  tokenEndpointAuthMethod:
    | 'client_secret_basic'
    | 'client_secret_post'
    | 'private_key_jwt'
    | 'tls_client_auth';
  jwks: { keys: Record<string, unknown>[] } | null;
  tlsSubjectDn: string | null;
  tlsCertThumbprint: string | null;
  disabled: boolean;
}

/** Every OAuth scope Ferry issues. */
export const oauthScopes = ['pay_by_link', 'ais'] as const;

/** Extra client metadata: the base64url SHA-256 of the one certificate a client's tokens may be bound to. */
export const certThumbprintProperty = 'ferry_tls_cert_thumbprint';

export const secretMethods = new Set(['client_secret_basic', 'client_secret_post']);

/** OAuth scope names a client may receive (`pay` → `pay_by_link`, `ais` → `ais`). */
export function allowedOAuthScopes(scopes: readonly string[]): string[] {
  return scopes.filter((s): s is ClientScope => s in oauthScopeOf).map((s) => oauthScopeOf[s]);
}

/**
 * oidc-provider client metadata built from an api_clients row, or undefined when the client cannot obtain
 * tokens here: disabled, no scope, or it needs mTLS (certificate auth or a certificate binding) and this server
 * has no client CA — failing closed rather than issuing unbound tokens to a client registered for binding.
 * `client_secret` is the scrypt hash; Ferry's compareClientSecret verifies the presented secret against it.
 */
export function clientMetadata(row: OAuthClientRow, mtls: boolean): ClientMetadata | undefined {
  const scope = allowedOAuthScopes(row.scopes);
  if (row.disabled || scope.length === 0) return undefined;
  const method = row.tokenEndpointAuthMethod;
  const certBound = method === 'tls_client_auth' || row.tlsCertThumbprint !== null;
  if (certBound && !mtls) return undefined;
  if (method === 'private_key_jwt' && !row.jwks?.keys?.length) return undefined;
  if (method === 'tls_client_auth' && !row.tlsSubjectDn) return undefined;

  const metadata: ClientMetadata = {
    client_id: row.clientId,
    token_endpoint_auth_method: method,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    scope: scope.join(' '),
  };
  if (secretMethods.has(method)) metadata.client_secret = row.secretHash;
  if (method === 'private_key_jwt') metadata.jwks = { keys: row.jwks!.keys as never[] };
  if (method === 'tls_client_auth') metadata.tls_client_auth_subject_dn = row.tlsSubjectDn!;
  if (certBound) metadata.tls_client_certificate_bound_access_tokens = true;
  if (row.tlsCertThumbprint) metadata[certThumbprintProperty] = row.tlsCertThumbprint;
  return metadata;
}
