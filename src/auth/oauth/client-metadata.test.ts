import { describe, expect, it } from 'vitest';
import { allowedOAuthScopes, clientMetadata, type OAuthClientRow } from './client-metadata.js';
import { authorizationServerMetadata } from './metadata.js';

const row: OAuthClientRow = {
  clientId: 'live_1',
  scopes: ['pay', 'ais'],
  secretHash: 'scrypt$32768$8$1$salt$hash',
  tokenEndpointAuthMethod: 'client_secret_basic',
  jwks: null,
  tlsSubjectDn: null,
  tlsCertThumbprint: null,
  disabled: false,
};
const jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k' }] };

describe('client metadata from an api_clients row', () => {
  it('secret client: the hash as client_secret, client credentials only, allowed scopes', () => {
    expect(clientMetadata(row, false)).toEqual({
      client_id: 'live_1',
      client_secret: row.secretHash,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      scope: 'pay_by_link ais',
    });
  });

  it('maps client scopes to OAuth scope names', () => {
    expect(allowedOAuthScopes(['pay'])).toEqual(['pay_by_link']);
    expect(allowedOAuthScopes(['ais'])).toEqual(['ais']);
    expect(allowedOAuthScopes(['ais', 'bogus'])).toEqual(['ais']);
    expect(clientMetadata({ ...row, scopes: ['ais'] }, false)?.scope).toBe('ais');
  });

  it('private_key_jwt client: its jwks and no secret', () => {
    const m = clientMetadata({ ...row, tokenEndpointAuthMethod: 'private_key_jwt', jwks }, false);
    expect(m?.jwks).toEqual(jwks);
    expect(m?.client_secret).toBeUndefined();
    expect(m?.token_endpoint_auth_method).toBe('private_key_jwt');
  });

  it('tls_client_auth client: subject DN and certificate-bound tokens, only when mTLS is on', () => {
    const tls = { ...row, tokenEndpointAuthMethod: 'tls_client_auth' as const, tlsSubjectDn: 'CN=shop' };
    expect(clientMetadata(tls, false)).toBeUndefined();
    const m = clientMetadata(tls, true);
    expect(m?.tls_client_auth_subject_dn).toBe('CN=shop');
    expect(m?.tls_client_certificate_bound_access_tokens).toBe(true);
    expect(m?.client_secret).toBeUndefined();
  });

  it('a certificate binding makes tokens bound and records the thumbprint', () => {
    const bound = { ...row, tlsCertThumbprint: 'abc' };
    expect(clientMetadata(bound, false)).toBeUndefined();
    const m = clientMetadata(bound, true);
    expect(m?.tls_client_certificate_bound_access_tokens).toBe(true);
    expect(m?.ferry_tls_cert_thumbprint).toBe('abc');
  });

  it('no metadata for a client that cannot obtain tokens', () => {
    expect(clientMetadata({ ...row, disabled: true }, true)).toBeUndefined();
    expect(clientMetadata({ ...row, scopes: [] }, true)).toBeUndefined();
    expect(clientMetadata({ ...row, tokenEndpointAuthMethod: 'private_key_jwt' }, true)).toBeUndefined();
    expect(clientMetadata({ ...row, tokenEndpointAuthMethod: 'tls_client_auth' }, true)).toBeUndefined();
  });
});

describe('authorization server metadata', () => {
  it('keeps the RFC 8414 members and says what is served', () => {
    const out = authorizationServerMetadata({
      issuer: 'https://f',
      token_endpoint: 'https://f/oauth2/token',
      jwks_uri: 'https://f/oauth2/jwks',
      authorization_endpoint: 'https://f/oauth2/auth',
      claims_supported: ['sub'],
      scopes_supported: ['openid', 'pay_by_link', 'ais'],
      grant_types_supported: ['authorization_code', 'client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic'],
    });
    expect(out).toEqual({
      issuer: 'https://f',
      token_endpoint: 'https://f/oauth2/token',
      jwks_uri: 'https://f/oauth2/jwks',
      token_endpoint_auth_methods_supported: ['client_secret_basic'],
      scopes_supported: ['pay_by_link', 'ais'],
      grant_types_supported: ['client_credentials'],
      response_types_supported: [],
    });
  });
});
