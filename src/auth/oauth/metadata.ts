import { oauthScopes } from './client-metadata.js';

/** Members of oidc-provider's discovery document that describe a client-credentials-only server (RFC 8414). */
const kept = [
  'issuer',
  'token_endpoint',
  'jwks_uri',
  'token_endpoint_auth_methods_supported',
  'token_endpoint_auth_signing_alg_values_supported',
  'tls_client_certificate_bound_access_tokens',
  'mtls_endpoint_aliases',
] as const;

/**
 * RFC 8414 metadata from the library's OpenID discovery document: the OpenID Connect and interactive-flow
 * members go (Ferry serves neither), and the grant and response types say what is actually served.
 */
export function authorizationServerMetadata(discovery: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of kept) {
    if (discovery[key] !== undefined) out[key] = discovery[key];
  }
  // The library always adds `openid`; Ferry issues only its own scopes.
  out.scopes_supported = [...oauthScopes];
  out.grant_types_supported = ['client_credentials'];
  // Required by RFC 8414; empty because there is no authorization endpoint.
  out.response_types_supported = [];
  return out;
}
